#include <signal.h>

#include <atomic>
#include <thread>

#include <fstream>
#include <iostream>

#include "node/app/node_app.hpp"
#include "node/auth/tokens.hpp"
#include "node/auth/factor_reset.hpp"
#include "node/auth/users.hpp"
#include "crypto/random.hpp"
#include "node/cli/commands.hpp"
#include "node/config/node_init.hpp"
#include "node/log/log.hpp"
#include "node/signals/signal_json.hpp"
#include "node/audit/audit_log.hpp"
#include "node/federation/federation.hpp"
#include "node/pseudonyms/oprf_keyring.hpp"
#include "node/pseudonyms/pa_service.hpp"
#include "node/pseudonyms/pseudonymiser.hpp"
#include "node/privacy/subject_access.hpp"
#include "node/storage/schema.hpp"
#include "crypto/aead.hpp"
#include "crypto/secret_file.hpp"

namespace signalnode::node::cli {

namespace {
std::int64_t now_ms() { return api::epoch_ms(std::chrono::system_clock::now()); }

// Token commands work on the database directly, so an operator can create
// the first admin token before the node ever runs.
struct OfflineNode {
  explicit OfflineNode(const std::filesystem::path& dir)
      : paths{dir}, cfg(config::load_config(paths)), store(paths.database(), storage::node_migrations()),
        tokens(store) {}
  config::NodePaths paths;
  config::NodeConfig cfg;
  storage::Store store;
  auth::TokenStore tokens;
};
}  // namespace

int run_init(const InitArgs& args) {
  config::NodeConfig cfg;
  cfg.org = args.org;
  cfg.role = args.role;
  cfg.oin = args.oin;
  cfg.api.listen = args.listen;
  cfg.api.port = args.api_port;
  cfg.pseudonymisation_authority = args.pseudonymisation_authority;
  config::NodePaths paths{std::filesystem::absolute(args.dir)};
  config::init_node(paths, cfg);
  std::cout << "Created node " << cfg.org << " (" << cfg.role << ") in " << paths.dir.string() << "\n"
            << "  API certificate: " << paths.api_cert().string() << "\n"
            << "Next: signalnode token create --dir " << paths.dir.string()
            << " --role admin --label \"first admin\"\n";
  return 0;
}

int run_serve(const ServeArgs& args) {
  log::init(log::Level::info, args.log_file);
  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  app::NodeApp node({std::filesystem::absolute(args.dir), args.port});
  std::uint16_t port = node.start();
  std::cout << "signalnode " << node.config().org << " serving https://" << node.config().api.listen << ":" << port
            << std::endl;
  int received = 0;
  sigwait(&stop_signals, &received);
  log::info("node.stopping", {{"signal", received}});
  // A second stop signal during the grace period cuts it short (the
  // operator will not wait). The waiter touches only a static flag, so it
  // may outlive `node`; the process ends with it still waiting.
  static std::atomic<bool> hurry{false};
  std::thread([stop_signals] {
    int again = 0;
    sigwait(&stop_signals, &again);
    hurry.store(true);
  }).detach();
  node.stop(&hurry);
  return 0;
}

int run_pseudonym(const std::filesystem::path& dir, const std::string& id_kind, const std::string& value,
                  bool with_exchanges) {
  auto kind = protocol::id_kind_from_string(id_kind);
  if (!kind) {
    std::cerr << "signalnode: --id-kind must be bsn, kvk, iban, address, person, document, plate, phone or email\n";
    return 2;
  }
  auto id = protocol::canonicalise(*kind, value, api::local_today(std::chrono::system_clock::now()));
  if (!id) {
    std::cerr << "signalnode: --value " << id.error().reason << "\n";
    return 2;
  }
  OfflineNode node(dir);
  auto data_key = crypto::aead_key_from(crypto::read_secret_file(node.paths.data_key(), crypto::kAeadKeyBytes).view());
  if (node.cfg.pseudonymisation_authority) {
    std::cerr << "signalnode: " << node.cfg.org << " is a pseudonymisation authority: it holds no records about anyone\n";
    return 1;
  }
  if (!node.cfg.federation.enabled) {
    std::cerr << "signalnode: " << node.cfg.org << " is not in a federation: no pseudonymisation authority to ask\n";
    return 1;
  }
  auto signing = crypto::SigningKey::from_secret(crypto::read_secret_file(node.paths.signing_key(), 64).view());
  audit::AuditLog audit_log(node.store, signing, now_ms);
  http::Metrics metrics;
  federation::Federation fed(node.cfg, node.paths, metrics);
  pseudonyms::Pseudonymiser pseudonymiser(node.store, data_key, now_ms, node.cfg.oin);
  pseudonymiser.set_epoch(fed.manifest()->pseudonymisation.epoch);
  // Subject access: the pseudonym, and with --exchanges every event on this
  // node naming it; the lookup is recorded in the audit log either way.
  privacy::SubjectAccess access(node.store, pseudonymiser, &audit_log, now_ms);
  auto transport = fed.pa_transport();
  auto found = access.perform(id.value(), id_kind, "cli", *transport, with_exchanges,
                              fed.manifest()->recipient_domains(node.cfg.org));
  log::info("subject_access.pseudonymised", {{"idKind", id_kind}, {"by", "cli"}});
  std::cout << crypto::to_hex(found.pseudonym) << std::endl;
  for (const auto& e : found.exchanges) {
    std::cout << "{\"index\":" + std::to_string(e.index) + ",\"event\":" + e.leaf + "}" << "\n";
  }
  return 0;
}

int run_token_create(const std::filesystem::path& dir, const std::string& role, const std::string& label,
                     std::optional<int> expires_days) {
  auto parsed_role = auth::role_from_string(role);
  if (!parsed_role) {
    std::cerr << "signalnode: --role must be officer, analyst, privacy_officer, admin or metrics\n";
    return 2;
  }
  if (label.empty() || label.size() > 100) {
    std::cerr << "signalnode: --label must be 1 to 100 characters\n";
    return 2;
  }
  if (expires_days && (*expires_days < 1 || *expires_days > auth::TokenStore::kMaxLifetimeDays)) {
    std::cerr << "signalnode: --expires-days must be a whole number of days from 1 to "
              << auth::TokenStore::kMaxLifetimeDays << " (leave it out for a token that does not expire)\n";
    return 2;
  }
  OfflineNode node(dir);
  std::optional<std::int64_t> expires;
  if (expires_days) expires = now_ms() + static_cast<std::int64_t>(*expires_days) * 86'400'000;
  std::cout << node.tokens.create(*parsed_role, label, expires, now_ms()) << std::endl;
  return 0;
}

namespace {
// A password typed on stdin, or a random one the command prints once; wiped
// when the command ends, whichever way it ends.
struct NewPassword {
  explicit NewPassword(bool from_stdin) : typed(from_stdin) {
    if (typed) {
      std::getline(std::cin, value);
    } else {
      value = crypto::random_hex_id(12);
    }
  }
  ~NewPassword() { crypto::wipe(value.data(), value.size()); }
  NewPassword(const NewPassword&) = delete;
  NewPassword& operator=(const NewPassword&) = delete;
  void print_if_generated() const {
    if (!typed) std::cout << "password: " << value << "\n";
  }
  bool typed;
  std::string value;
};
}  // namespace

int run_user_create(const std::filesystem::path& dir, const std::string& username, const std::string& role,
                    bool password_from_stdin) {
  auto parsed_role = auth::role_from_string(role);
  if (!parsed_role) {
    std::cerr << "signalnode: --role must be officer, analyst, privacy_officer or admin\n";
    return 2;
  }
  NewPassword password(password_from_stdin);
  OfflineNode node(dir);
  auth::UserStore users(node.store);
  try {
    users.create(username, *parsed_role, password.value, now_ms(), "cli");
  } catch (const auth::UserError& e) {
    std::cerr << "signalnode: " << e.field << " " << e.what() << "\n";
    return 2;
  }
  password.print_if_generated();
  std::cout << std::flush;
  return 0;
}

int run_user_list(const std::filesystem::path& dir) {
  OfflineNode node(dir);
  auth::UserStore users(node.store);
  for (const auto& u : users.list(now_ms())) {
    std::cout << u.username << "  " << auth::to_string(u.role) << "  created " << signals::iso8601_utc(u.created_at_ms)
              << (u.wait_until_ms > 0 ? "  waiting until " + signals::iso8601_utc(u.wait_until_ms) : std::string()) << "\n";
  }
  return 0;
}

int run_user_delete(const std::filesystem::path& dir, const std::string& username) {
  OfflineNode node(dir);
  auth::UserStore users(node.store);
  if (!users.remove(username, now_ms(), "cli")) {
    std::cerr << "signalnode: no account " << username << "\n";
    return 1;
  }
  std::cout << "deleted " << username << "; its sessions have ended" << std::endl;
  return 0;
}

int run_user_unlock(const std::filesystem::path& dir, const std::string& username, const std::string& address) {
  if (username.empty() && address.empty()) {
    std::cerr << "signalnode: give --username, --address or both\n";
    return 2;
  }
  OfflineNode node(dir);
  auth::UserStore users(node.store);
  if (!username.empty()) {
    if (!users.unlock(username, now_ms(), "cli")) {
      std::cerr << "signalnode: no account " << username << "\n";
      return 1;
    }
    std::cout << username << " can log in again at once" << std::endl;
  }
  if (!address.empty()) {
    bool had = users.unlock_address(address, now_ms(), "cli");
    std::cout << address << (had ? " can try again at once" : " had no wait") << std::endl;
  }
  return 0;
}

int run_user_reset_password(const std::filesystem::path& dir, const std::string& username, bool password_from_stdin) {
  NewPassword password(password_from_stdin);
  OfflineNode node(dir);
  auth::UserStore users(node.store);
  bool known = false;
  try {
    known = users.reset_password(username, password.value, now_ms(), "cli");
  } catch (const auth::UserError& e) {
    std::cerr << "signalnode: " << e.field << " " << e.what() << "\n";
    return 2;
  }
  if (!known) {
    std::cerr << "signalnode: no account " << username << "\n";
    return 1;
  }
  password.print_if_generated();
  std::cout << "new password set for " << username << "; its sessions have ended" << std::endl;
  return 0;
}

// Break-glass (issue 21): the last admin lost phone, passkeys and recovery codes.
int run_user_reset_factors(const std::filesystem::path& dir, const std::string& username) {
  OfflineNode node(dir);
  if (!auth::reset_second_factors(node.store, username, now_ms(), "cli")) {
    std::cerr << "signalnode: no account " << username << "\n";
    return 1;
  }
  std::cout << "every second factor of " << username
            << " is cleared and its sessions have ended; a role that needs one sets it up at the next log-in" << std::endl;
  return 0;
}

int run_token_list(const std::filesystem::path& dir) {
  OfflineNode node(dir);
  for (const auto& t : node.tokens.list()) {
    std::cout << t.id << "  " << auth::to_string(t.role) << "  created " << signals::iso8601_utc(t.created_at_ms)
              << (t.revoked_at_ms ? "  REVOKED" : "")
              << (t.expires_at_ms ? "  expires " + signals::iso8601_utc(*t.expires_at_ms) : "") << "  " << t.label
              << "\n";
  }
  return 0;
}

int run_token_revoke(const std::filesystem::path& dir, const std::string& id) {
  OfflineNode node(dir);
  if (!node.tokens.revoke(id, now_ms())) {
    std::cerr << "signalnode: no active token with id " << id << "\n";
    return 1;
  }
  std::cout << "revoked " << id << "\n";
  return 0;
}

}  // namespace signalnode::node::cli
