// What a storage failure means to its callers, without SQLite's headers: the
// exception SQLite calls raise, and what kind of fault it is, so the HTTP
// layer can answer "try again later" without running or knowing any SQL.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace signalnode::node::storage {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }  // SQLite's extended result code

 private:
  int code_;
};

// Why a storage call failed, in the terms its callers act on.
enum class StorageFault {
  other,       // not the storage's fault (a bug, a constraint): retrying will not help
  disk,        // full, I/O error, cannot open, read-only: the same write may succeed later
  contention,  // busy or locked past the busy timeout: may succeed later too
};
StorageFault fault_of(const std::exception& e);

}  // namespace signalnode::node::storage
