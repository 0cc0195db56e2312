#include "node/backup/backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>

#include "crypto/aead.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_file.hpp"
#include "crypto/sha256.hpp"
#include "node/audit/audit_log.hpp"
#include "node/audit/events.hpp"
#include "node/backup/archive.hpp"
#include "node/config/node_config.hpp"
#include "node/sharing/outbox_state.hpp"
#include "node/sharing/reconcile.hpp"
#include "node/signals/signal_json.hpp"
#include "node/signals/signal_repository.hpp"
#include "node/storage/schema.hpp"
#include "node/storage/sql_enum.hpp"
#include "node/storage/store.hpp"
#include "node/version.hpp"

namespace signalnode::node::backup {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

[[noreturn]] void fail_errno(const std::string& what, const fs::path& path) {
  throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { close(); }
  int get() const { return fd_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Removes a file (and its SQLite side files) or a folder unless released.
class RemoveOnExit {
 public:
  RemoveOnExit(fs::path path, bool folder) : path_(std::move(path)), folder_(folder) {}
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;
  ~RemoveOnExit() {
    if (path_.empty()) return;
    std::error_code ec;
    if (folder_) {
      fs::remove_all(path_, ec);
      return;
    }
    fs::remove(path_, ec);
    for (const char* side : {"-wal", "-shm", "-journal"}) fs::remove(fs::path(path_.string() + side), ec);
  }
  void release() { path_.clear(); }

 private:
  fs::path path_;
  bool folder_;
};

void write_all(int fd, const std::uint8_t* data, std::size_t size, const fs::path& path) {
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail_errno("cannot write", path);
    done += static_cast<std::size_t>(n);
  }
}

void sync_directory(const fs::path& dir) {
  Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.get() < 0 || ::fsync(d.get()) != 0) fail_errno("cannot sync folder", dir);
}

// A whole small file (bounded), e.g. node.json or a certificate.
crypto::Bytes read_small_file(const fs::path& path, std::uint64_t max) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) fail_errno("cannot read", path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail_errno("cannot read", path);
  if (static_cast<std::uint64_t>(st.st_size) > max) {
    throw std::runtime_error(path.string() + " is larger than a backup holds for one file (" + std::to_string(max) +
                             " bytes)");
  }
  crypto::Bytes out(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("cannot read", path);
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return out;
}

// --- the database's online copy ---------------------------------------------

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, CloseDb>;
struct FinishBackup {
  void operator()(sqlite3_backup* b) const { sqlite3_backup_finish(b); }
};
using BackupHandle = std::unique_ptr<sqlite3_backup, FinishBackup>;

DbHandle open_db(const fs::path& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) {
    throw std::runtime_error("cannot open database " + path.string() + ": " +
                             (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db.get(), 10'000);
  return db;
}

// One read snapshot of the live database (WAL lets the node write beside it),
// copied page by page with sqlite3_backup_step(-1): a single step, so no write
// of the node can restart it. Returns the schema version of the copy.
std::int64_t copy_database(const fs::path& source, const fs::path& dest) {
  {
    // The copy's file exists 0600 before SQLite writes into it.
    Fd fd(::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR));
    if (fd.get() < 0) fail_errno("cannot create", dest);
    if (::fchmod(fd.get(), S_IRUSR | S_IWUSR) != 0) fail_errno("cannot chmod", dest);
  }
  auto src = open_db(source, SQLITE_OPEN_READONLY);
  auto dst = open_db(dest, SQLITE_OPEN_READWRITE);
  for (int attempt = 0;; ++attempt) {
    BackupHandle b(sqlite3_backup_init(dst.get(), "main", src.get(), "main"));
    if (!b) throw std::runtime_error(std::string("cannot start the database copy: ") + sqlite3_errmsg(dst.get()));
    int rc = sqlite3_backup_step(b.get(), -1);
    if (rc == SQLITE_DONE) {
      int finish = sqlite3_backup_finish(b.release());
      if (finish != SQLITE_OK) {
        throw std::runtime_error(std::string("the database copy failed: ") + sqlite3_errmsg(dst.get()));
      }
      break;
    }
    if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && attempt < 200) {
      b.reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    throw std::runtime_error(std::string("the database copy failed: ") + sqlite3_errstr(rc));
  }
  // The copy alone, in rollback mode: one file, no -wal beside it.
  auto exec = [&](const char* sql_text) {
    char* err = nullptr;
    if (sqlite3_exec(dst.get(), sql_text, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw std::runtime_error(std::string("the database copy: ") + sql_text + ": " + msg);
    }
  };
  exec("PRAGMA journal_mode=DELETE");
  std::string quick;
  std::int64_t version = 0;
  {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(dst.get(), "PRAGMA quick_check", -1, &raw, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("the database copy: ") + sqlite3_errmsg(dst.get()));
    }
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> st(raw, sqlite3_finalize);
    if (sqlite3_step(st.get()) == SQLITE_ROW) quick = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0));
  }
  if (quick != "ok") throw std::runtime_error("the database copy fails PRAGMA quick_check: " + quick);
  {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(dst.get(), "PRAGMA user_version", -1, &raw, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("the database copy: ") + sqlite3_errmsg(dst.get()));
    }
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> st(raw, sqlite3_finalize);
    if (sqlite3_step(st.get()) == SQLITE_ROW) version = sqlite3_column_int64(st.get(), 0);
  }
  return version;
}

