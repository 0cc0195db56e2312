// Thin RAII layer over SQLite: one Database per connection, Statements that
// finalize themselves, transactions that roll back unless committed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace signalnode::node::storage {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class Statement;

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
  // A statement prepared once per connection and reused (reset on each use).
  Statement& cached(std::string_view sql);
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

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  std::string text(int column) const;
  std::vector<std::uint8_t> blob(int column) const;
  // Without a copy; valid until the next step() or reset().
  std::span<const std::uint8_t> blob_view(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
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
// own transaction, recorded in PRAGMA user_version.
using Migration = std::function<void(Database&)>;
int migrate(Database& db, const std::vector<Migration>& migrations);
int schema_version(Database& db);

}  // namespace signalnode::node::storage
