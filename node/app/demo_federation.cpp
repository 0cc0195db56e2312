#include "node/app/demo_federation.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <cstring>
#include <sstream>
#include <thread>

#include "crypto/ed25519.hpp"
#include "crypto/secret_file.hpp"
#include "crypto/x509.hpp"
#include "node/auth/tokens.hpp"
#include "node/auth/users.hpp"
#include "crypto/random.hpp"
#include "node/config/node_init.hpp"
#include "node/federation/configuration_sync.hpp"
#include "node/federation/manifest.hpp"
#include "node/federation/signed_configuration.hpp"
#include "node/net/https_client.hpp"
#include "node/pseudonyms/key_ceremony.hpp"
#include "node/storage/schema.hpp"
#include "policies/areas.hpp"

extern char** environ;

namespace signalnode::embedded {
std::string_view covenant_toml();
}

namespace signalnode::node::app {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

const char* kRoles[] = {"officer", "analyst", "privacy_officer", "admin"};

// A fictitious name per demo account: "Officer (gemeente-aalsmeer)" reads as
// a role, and contact cards should read as people.
std::string demo_person(const std::string& org, const std::string& role) {
  static const std::map<std::string, std::string> first = {
      {"officer", "Sanne"}, {"analyst", "Ahmed"}, {"privacy_officer", "Marieke"}, {"admin", "Joost"}};
  static const std::map<std::string, std::string> last = {{"gemeente-aalsmeer", "de Vries"},
                                                          {"nla", "Bakker"},
                                                          {"snf", "Jansen"},
                                                          {"riec-amsterdam", "El Amrani"},
                                                          {"gemeente-westland", "van Leeuwen"},
                                                          {"riec-den-haag", "Yilmaz"}};
  auto f = first.find(role);
  auto l = last.find(org);
  return (f == first.end() ? "Medewerker" : f->second) + " " + (l == last.end() ? org : l->second);
}

void replace_file(const fs::path& path, std::string_view content, bool secret) {
  fs::remove(path);
  if (secret) {
    crypto::write_secret_file(path, crypto::as_bytes(content));
  } else {
    crypto::write_file_atomically(path, content);
  }
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json::array areas_json(const std::vector<std::string>& areas) {
  json::array out;
  for (const auto& a : areas) out.push_back(json::value(a));
  return out;
}

std::string demo_json(const fs::path& dir, const std::vector<DemoNode>& nodes, const pseudonyms::PublicKeySet& keys) {
  json::array list;
  json::array shares;
  std::size_t next_share = 0;
  for (const auto& n : nodes) {
    json::object tokens;
    for (const auto& [role, token] : n.tokens) tokens[role] = token;
    json::object users;
    for (const auto& [role, user] : n.users) {
      users[role] = json::object{{"username", user.first},
                                 {"password", user.second},
                                 {"email", user.first + "@" + n.org + ".demo.invalid"}};
    }
    list.push_back(json::object{
        {"org", n.org},
        {"role", n.role},
        {"oin", n.oin},
        {"name", n.name},
        {"dir", n.dir.string()},
        {"api", "https://127.0.0.1:" + std::to_string(n.api_port)},
        {"federation", "https://127.0.0.1:" + std::to_string(n.federation_port)},
        {"tlsCert", (n.dir / "tls" / "federation.crt").string()},
        {"tlsKey", (n.dir / "tls" / "federation.key").string()},
        {"pseudonymisationAuthority", n.pseudonymisation_authority},
        {"areas", areas_json(n.areas)},
        {"sendOnly", n.send_only},
        {"tokens", std::move(tokens)},
        {"users", std::move(users)},
    });
    if (n.pseudonymisation_authority) {
      const auto& share = keys.shares.at(next_share++);
      shares.push_back(json::object{{"org", n.org},
                                    {"index", share.index},
                                    {"federation", "https://127.0.0.1:" + std::to_string(n.federation_port)},
                                    {"publicKey", crypto::to_hex(share.point)}});
    }
  }
  json::object pseudonymisation{{"epoch", keys.epoch},
                                {"threshold", keys.threshold},
                                {"groupPublicKey", crypto::to_hex(keys.group_public_key)},
                                {"shares", std::move(shares)}};
  return json::serialize(json::object{{"caCert", (dir / "ca" / "ca.crt").string()},
                                      {"pseudonymisation", std::move(pseudonymisation)},
                                      {"nodes", std::move(list)}}) +
         "\n";
}

std::vector<DemoNode> read_demo_json(const fs::path& dir) {
  std::ifstream in(dir / "demo.json");
  std::stringstream s;
  s << in.rdbuf();
  json::value v = json::parse(s.str());
  std::vector<DemoNode> nodes;
  for (const auto& item : v.at("nodes").as_array()) {
    DemoNode n;
    n.org = std::string(item.at("org").as_string());
    n.dir = std::string(item.at("dir").as_string());
    std::string api(item.at("api").as_string());
    n.api_port = static_cast<std::uint16_t>(std::stoi(api.substr(api.rfind(':') + 1)));
    nodes.push_back(std::move(n));
  }
  return nodes;
}

bool healthy(const fs::path& ca, std::uint16_t port) {
  try {
    net::ClientOptions options;
    options.trust_anchors_pem = net::read_text_file(ca);
    options.timeout = std::chrono::seconds(2);
    net::HttpsClient client("127.0.0.1", port, std::move(options));
    return client.request("GET", "/healthz").status == 200;
  } catch (const std::exception&) {
    return false;
  }
}

// Running, and not a zombie left unreaped by an init that does not reap (as in
// some containers): kill(pid, 0) alone would call a zombie alive.
bool alive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close = content.rfind(')');
  return close == std::string::npos || close + 2 >= content.size() || content[close + 2] != 'Z';
}

pid_t read_pid(const fs::path& file) {
  std::ifstream in(file);
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

pid_t spawn_node(const fs::path& self, const DemoNode& node) {
  fs::path out = node.dir / "logs" / "serve.out";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);  // survives the shell that ran demo up
  std::string exe = self.string(), dir = node.dir.string(), log = (node.dir / "logs" / "node.log").string();
  std::vector<char*> argv = {exe.data(), const_cast<char*>("serve"), const_cast<char*>("--dir"), dir.data(),
                             const_cast<char*>("--log-file"), log.data(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, exe.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("cannot start " + node.org + ": " + std::strerror(rc));
  return pid;
}

}  // namespace

std::vector<DemoNode> demo_partners() {
  std::vector<DemoNode> nodes = {
      {"gemeente-aalsmeer", "municipality", "00000001002220647000", "Gemeente Aalsmeer", false, {}, 0, 0, {}, {}},
      {"nla", "labour_inspectorate", "00000001003214345000", "Nederlandse Arbeidsinspectie", false, {}, 0, 0, {}, {}},
      {"snf", "housing_certifier", "00000003273491530000", "Stichting Normering Flexwonen", false, {}, 0, 0, {}, {}},
      {"riec-amsterdam", "riec", "00000001823288444000", "RIEC Amsterdam-Amstelland", false, {}, 0, 0, {}, {}},
  };
  nodes[0].areas = {"GM0358"};  // Aalsmeer
  nodes[0].municipality = "GM0358";
  nodes[3].areas = policies::Areas::builtin().region("amsterdam-amstelland");
  for (auto& holder : demo_share_holders()) nodes.push_back(std::move(holder));
  return nodes;
}

std::vector<DemoNode> national_demo_partners() {
  auto nodes = demo_partners();
  DemoNode westland{"gemeente-westland", "municipality", "00000001001783000000", "Gemeente Westland", false, {}, 0, 0, {}, {}};
  westland.areas = {"GM1783"};
  westland.municipality = "GM1783";
  DemoNode riec{"riec-den-haag", "riec", "00000001823288445000", "RIEC Haaglanden", false, {}, 0, 0, {}, {}};
  riec.areas = policies::Areas::builtin().region("den-haag");
  nodes.push_back(std::move(westland));
  nodes.push_back(std::move(riec));
  return nodes;
}

std::vector<DemoNode> demo_share_holders(std::size_t n) {
  // Operated by parties that are not partners and receive nothing; the OINs
  // are made up for the demo.
  const std::vector<DemoNode> all = {
      {"pa-een", "pseudonymisation_authority", "00000009000000000001", "Pseudonimiseringsdienst 1", true, {}, 0, 0, {}, {}},
      {"pa-twee", "pseudonymisation_authority", "00000009000000000002", "Pseudonimiseringsdienst 2", true, {}, 0, 0, {}, {}},
      {"pa-drie", "pseudonymisation_authority", "00000009000000000003", "Pseudonimiseringsdienst 3", true, {}, 0, 0, {}, {}},
  };
  if (n < 1 || n > all.size()) throw std::invalid_argument("the demo has 1 to 3 share holders");
  return {all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n)};
}

void create_ca(const fs::path& ca_dir, const std::string& name) {
  fs::create_directories(ca_dir);
  fs::permissions(ca_dir, fs::perms::owner_all, fs::perm_options::replace);
  crypto::CertificateSpec spec{name, "signalnode demo", "", {}, {}, 3650, true};
  auto ca = crypto::issue_certificate(spec);
  crypto::write_file_atomically(ca_dir / "ca.crt", ca.certificate_pem);
  crypto::write_secret_file(ca_dir / "ca.key", ca.private_key_pem.view());
}

void issue_node_certificates(const fs::path& ca_dir, const DemoNode& node) {
  std::string ca_cert = net::read_text_file(ca_dir / "ca.crt");
  auto ca_key = crypto::read_secret_file(ca_dir / "ca.key");
  crypto::CertificateSpec spec{node.org, node.name, node.oin, {"localhost"}, {"127.0.0.1"}, 825, false};
  auto fed = crypto::issue_certificate(spec, ca_cert, ca_key.chars());
  replace_file(node.dir / "tls" / "federation.crt", fed.certificate_pem, false);
  replace_file(node.dir / "tls" / "federation.key", fed.private_key_pem.chars(), true);
  replace_file(node.dir / "tls" / "federation-ca.crt", ca_cert, false);
  spec.common_name = node.org + " API";
  auto api = crypto::issue_certificate(spec, ca_cert, ca_key.chars());
  replace_file(node.dir / "tls" / "api.crt", api.certificate_pem, false);
  replace_file(node.dir / "tls" / "api.key", api.private_key_pem.chars(), true);
}

std::vector<DemoNode> create_demo_federation(const fs::path& dir, std::uint16_t base_port, std::vector<DemoNode> nodes,
                                             bool with_users, std::size_t pa_threshold) {
  if (fs::exists(dir / "demo.json")) throw std::runtime_error(dir.string() + " holds a demo already");
  fs::create_directories(dir);
  create_ca(dir / "ca", "signalnode demo federation CA");
  std::size_t holders = 0;
  for (const auto& n : nodes) holders += n.pseudonymisation_authority ? 1 : 0;
  if (holders == 0) throw std::invalid_argument("a federation needs at least one pseudonymisation authority");
  // The key ceremony, as the PA operators would run it offline: shares go to
  // the holders' key folders, the whole key is never written.
  const fs::path ceremony = dir / "pa-ceremony";
  auto keys = pseudonyms::run_key_ceremony(ceremony, std::min(pa_threshold, holders), holders, 1);
  std::size_t next_holder = 0;

  federation::Manifest manifest;
  manifest.name = "signalnode demo federation";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    DemoNode& n = nodes[i];
    n.dir = fs::absolute(dir / n.org);
    if (base_port != 0) {
      n.api_port = static_cast<std::uint16_t>(base_port + 2 * i);
      n.federation_port = static_cast<std::uint16_t>(base_port + 2 * i + 1);
    }
    config::NodeConfig cfg;
    cfg.org = n.org;
    cfg.role = n.role;
    cfg.oin = n.oin;
    cfg.municipality = n.municipality;
    cfg.pseudonymisation_authority = n.pseudonymisation_authority;
    cfg.api.port = n.api_port;
    cfg.federation.enabled = true;
    cfg.federation.port = n.federation_port;
    config::NodePaths paths{n.dir};
    config::init_node(paths, cfg);
    issue_node_certificates(dir / "ca", n);

    std::optional<crypto::threshold::PublicShare> share;
    if (n.pseudonymisation_authority) {
      // The holder's share replaces the whole key `init` made.
      share = keys.shares.at(next_holder++);
      const int index = share->index;
      for (const auto& f : fs::directory_iterator(paths.oprf_keys())) fs::remove(f.path());
      auto secret = crypto::read_secret_file(pseudonyms::share_file(ceremony, index, 1), 2 + crypto::oprf::kScalarBytes);
      crypto::write_secret_file(paths.oprf_keys() / pseudonyms::share_file(ceremony, index, 1).filename(), secret.view());
      fs::remove(pseudonyms::share_file(ceremony, index, 1));
    }
    federation::Partner p;
    p.org = n.org;
    p.name = n.name;
    p.role = n.role;
    p.oin = n.oin;
    p.host = "127.0.0.1";
    p.port = n.federation_port;
    p.read_api = "https://127.0.0.1:" + std::to_string(n.api_port) + "/api/v1/ldv/processing-activities";
    p.certificate_sha256 = crypto::certificate_fingerprint(net::read_text_file(n.dir / "tls" / "federation.crt"));
    p.signing_key = crypto::SigningKey::from_secret(crypto::read_secret_file(paths.signing_key(), 64).view()).public_key();
    p.pseudonymisation_authority = n.pseudonymisation_authority;
    p.areas = n.areas;
    std::sort(p.areas.begin(), p.areas.end());
    p.send_only = n.send_only;
    p.share = share;
    manifest.partners.push_back(std::move(p));

    storage::Store store(paths.database(), storage::node_migrations());
    auth::TokenStore tokens(store);
    for (const char* role : kRoles) {
      n.tokens[role] = tokens.create(*auth::role_from_string(role), std::string("demo ") + role, std::nullopt, now_ms());
    }
    if (with_users && !n.pseudonymisation_authority) {
      auth::UserStore users(store);
      for (const char* role : kRoles) {
        std::string username = role == std::string("privacy_officer") ? "privacy" : role;
        std::string password = "demo-" + crypto::random_hex_id(8);
        users.create(username, *auth::role_from_string(role), password, now_ms(), "demo up");
        // Fictitious colleagues, so contact requests have someone to name.
        users.set_contact(username, {demo_person(n.org, role), "020 555 01 0" + std::to_string(n.users.size()),
                                     username + "@" + n.org + ".demo.invalid"});
        n.users[role] = {username, password};
      }
    }
  }
  manifest.pseudonymisation = keys;
  std::string manifest_text = federation::manifest_to_toml(manifest);
  for (const auto& n : nodes) {
    crypto::write_file_atomically(n.dir / "manifest.toml", manifest_text);
    crypto::write_file_atomically(n.dir / "policy.toml", embedded::covenant_toml());
  }
  crypto::write_file_atomically(dir / "demo.json", demo_json(fs::absolute(dir), nodes, keys),
                                fs::perms::owner_read | fs::perms::owner_write);
  return nodes;
}