crypto::Digest256 hash_file(const fs::path& path, std::uint64_t& size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  crypto::Sha256 h;
  std::vector<char> buf(1 << 16);
  size = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    h.update({reinterpret_cast<const std::uint8_t*>(buf.data()), n});
    size += n;
  }
  return h.finish();
}

// --- which files of a node folder are secret --------------------------------

bool ends_with_any(const std::string& s, std::initializer_list<std::string_view> suffixes) {
  return std::any_of(suffixes.begin(), suffixes.end(), [&](std::string_view x) { return s.ends_with(x); });
}

struct Referenced {
  std::set<std::string> secret;  // relative paths node.json names as secrets
  std::set<std::string> open;    // relative paths it names as public (certificates, manifest, policy)
  std::vector<std::string> outside;
};

Referenced referenced_files(const config::NodePaths& paths, const config::NodeConfig& cfg) {
  Referenced r;
  const fs::path root = fs::weakly_canonical(paths.dir);
  auto add = [&](const std::string& p, bool secret, const char* what) {
    if (p.empty()) return;
    fs::path full = fs::weakly_canonical(paths.resolve(p));
    auto rel = full.lexically_relative(root);
    if (rel.empty() || rel.string().starts_with("..")) {
      r.outside.push_back(full.string() + " (" + what + ", outside the node folder: keep it with its own backup)");
      return;
    }
    (secret ? r.secret : r.open).insert(rel.generic_string());
  };
  add(cfg.federation.tls_cert, false, "federation certificate");
  add(cfg.federation.ca_cert, false, "federation trust anchors");
  add(cfg.federation.manifest, false, "manifest");
  add(cfg.federation.policy, false, "policy");
  add(cfg.federation.tls_key, true, "federation private key");
  if (cfg.notifications.smtp) {
    add(cfg.notifications.smtp->password_file, true, "SMTP password");
    add(cfg.notifications.smtp->ca_file, false, "SMTP trust anchors");
  }
  for (const auto& w : cfg.notifications.webhooks) {
    add(w.secret_file, true, "webhook secret");
    add(w.ca_file, false, "webhook trust anchors");
  }
  return r;
}

// Secret: keys/, private keys, password and secret files, whatever node.json
// names as a secret, and any other file only its owner may read (except the
// files known to be public). Without --with-keys none of these is archived.
bool is_secret(const std::string& rel, fs::perms mode, const Referenced& refs) {
  if (rel.starts_with("keys/") || refs.secret.count(rel)) return true;
  if (ends_with_any(rel, {".key", ".password", ".secret", ".share", ".pass"})) return true;
  if (rel == "node.json" || refs.open.count(rel) || ends_with_any(rel, {".crt", ".toml"})) return false;
  // The signed federation configuration's versions (issue 22): public
  // documents every partner serves, kept 0600 like every file the node
  // writes; without them a restored node would wait for its admin to publish
  // the version in force again.
  if (rel.starts_with("federation-configuration/") && (rel.ends_with(".json") || rel.ends_with("/applied"))) return false;
  return (mode & (fs::perms::group_read | fs::perms::others_read)) == fs::perms::none;
}

