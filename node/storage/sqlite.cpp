#include "node/storage/sqlite.hpp"

#include <sqlite3.h>

#include <map>
#include <memory>
#include <utility>

namespace signalnode::node::storage {

namespace {
[[noreturn]] void fail(sqlite3* db, int code, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  throw SqliteError(msg, code);
}
}  // namespace

struct Database::Cache {
  struct Entry {
    Statement statement;
    bool in_use = false;
  };
  std::map<std::string, Entry, std::less<>> statements;
};

Database::Database(const std::filesystem::path& path, Mode mode) : cache_(std::make_unique<Cache>()) {
  int flags = SQLITE_OPEN_NOMUTEX |
              (mode == Mode::read_write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open database " + path.string();
    if (db_) {
      msg += ": ";
      msg += sqlite3_errmsg(db_);
      sqlite3_close_v2(db_);
      db_ = nullptr;
    }
    throw SqliteError(msg, rc);
  }
  sqlite3_busy_timeout(db_, 5000);
  sqlite3_extended_result_codes(db_, 1);
  // Functions with side effects never run from the schema itself (triggers,
  // views, index expressions): a database file from elsewhere (a restore)
  // cannot make a write run code.
  sqlite3_db_config(db_, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  if (mode == Mode::read_write) {
    exec("PRAGMA journal_mode=WAL");
    // FULL: a commit survives power loss, not only a process crash. Group
    // commit in the writer amortises the fsync.
    exec("PRAGMA synchronous=FULL");
  }
  exec("PRAGMA foreign_keys=ON");
  // Statement journals (a statement that may fail halfway, a savepoint) stay
  // in memory: on disk every page a job touched was copied to a temp file
  // first, more bytes than the job stored (issue 19).
  exec("PRAGMA temp_store=MEMORY");
  // Memory follows the data: the page cache is a cap (SQLite allocates pages
  // as it reads them, so a small store keeps a small cache), larger for the
  // one writer, whose B-tree paths are hot, than for each pooled reader. The
  // file is not mapped: mapped pages count towards the resident set as they
  // are touched, up to the whole file; the kernel's page cache keeps the file
  // either way (docs/benchmarks.md, memory).
  exec(mode == Mode::read_write ? "PRAGMA cache_size=-16384" : "PRAGMA cache_size=-2048");
  exec("PRAGMA mmap_size=0");
  exec("PRAGMA secure_delete=ON");  // deleted identifiers do not linger in free pages
}

Database::~Database() {
  if (cache_) cache_->statements.clear();
  if (db_) sqlite3_close_v2(db_);
}

Database::Database(Database&& other) noexcept : db_(other.db_), cache_(std::move(other.cache_)) {
  other.db_ = nullptr;
}

void Database::exec(std::string_view sql) {
  char* err = nullptr;
  std::string owned(sql);
  int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw SqliteError("SQL failed: " + msg, rc);
  }
}

Statement Database::prepare(std::string_view sql) { return Statement(db_, sql); }

Cursor Database::cached(std::string_view sql) {
  auto it = cache_->statements.find(sql);
  if (it == cache_->statements.end()) {
    it = cache_->statements.emplace(std::string(sql), Cache::Entry{Statement(db_, sql)}).first;
  }
  if (it->second.in_use) return Cursor(Statement(db_, sql));
  it->second.statement.reset();
  it->second.in_use = true;
  return Cursor(&it->second.statement, &it->second.in_use);
}

void Database::release_snapshot() {
  for (sqlite3_stmt* st = sqlite3_next_stmt(db_, nullptr); st; st = sqlite3_next_stmt(db_, st)) {
    if (sqlite3_stmt_busy(st)) sqlite3_reset(st);
  }
  if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Cursor::Cursor(Cursor&& other) noexcept
    : borrowed_(std::exchange(other.borrowed_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      owned_(std::move(other.owned_)) {
  other.owned_.reset();
}

Cursor::~Cursor() {
  if (borrowed_) {
    borrowed_->reset();
    *in_use_ = false;
  }
  // An owned statement finalizes itself.
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_,
                              nullptr);
  if (rc != SQLITE_OK) fail(db, rc, "cannot prepare statement");
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }

Statement& Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind_blob(int index, std::span<const std::uint8_t> blob) {
  int rc = sqlite3_bind_blob64(stmt_, index, blob.data(), blob.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  return value ? bind(index, std::string_view(*value)) : bind_null(index);
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, rc, "step");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

std::span<const std::uint8_t> Statement::blob_view(int column) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::span<const std::uint8_t>(p, static_cast<std::size_t>(n)) : std::span<const std::uint8_t>();
}

std::vector<std::uint8_t> Statement::blob(int column) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::vector<std::uint8_t>(p, p + n) : std::vector<std::uint8_t>();
}

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
      // The connection rolls back by itself when it cannot; nothing to add.
    }
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

int schema_version(Database& db) {
  Statement st = db.prepare("PRAGMA user_version");
  st.step();
  return static_cast<int>(st.int64(0));
}

namespace {
std::runtime_error newer_schema(int version, std::size_t known) {
  const std::string have = std::to_string(version), know = std::to_string(known);
  return std::runtime_error(
      "de database heeft schemaversie " + have + ", nieuwer dan deze signalnode kent (" + know +
      "): een nieuwere versie heeft hem bijgewerkt. Installeer die versie weer, of zet de back-up terug die voor de "
      "upgrade is gemaakt; er is niets veranderd / the database has schema version " + have +
      ", newer than this signalnode knows (" + know +
      "): a newer release upgraded it. Install that release again, or restore the backup taken before the upgrade; "
      "nothing was changed");
}
}  // namespace

void check_upgradable(Database& db, std::size_t known) {
  const int version = schema_version(db);
  if (version > static_cast<int>(known)) throw newer_schema(version, known);
  const std::string have = std::to_string(version), know = std::to_string(known);
  if (version == 0 || version == static_cast<int>(known)) return;
  // Migrations are pending: they run only on a database that passes its checks.
  std::string first;
  try {
    Statement st = db.prepare("PRAGMA quick_check");
    while (st.step()) {
      if (first.empty()) first = st.text(0);
    }
  } catch (const std::exception& e) {
    first = e.what();
  }
  if (first != "ok") {
    throw std::runtime_error(
        "de database (schemaversie " + have + ") doorstaat de controle PRAGMA quick_check niet (" + first +
        "); de upgrade naar versie " + know +
        " is niet uitgevoerd en er is niets veranderd. Zet de laatste goede back-up terug (signalnode restore) en "
        "start opnieuw / the database (schema version " + have + ") fails PRAGMA quick_check (" + first +
        "); the upgrade to version " + know +
        " was not run and nothing was changed. Restore the last good backup (signalnode restore) and start again");
  }
}

int migrate(Database& db, const std::vector<Migration>& migrations) {
  int version = schema_version(db);
  if (version > static_cast<int>(migrations.size())) throw newer_schema(version, migrations.size());
  if (version == static_cast<int>(migrations.size())) return version;
  // Foreign keys are off while the schema changes, as "Making Other Kinds Of
  // Table Schema Changes" (sqlite.org/lang_altertable.html) prescribes: a
  // migration that rebuilds a parent table drops the old one, and with them on
  // that DROP deletes the rows of every ON DELETE CASCADE child (deferring the
  // checks, PRAGMA defer_foreign_keys, does not defer cascades); inside the
  // step's transaction the setting can no longer change. Each step checks the
  // keys before it commits instead.
  db.exec("PRAGMA foreign_keys=OFF");
  struct KeysBackOn {
    Database& db;
    ~KeysBackOn() {
      try {
        db.exec("PRAGMA foreign_keys=ON");
      } catch (...) {
        // Only fails on a connection that is already unusable.
      }
    }
  } keys_back_on{db};
  for (auto i = static_cast<std::size_t>(version); i < migrations.size(); ++i) {
    Transaction tx(db);
    migrations[i](db);
    {
      Statement check = db.prepare("PRAGMA foreign_key_check");
      if (check.step()) {
        throw std::runtime_error("schema migration to version " + std::to_string(i + 1) + " breaks a foreign key: " +
                                 check.text(0) + " row " + std::to_string(check.int64(1)) + " refers to a missing " +
                                 check.text(2) + " row");
      }
    }
    db.exec("PRAGMA user_version = " + std::to_string(i + 1));
    tx.commit();
  }
  return static_cast<int>(migrations.size());
}

}  // namespace signalnode::node::storage
