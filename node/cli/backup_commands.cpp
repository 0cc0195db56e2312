// `signalnode backup` and `signalnode restore` (BRIEF 3.12): argument-level
// work only (the passphrase, the operator's messages); node/backup does the rest.
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "node/backup/archive.hpp"
#include "node/backup/backup.hpp"
#include "node/cli/commands.hpp"
#include "node/signals/signal_json.hpp"
#include "node/signals/signal_repository.hpp"

namespace signalnode::node::cli {
namespace fs = std::filesystem;

namespace {

constexpr const char* kPassphraseEnv = "SIGNALNODE_BACKUP_PASSPHRASE";

// Restores the terminal's echo however the prompt ends.
class NoEcho {
 public:
  explicit NoEcho(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) == 0) {
      termios quiet = saved_;
      quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
      active_ = ::tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
    }
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;
  ~NoEcho() {
    if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
  }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

// One line from the terminal (not stdin: a pipe there is no person), no echo.
crypto::SecretBytes prompt(const char* question) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    throw std::runtime_error(std::string("no terminal to ask the passphrase on: set ") + kPassphraseEnv);
  }
  std::string line;
  {
    NoEcho quiet(fd);
    [[maybe_unused]] auto w = ::write(fd, question, std::char_traits<char>::length(question));
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
    [[maybe_unused]] auto nl = ::write(fd, "\n", 1);
  }
  ::close(fd);
  return crypto::SecretBytes::take(line);
}

crypto::SecretBytes passphrase(bool confirm) {
  if (const char* env = std::getenv(kPassphraseEnv); env && *env) {
    std::string copy(env);
    return crypto::SecretBytes::take(copy);
  }
  auto first = prompt("Backup passphrase: ");
  if (confirm) {
    auto again = prompt("The same passphrase again: ");
    if (!crypto::equal_constant_time(first.view(), again.view())) {
      throw std::runtime_error("the two passphrases differ; nothing was written");
    }
  }
  return first;
}

std::string mib(std::uint64_t bytes) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MiB";
  return s.str();
}

}  // namespace

int run_backup(const fs::path& dir, const fs::path& out, bool with_keys) {
  backup::BackupOptions options;
  options.dir = dir;
  options.out = out;
  options.with_keys = with_keys;
  crypto::SecretBytes secret;
  if (with_keys) {
    secret = passphrase(/*confirm=*/true);
    options.passphrase = &secret;
  }
  auto report = backup::create_backup(options);
  std::cout << "backup written: " << out.string() << " (" << mib(report.archive_bytes) << ", mode 0600, "
            << report.files << " files, database " << mib(report.database_bytes) << ", snapshot of "
            << signals::iso8601_utc(report.snapshot_ms) << ", " << std::fixed << std::setprecision(2)
            << report.seconds << " s)\n";
  if (with_keys) {
    std::cout << "keys included: " << report.secret_files
              << " secret files, sealed under the passphrase (argon2id, XChaCha20-Poly1305). Keep the passphrase "
                 "apart from the file.\n";
  } else {
    std::cout << "keys NOT included: no key, private key or password file is in this backup. Back up keys/ (and "
                 "tls/*.key) separately and keep it offline; a restore needs it before the node can serve.\n";
  }
  for (const auto& missing : report.not_included) std::cout << "not in the backup: " << missing << "\n";
  return 0;
}

int run_restore(const fs::path& in, const fs::path& dir) {
  backup::RestoreOptions options;
  options.in = in;
  options.dir = dir;
  options.passphrase = [] { return passphrase(/*confirm=*/false); };
  backup::RestoreReport report;
  try {
    report = backup::restore_backup(options);
  } catch (const backup::WrongPassphrase& e) {
    std::cerr << "signalnode: " << e.what() << "\n";
    return 3;
  } catch (const backup::ArchiveError& e) {
    std::cerr << "signalnode: " << e.what() << "; nothing was written\n";
    return 4;
  } catch (const signals::WrongDataKey& e) {
    std::cerr << "signalnode: " << e.what() << "; nothing was written\n";
    return 5;
  }
  std::cout << "restored " << report.org << " into " << dir.string() << ": " << report.files << " files, "
            << report.signals << " signals, snapshot of " << signals::iso8601_utc(report.snapshot_ms)
            << "; database integrity_check ok\n";
  if (report.with_keys) {
    std::cout << "keys restored; the data key opens the database (proven against its stored sample)\n";
  } else {
    std::cout << "keys NOT in this backup: put keys/ (data.key, signing.key, oprf/ on a PA) and the private keys in "
                 "tls/ back from their own backup, 0600 in a 0700 folder, before 'signalnode serve'\n";
  }
  std::cout << "records sent to partners after the snapshot are not known to this node and cannot be withdrawn or "
               "corrected from it; see docs/operations.md, \"Backup and restore\"";
  if (report.outbox_unfinished > 0) {
    std::cout << " (" << report.outbox_unfinished
              << " records were queued or in flight at the snapshot; they are sent again under the same record ids, "
                 "which partners that have them already ignore)";
  }
  std::cout << "\n";
  return 0;
}

}  // namespace signalnode::node::cli