struct PlainFile {
  std::string rel;
  crypto::Bytes content;
};

void write_header_fields(Header& h, const config::NodeConfig& cfg, std::int64_t snapshot_ms,
                         std::int64_t schema_version) {
  h.created_at_ms = snapshot_ms;
  h.org = cfg.org;
  h.node_version = kVersion;
  h.schema_version = schema_version;
}

}  // namespace

BackupReport create_backup(const BackupOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  if (options.with_keys && (!options.passphrase || options.passphrase->size() < 12)) {
    throw std::invalid_argument("a backup with keys needs a passphrase of at least 12 characters");
  }
  config::NodePaths paths{options.dir};
  if (!fs::is_regular_file(paths.config()) || !fs::is_regular_file(paths.database())) {
    throw std::runtime_error(options.dir.string() + " is not a node folder (node.json and signalnode.db expected)");
  }
  const auto cfg = config::load_config(paths);
  const fs::path out = fs::absolute(options.out).lexically_normal();
  if (out.filename().empty()) throw std::invalid_argument("--out must name a file");
  std::error_code ec;
  if (fs::exists(fs::symlink_status(out, ec))) {
    throw std::runtime_error(out.string() + " exists: a backup never writes over a file; choose a new name");
  }
  const fs::path out_dir = out.parent_path();
  if (!fs::is_directory(out_dir)) throw std::runtime_error("no folder " + out_dir.string() + " to write the backup in");
  const fs::path root = fs::weakly_canonical(paths.dir);
  {
    auto rel = fs::weakly_canonical(out_dir).lexically_relative(root);
    if (!rel.empty() && !rel.string().starts_with("..")) {
      throw std::runtime_error("write the backup outside the node folder (" + out.string() +
                               " is inside it, and would be lost with it)");
    }
  }

  BackupReport report;
  const Referenced refs = referenced_files(paths, cfg);
  report.not_included = refs.outside;

  // The folder's files, secrets apart.
  std::vector<PlainFile> plain;
  std::vector<SecretEntry> secrets;
  const Limits limits;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    const auto& entry = *it;
    const std::string rel = entry.path().lexically_relative(root).generic_string();
    const auto status = entry.symlink_status();
    if (rel == "logs" && fs::is_directory(status)) {
      it.disable_recursion_pending();
      continue;
    }
    if (fs::is_symlink(status)) {
      report.not_included.push_back(rel + " (a symbolic link)");
      continue;
    }
    if (!fs::is_regular_file(status)) continue;
    if (rel == kDatabaseEntry || rel == std::string(kDatabaseEntry) + "-wal" ||
        rel == std::string(kDatabaseEntry) + "-shm" || rel == std::string(kDatabaseEntry) + "-journal" ||
        rel.ends_with(".tmp") || rel == kRestoreMarker || rel == "audit-head.json") {
      // The tree-head copy is this folder's, not the snapshot's: a restored
      // node starts from its snapshot's own log and keeps a new copy.
      continue;
    }
    if (!valid_entry_path(rel, limits)) {
      report.not_included.push_back(rel + " (a name a backup cannot hold)");
      continue;
    }
    if (is_secret(rel, status.permissions(), refs)) {
      if (!options.with_keys) continue;  // no byte of a secret without --with-keys
      secrets.push_back({rel, crypto::SecretBytes(read_small_file(entry.path(), limits.max_file_bytes))});
    } else {
      plain.push_back({rel, read_small_file(entry.path(), limits.max_file_bytes)});
    }
  }
  if (secrets.size() > limits.max_key_entries || plain.size() + 1 > limits.max_entries) {
    throw std::runtime_error("the node folder holds more files than a backup holds");
  }
  std::sort(plain.begin(), plain.end(), [](const PlainFile& a, const PlainFile& b) { return a.rel < b.rel; });
  std::sort(secrets.begin(), secrets.end(), [](const SecretEntry& a, const SecretEntry& b) { return a.path < b.path; });

  // The database: one consistent snapshot beside the archive.
  const std::string stem = "." + out.filename().string();
  const fs::path db_copy = out_dir / (stem + ".db-" + crypto::random_hex_id(6));
  RemoveOnExit db_guard(db_copy, false);
  report.snapshot_ms = now_ms();
  const std::int64_t schema = copy_database(paths.database(), db_copy);

  Header header;
  write_header_fields(header, cfg, report.snapshot_ms, schema);
  header.with_keys = options.with_keys;
  for (const auto& f : plain) header.entries.push_back({f.rel, f.content.size(), crypto::sha256(f.content), 0});
  {
    Entry db;
    db.path = std::string(kDatabaseEntry);
    db.sha256 = hash_file(db_copy, db.size);
    report.database_bytes = db.size;
    header.entries.push_back(std::move(db));
  }

  crypto::Bytes sealed;
  if (options.with_keys) {
    KeysPart part;
    part.cost = options.cost;
    part.salt = crypto::random_bytes(crypto::kPassphraseSaltBytes);
    auto key = crypto::key_from_passphrase(options.passphrase->view(), part.salt, part.cost);
    auto plaintext = encode_keys_plaintext(secrets);
    sealed = crypto::seal(key, plaintext.view(), keys_binding(header));
    part.size = sealed.size();
    part.sha256 = crypto::sha256(sealed);
    header.keys = std::move(part);
  }

  // The archive: a temp file 0600, synced, renamed into place without
  // replacing anything that appeared meanwhile.
  const fs::path tmp = out_dir / (stem + ".tmp-" + crypto::random_hex_id(6));
  RemoveOnExit tmp_guard(tmp, false);
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR));
    if (fd.get() < 0) fail_errno("cannot create", tmp);
    if (::fchmod(fd.get(), S_IRUSR | S_IWUSR) != 0) fail_errno("cannot chmod", tmp);
    const std::string prefix = encode_prefix(header);
    write_all(fd.get(), reinterpret_cast<const std::uint8_t*>(prefix.data()), prefix.size(), tmp);
    for (const auto& f : plain) write_all(fd.get(), f.content.data(), f.content.size(), tmp);
    {
      std::ifstream in(db_copy, std::ios::binary);
      crypto::Sha256 h;
      std::vector<char> buf(1 << 16);
      while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        auto n = static_cast<std::size_t>(in.gcount());
        if (n == 0) break;
        h.update({reinterpret_cast<const std::uint8_t*>(buf.data()), n});
        write_all(fd.get(), reinterpret_cast<const std::uint8_t*>(buf.data()), n, tmp);
      }
      if (h.finish() != header.entries.back().sha256) throw std::runtime_error("the database copy changed while written");
    }
    write_all(fd.get(), sealed.data(), sealed.size(), tmp);
    if (::fsync(fd.get()) != 0) fail_errno("cannot sync", tmp);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) fail_errno("cannot read", tmp);
    report.archive_bytes = static_cast<std::uint64_t>(st.st_size);
  }
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, out.c_str(), RENAME_NOREPLACE) != 0) {
    if (errno == EEXIST) throw std::runtime_error(out.string() + " appeared while the backup was written; not replaced");
    fail_errno("cannot rename the backup to", out);
  }
  tmp_guard.release();
  sync_directory(out_dir);

  report.files = header.entries.size();
  report.secret_files = secrets.size();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

