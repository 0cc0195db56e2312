#include "node/storage/errors.hpp"

#include <sqlite3.h>

namespace signalnode::node::storage {

StorageFault fault_of(const std::exception& e) {
  const auto* sqlite = dynamic_cast<const SqliteError*>(&e);
  if (!sqlite) return StorageFault::other;
  switch (sqlite->code() & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY: return StorageFault::disk;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return StorageFault::contention;
    default: return StorageFault::other;
  }
}

}  // namespace signalnode::node::storage
