// Thin RAII layer over SQLite: one Database per connection, Statements that
// finalize themselves, transactions that roll back unless committed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "node/storage/errors.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace signalnode::node::storage {

class Statement;
class Cursor;

class Database {
 public:
  enum class Mode { read_write, read_only };
  // Opens (creating when read_write) and applies the connection settings:
  // WAL, synchronous=FULL, foreign keys, busy timeout.
  Database(const std::filesystem::path& path, Mode mode);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  Database(Database&& other) noexcept;

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);
  // A statement prepared once per connection and reused. The Cursor resets it
  // when it goes out of scope, also when an exception passes: a statement left
  // mid-iteration would keep the connection's read snapshot open, and the next
  // user of a pooled connection would read stale data. If the same SQL is
  // already in use (nested use), the Cursor gets a fresh statement of its own.
  [[nodiscard]] Cursor cached(std::string_view sql);
  // Resets every statement left mid-step and rolls back an open transaction:
  // the connection goes back to a pool as if new.
  void release_snapshot();
  std::int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::span<const std::uint8_t> blob);
  Statement& bind_null(int index);
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  Statement& bind(int index, const std::optional<std::string>& value);

  // true while a row is available; false when done. Throws on error.
  bool step();
  void run();  // step to completion, expecting no rows
  void reset();

  [[nodiscard]] bool is_null(int column) const;
  [[nodiscard]] std::int64_t int64(int column) const;
  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] std::vector<std::uint8_t> blob(int column) const;
  // Without a copy; valid until the next step() or reset().
  [[nodiscard]] std::span<const std::uint8_t> blob_view(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A cached statement on loan (Database::cached): binds, steps and reads like a
// Statement, and resets it (clearing its bindings) when it goes out of scope.
class Cursor {
 public:
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  Cursor& operator=(Cursor&&) = delete;
  Cursor(Cursor&& other) noexcept;
  ~Cursor();

  template <typename... A>
  Cursor& bind(A&&... args) {
    st().bind(std::forward<A>(args)...);
    return *this;
  }
  Cursor& bind_blob(int index, std::span<const std::uint8_t> blob) {
    st().bind_blob(index, blob);
    return *this;
  }
  Cursor& bind_null(int index) {
    st().bind_null(index);
    return *this;
  }
  [[nodiscard]] bool step() { return st().step(); }
  void run() { st().run(); }
  // The first column of the one row an aggregate query returns.
  [[nodiscard]] std::int64_t scalar() {
    if (!st().step()) throw std::logic_error("a scalar query returned no row");
    return st().int64(0);
  }
  void reset() { st().reset(); }
  [[nodiscard]] bool is_null(int column) const { return st().is_null(column); }
  [[nodiscard]] std::int64_t int64(int column) const { return st().int64(column); }
  [[nodiscard]] std::string text(int column) const { return st().text(column); }
  [[nodiscard]] std::vector<std::uint8_t> blob(int column) const { return st().blob(column); }
  [[nodiscard]] std::span<const std::uint8_t> blob_view(int column) const { return st().blob_view(column); }
  const Statement& statement() const { return st(); }

 private:
  friend class Database;
  Cursor(Statement* borrowed, bool* in_use) : borrowed_(borrowed), in_use_(in_use) {}
  explicit Cursor(Statement owned) : owned_(std::move(owned)) {}
  Statement& st() { return borrowed_ ? *borrowed_ : *owned_; }
  const Statement& st() const { return borrowed_ ? *borrowed_ : *owned_; }

  Statement* borrowed_ = nullptr;
  bool* in_use_ = nullptr;
  std::optional<Statement> owned_;
};

// BEGIN IMMEDIATE on construction, ROLLBACK on destruction unless commit().
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

// Schema migrations: step i moves the schema from version i to i+1, each in its
// own transaction, recorded in PRAGMA user_version. The steps run with foreign
// keys off, so a step may rebuild a parent table without cascading deletes;
// each step commits only if PRAGMA foreign_key_check finds nothing broken.
using Migration = std::function<void(Database&)>;
int migrate(Database& db, const std::vector<Migration>& migrations);
int schema_version(Database& db);
// Before anything touches a database (Store runs it before its one-time
// VACUUM and the migrations): refuses, changing nothing, a schema newer than
// the `known` migrations, and a database with migrations pending that fails
// PRAGMA quick_check (an upgrade is not run on a damaged database). The
// message is Dutch first, then English, and says what to do.
void check_upgradable(Database& db, std::size_t known);

}  // namespace signalnode::node::storage