// BRIEF 3.10: every demo node sends its notifications through the given
// relay (plain SMTP on this machine, no log-in), to each user at once.
void use_demo_relay(const DemoNode& n, const std::string& smtp) {
  const auto colon = smtp.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      std::from_chars(smtp.data() + colon + 1, smtp.data() + smtp.size(), port).ec != std::errc{} || port < 1 ||
      port > 65535) {
    throw std::invalid_argument("--smtp must be HOST:PORT, e.g. 127.0.0.1:2525");
  }
  config::NodePaths paths{n.dir};
  config::NodeConfig cfg = config::load_config(paths);
  config::SmtpConfig relay;
  relay.host = smtp.substr(0, colon);
  relay.port = static_cast<std::uint16_t>(port);
  relay.starttls = false;
  relay.from = "signalnode@" + n.org + ".demo.invalid";
  cfg.notifications.smtp = relay;
  cfg.notifications.default_mode = "immediate";
  cfg.notifications.gather_seconds = 2;
  cfg.notifications.link = "https://127.0.0.1:" + std::to_string(n.api_port) + "/";
  crypto::write_file_atomically(paths.config(), config::config_to_json(cfg));
}

// The demo starts from a signed federation configuration (issue 22): each
// partner organisation has a designated signer (DIR/signers/<org>.key, 0600),
// a majority of them must sign, and version 1 (the manifest and covenant
// every node already holds) is signed by all and in force at every node.
void sign_demo_configuration(const fs::path& dir, const std::vector<DemoNode>& nodes) {
  const fs::path signers_dir = dir / "signers";
  fs::create_directories(signers_dir);
  federation::SignedConfiguration doc;
  doc.version = 1;
  doc.effective_from = federation::format_utc_timestamp(now_ms() / 1000 * 1000);
  doc.effective_from_ms = now_ms() / 1000 * 1000;
  doc.manifest = net::read_text_file(nodes.front().dir / "manifest.toml", federation::kMaxConfigurationBytes);
  doc.covenant = net::read_text_file(nodes.front().dir / "policy.toml", federation::kMaxConfigurationBytes);
  std::vector<crypto::SigningKey> keys;
  for (const auto& n : nodes) {
    if (n.pseudonymisation_authority) continue;
    keys.push_back(crypto::SigningKey::generate());
    crypto::write_secret_file(signers_dir / (n.org + ".key"), keys.back().secret());
    doc.signers.push_back({n.org, keys.back().public_key()});
  }
  doc.threshold = doc.signers.size() / 2 + 1;
  for (const auto& k : keys) federation::sign_configuration(doc, k);
  const std::string text = doc.to_json();
  for (const auto& n : nodes) {
    auto folder = federation::ConfigurationFolder::of_node(n.dir);
    fs::create_directories(folder.dir);
    crypto::write_file_atomically(folder.version_file(1), text);
    crypto::write_file_atomically(folder.applied(), "1\n");
  }
  crypto::write_file_atomically(dir / "federation-configuration-1.json", text);
}

