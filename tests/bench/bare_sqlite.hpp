// A bare SQLite connection for the bounds the benchmarks measure beside the
// node (issue 19): sqlite3 calls with statements prepared once, no wrapper,
// no JSON. Same durability as the node (WAL, synchronous=FULL), statement
// journals in memory and no checkpoint inside a commit, as the node's writer.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace signalnode::bench {

class BareSqlite {
 public:
  explicit BareSqlite(const std::filesystem::path& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      throw std::runtime_error("cannot open " + path.string());
    }
    sqlite3_busy_timeout(db_, 5000);
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA wal_autocheckpoint=0",
                               "PRAGMA temp_store=MEMORY", "PRAGMA cache_size=-16384"}) {
      exec(pragma);
    }
  }
  ~BareSqlite() {
    for (auto* st : statements_) sqlite3_finalize(st);
    sqlite3_close_v2(db_);
  }
  BareSqlite(const BareSqlite&) = delete;
  BareSqlite& operator=(const BareSqlite&) = delete;

  sqlite3* db() { return db_; }
  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
  }
  // Finalised with the connection.
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db_));
    }
    statements_.push_back(st);
    return st;
  }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
};

inline void bind_text(sqlite3_stmt* st, int i, std::string_view v) {
  sqlite3_bind_text(st, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
inline void bind_blob(sqlite3_stmt* st, int i, std::span<const std::uint8_t> v) {
  sqlite3_bind_blob(st, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
// Steps to the end and resets (bindings stay for the caller to replace).
inline void run(sqlite3_stmt* st) {
  while (sqlite3_step(st) == SQLITE_ROW) {
  }
  sqlite3_reset(st);
}

}  // namespace signalnode::bench