namespace {

fs::perms mode_for(const std::string& rel) {
  using fs::perms;
  if (rel.ends_with(".crt") || rel.ends_with(".toml")) {
    return perms::owner_read | perms::owner_write | perms::group_read | perms::others_read;
  }
  return perms::owner_read | perms::owner_write;  // node.json, the database, anything not known to be public
}

void make_folders(const fs::path& root, const std::string& rel) {
  fs::path dir = root;
  fs::path parent = fs::path(rel).parent_path();
  for (const auto& part : parent) {
    dir /= part;
    if (fs::exists(fs::symlink_status(dir))) {
      if (!fs::is_directory(fs::symlink_status(dir))) throw std::runtime_error(dir.string() + " is not a folder");
      continue;
    }
    fs::create_directory(dir);
    fs::permissions(dir, fs::perms::owner_all);
  }
}

// Copies one entry from the archive into a new file, hashing as it goes: the
// archive may have changed since it was checked.
void write_entry(std::istream& in, const Entry& e, const fs::path& root) {
  make_folders(root, e.path);
  const fs::path path = root / e.path;
  const auto mode = static_cast<mode_t>(mode_for(e.path));
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
  if (fd.get() < 0) fail_errno("cannot create", path);
  if (::fchmod(fd.get(), mode) != 0) fail_errno("cannot chmod", path);
  in.clear();
  in.seekg(static_cast<std::streamoff>(e.offset));
  crypto::Sha256 h;
  std::vector<char> buf(1 << 16);
  std::uint64_t left = e.size;
  while (left > 0) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
    in.read(buf.data(), static_cast<std::streamsize>(n));
    if (static_cast<std::size_t>(in.gcount()) != n) throw ArchiveError("the backup changed while it was restored");
    h.update({reinterpret_cast<const std::uint8_t*>(buf.data()), n});
    write_all(fd.get(), reinterpret_cast<const std::uint8_t*>(buf.data()), n, path);
    left -= n;
  }
  if (h.finish() != e.sha256) throw ArchiveError("the backup changed while it was restored: " + e.path);
  if (::fsync(fd.get()) != 0) fail_errno("cannot sync", path);
}