int demo_up(const fs::path& dir_in, std::uint16_t base_port, const fs::path& self_exe, const std::string& smtp) {
  fs::path dir = fs::absolute(dir_in);
  std::vector<DemoNode> nodes;
  if (fs::exists(dir / "demo.json")) {
    nodes = read_demo_json(dir);
  } else {
    nodes = create_demo_federation(dir, base_port, national_demo_partners());
    sign_demo_configuration(dir, nodes);
  }
  if (!smtp.empty()) {
    for (const auto& n : nodes) {
      if (!n.pseudonymisation_authority) use_demo_relay(n, smtp);
    }
  }
  for (const auto& n : nodes) {
    fs::path pid_file = n.dir / "signalnode.pid";
    if (fs::exists(pid_file) && alive(read_pid(pid_file))) continue;  // already running
    pid_t pid = spawn_node(self_exe, n);
    crypto::write_file_atomically(pid_file, std::to_string(pid) + "\n");
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (const auto& n : nodes) {
    while (!healthy(dir / "ca" / "ca.crt", n.api_port)) {
      if (!alive(read_pid(n.dir / "signalnode.pid")) || std::chrono::steady_clock::now() > deadline) {
        std::cerr << "signalnode: " << n.org << " did not become healthy; see " << (n.dir / "logs").string() << "\n";
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  std::cout << "demo federation up: " << nodes.size() << " nodes; " << (dir / "demo.json").string() << std::endl;
  return 0;
}

int demo_down(const fs::path& dir_in) {
  fs::path dir = fs::absolute(dir_in);
  if (!fs::exists(dir / "demo.json")) {
    std::cerr << "signalnode: no demo in " << dir.string() << "\n";
    return 1;
  }
  int stopped = 0;
  for (const auto& n : read_demo_json(dir)) {
    fs::path pid_file = n.dir / "signalnode.pid";
    pid_t pid = fs::exists(pid_file) ? read_pid(pid_file) : 0;
    if (alive(pid)) {
      ::kill(pid, SIGTERM);
      for (int i = 0; i < 100 && alive(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (alive(pid)) ::kill(pid, SIGKILL);
      ++stopped;
    }
    fs::remove(pid_file);
  }
  std::cout << "demo federation down: " << stopped << " nodes stopped" << std::endl;
  return 0;
}

}  // namespace signalnode::node::app
