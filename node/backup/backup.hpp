// `signalnode backup` and `restore` (BRIEF 3.12, docs/operations.md "Backup
// and restore", docs/backup.md for the archive format).
//
// A backup is taken while the node runs: the database through SQLite's online
// backup API (one read snapshot), the rest of the node folder as it is, into
// one archive written 0600 and renamed into place only when complete. Secrets
// (keys/, private keys, password files) go in only when asked, sealed under a
// passphrase; otherwise not a byte of them.
//
// A restore checks the whole archive before it writes anything, writes the
// folder beside its target and renames it into place once the database passes
// PRAGMA integrity_check and (with keys) the data key opens its sample.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "crypto/bytes.hpp"
#include "crypto/password.hpp"

namespace signalnode::node::backup {

struct BackupOptions {
  std::filesystem::path dir;  // the node folder
  std::filesystem::path out;  // the archive; must not exist
  bool with_keys = false;
  const crypto::SecretBytes* passphrase = nullptr;  // with_keys: at least 12 characters
  crypto::PassphraseCost cost = crypto::moderate_passphrase_cost();
};

struct BackupReport {
  std::int64_t snapshot_ms = 0;      // when the database's read snapshot was taken
  std::size_t files = 0;             // plain entries, the database included
  std::size_t secret_files = 0;      // in the sealed keys part (0 without keys)
  std::uint64_t database_bytes = 0;
  std::uint64_t archive_bytes = 0;
  double seconds = 0;
  std::vector<std::string> not_included;  // what the operator must keep some other way, and why
};

// Throws std::runtime_error (or std::invalid_argument for bad options) with a
// message for the operator; on failure no archive is left behind.
BackupReport create_backup(const BackupOptions& options);

struct RestoreOptions {
  std::filesystem::path in;
  std::filesystem::path dir;  // must not exist, or be an empty folder
  // Asked only when the archive holds keys.
  std::function<crypto::SecretBytes()> passphrase;
};

struct RestoreReport {
  std::int64_t snapshot_ms = 0;
  std::string org;
  bool with_keys = false;
  bool data_key_proven = false;
  std::size_t files = 0;
  std::int64_t signals = 0;
  std::int64_t outbox_unfinished = 0;  // records to partners still queued or in flight at the snapshot
};

// Throws backup::ArchiveError, backup::WrongPassphrase or std::runtime_error;
// on any failure nothing is left at options.dir (an empty folder stays empty).
RestoreReport restore_backup(const RestoreOptions& options);

// The marker a restore leaves in the folder (restored.json): when the
// snapshot was taken and when it was restored.
inline constexpr const char* kRestoreMarker = "restored.json";

}  // namespace signalnode::node::backup