void sync_tree(const fs::path& root) {
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_directory()) sync_directory(entry.path());
  }
  sync_directory(root);
}

}  // namespace

RestoreReport restore_backup(const RestoreOptions& options) {
  fs::path target = fs::absolute(options.dir).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  bool existed = false;
  {
    std::error_code ec;
    auto st = fs::symlink_status(target, ec);
    if (fs::exists(st)) {
      if (!fs::is_directory(st)) throw std::runtime_error(target.string() + " exists and is not a folder");
      if (!fs::is_empty(target)) {
        throw std::runtime_error(target.string() + " is not empty: restore into a new or empty folder");
      }
      existed = true;
    }
  }
  const fs::path parent = target.parent_path();
  if (!fs::is_directory(parent)) throw std::runtime_error("no folder " + parent.string() + " to restore into");

  std::ifstream in(options.in, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + options.in.string());
  std::error_code size_ec;
  const auto file_size = fs::file_size(options.in, size_ec);
  if (size_ec) throw std::runtime_error("cannot read " + options.in.string() + ": " + size_ec.message());

  // Everything is checked before anything is written.
  const Header header = read_header(in, file_size);
  verify_entries(in, header);
  const bool has_config =
      std::any_of(header.entries.begin(), header.entries.end(), [](const Entry& e) { return e.path == "node.json"; });
  const bool has_db = std::any_of(header.entries.begin(), header.entries.end(),
                                  [](const Entry& e) { return e.path == kDatabaseEntry; });
  if (!has_config || !has_db) throw ArchiveError("not a valid signalnode backup: node.json or the database is missing");
  std::vector<SecretEntry> secrets;
  if (header.keys) {
    if (!options.passphrase) throw std::runtime_error("this backup holds keys: a passphrase is needed");
    auto passphrase = options.passphrase();
    secrets = open_keys(in, header, passphrase.view());
    for (const auto& s : secrets) {
      auto clash = std::find_if(header.entries.begin(), header.entries.end(), [&](const Entry& e) {
        return e.path == s.path || e.path.starts_with(s.path + "/") || s.path.starts_with(e.path + "/");
      });
      if (clash != header.entries.end()) throw ArchiveError("not a valid signalnode backup: " + s.path + " twice");
    }
  }

  // The folder is written beside its target and renamed into place last.
  const fs::path staging = parent / ("." + target.filename().string() + ".restoring-" + crypto::random_hex_id(6));
  fs::create_directory(staging);
  RemoveOnExit staging_guard(staging, true);
  fs::permissions(staging, fs::perms::owner_all);
  for (const auto& e : header.entries) write_entry(in, e, staging);
  for (const auto& s : secrets) {
    make_folders(staging, s.path);
    crypto::write_secret_file(staging / s.path, s.content.view());
  }

  RestoreReport report;
  report.snapshot_ms = header.created_at_ms;
  report.org = header.org;
  report.with_keys = header.keys.has_value();
  report.files = header.entries.size() + secrets.size();
  const fs::path db_path = staging / kDatabaseEntry;
  {
    storage::Database db(db_path, storage::Database::Mode::read_write);
    auto st = db.prepare("PRAGMA integrity_check");
    std::string first;
    int rows = 0;
    while (st.step()) {
      if (rows++ == 0) first = st.text(0);
    }
    if (rows != 1 || first != "ok") {
      throw std::runtime_error("the backup's database fails PRAGMA integrity_check (" + first + "); nothing restored");
    }
    // signalnode makes no triggers or views: one in a backup was put there by
    // someone else, to run code at the node's next write (a backup without
    // keys is not sealed). Refused before any migration or write runs.
    auto foreign = db.prepare("SELECT type || ' ' || name FROM sqlite_schema WHERE type IN ('trigger', 'view') LIMIT 1");
    if (foreign.step()) {
      throw std::runtime_error("the backup's database holds a " + foreign.text(0) +
                               " that signalnode never makes; nothing restored");
    }
  }
  {
    storage::Store store(db_path, storage::node_migrations());
    if (report.with_keys) {
      const fs::path key_file = staging / "keys" / "data.key";
      if (!fs::exists(key_file)) throw std::runtime_error("the backup's keys part holds no keys/data.key");
      auto raw = crypto::read_secret_file(key_file, crypto::kAeadKeyBytes);
      auto key = crypto::aead_key_from(raw.view());
      signals::SignalRepository(store, key).prove_key();  // throws WrongDataKey
      report.data_key_proven = true;
    }
    static const std::string unfinished_sql =
        storage::sql("SELECT COUNT(*) FROM outbox WHERE state IN ",
                     storage::sql_list(sharing::OutboxState::queued, sharing::OutboxState::sending));
    store.read([&](storage::Database& db) {
      report.signals = db.cached("SELECT COUNT(*) FROM signals").scalar();
      report.outbox_unfinished = db.cached(unfinished_sql).scalar();
      return 0;
    });
    const std::int64_t restored_ms = now_ms();
    audit::Event ev;
    ev.name = audit::events::kNodeRestored;
    ev.start_ms = ev.end_ms = restored_ms;
    ev.attributes = {{"snapshotAtMs", header.created_at_ms},
                     {"snapshotAt", signals::iso8601_utc(header.created_at_ms)},
                     {"withKeys", report.with_keys},
                     {"backupNodeVersion", header.node_version},
                     {"outboxUnfinished", report.outbox_unfinished}};
    store.write([&](storage::Database& db) {
      audit::AuditLog::append(db, ev);
      // What partners received after the snapshot is found and withdrawn
      // once the node runs again (sharing::Reconcile).
      sharing::Reconcile::schedule_after_restore(db, header.created_at_ms, restored_ms);
    });
    json::object marker{{"snapshotAtMs", header.created_at_ms},
                        {"snapshotAt", signals::iso8601_utc(header.created_at_ms)},
                        {"restoredAtMs", restored_ms},
                        {"restoredAt", signals::iso8601_utc(restored_ms)},
                        {"withKeys", report.with_keys},
                        {"org", header.org},
                        {"backupNodeVersion", header.node_version}};
    crypto::write_file_atomically(staging / kRestoreMarker, json::serialize(marker) + "\n",
                                  fs::perms::owner_read | fs::perms::owner_write);
  }
  sync_tree(staging);
  if (existed) fs::remove(target);  // empty, checked above
  fs::rename(staging, target);
  staging_guard.release();
  sync_directory(parent);
  return report;
}

}  // namespace signalnode::node::backup
