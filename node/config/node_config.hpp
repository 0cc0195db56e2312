// A node's folder and its configuration file (node.json). Paths in the file
// are relative to the folder, so a node folder can be moved or restored whole.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace signalnode::node::config {

struct ApiConfig {
  std::string listen = "127.0.0.1";
  std::uint16_t port = 8443;
  int threads = 2;
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_address = 64;  // behind a reverse proxy: raise it
  int header_timeout_seconds = 10;  // whole request must arrive within this
  int idle_timeout_seconds = 60;    // keep-alive connection with no request
  // On stop (SIGTERM): how long requests being read or handled may take to
  // finish and be answered before the node stops anyway (docs/operations.md).
  int shutdown_grace_seconds = 10;
  // Web log-in attempts per client address (besides the per-account lock-out).
  // Behind a reverse proxy every client has the proxy's address: raise it there.
  int login_attempts_per_minute = 10;
  // Wrong passwords from one client address before its attempts must wait
  // (node/auth/login_throttle.hpp); 0: no wait per address (behind a reverse
  // proxy every client has the proxy's address, and one guesser would make
  // all of them wait). The wait per account holds either way.
  int login_failures_per_address = 20;
};

// The federation listener and this node's identity towards partners. Absent
// until the node joins a federation (then manifest and certificates exist).
struct FederationConfig {
  bool enabled = false;
  std::string listen = "127.0.0.1";
  std::uint16_t port = 8444;
  std::string tls_cert = "tls/federation.crt";  // also the client certificate
  std::string tls_key = "tls/federation.key";
  std::string ca_cert = "tls/federation-ca.crt";  // trust anchors for partners
  std::string manifest = "manifest.toml";
  std::string policy = "policy.toml";  // the covenant, the same at every partner
  int request_timeout_seconds = 30;
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_address = 32;
  // Connections whose certificate is not yet checked (strangers, handshakes
  // under way) may hold at most this many of max_connections.
  std::size_t max_unauthenticated_connections = 64;
  // What one partner may send this node, per minute (a minute's worth may
  // come at once). Far above real volumes: a large region exchanges some
  // thousands of records a day, a few MB.
  std::int64_t receive_bytes_per_minute = 64LL * 1024 * 1024;
  std::int64_t receive_batches_per_minute = 600;
  std::int64_t receive_records_per_minute = 60'000;
};

// Only on the pseudonymisation authority: per-partner evaluation limits.
struct PaConfig {
  double elements_per_second = 5000;
  double burst = 20000;
  // Evaluations per partner per UTC minute and per UTC day (issue 15): over
  // either, batches are refused until the window frees and an alarm is raised.
  // Why these defaults: node/pseudonyms/pa_service.hpp, PaLimits.
  std::int64_t elements_per_minute = 20'000;
  std::int64_t elements_per_day = 500'000;
  // Budgets of named partners, sized from their real volume ("partners":
  // {"gemeente-aalsmeer": {"elementsPerMinute": N, "elementsPerDay": M}}).
  struct PartnerBudget {
    std::int64_t elements_per_minute = 0;
    std::int64_t elements_per_day = 0;
  };
  std::map<std::string, PartnerBudget> partners;
};

// Mail and webhooks (issue 17, docs/notifications.md). Without `smtp` no
// mail is sent: users see what is new on their start page only.
struct SmtpConfig {
  std::string host;
  std::uint16_t port = 587;
  bool starttls = true;        // false only for a demo relay on this machine
  std::string username;        // empty: the relay takes mail without log-in
  std::string password_file;   // 0600, relative to the node folder
  std::string from;            // e.g. signalnode@gemeente-aalsmeer.nl
  std::string ca_file;         // empty: the system's trusted authorities
};

struct WebhookConfig {
  std::string name;
  std::string url;             // https:// (http:// only to this machine)
  std::string secret_file;     // the HMAC key, 0600
  std::string ca_file;
  std::vector<std::string> topics;  // empty: every topic
};

struct NotificationsConfig {
  std::string link;                   // the web address users open; default https://<api listen>:<port>/
  std::string default_mode = "digest";  // immediate | digest | off, until a user chooses
  int digest_hour = 7;                // local time of the daily overview
  int gather_seconds = 60;            // a burst becomes one message
  int outbox_backlog_minutes = 60;    // the admin hears of records older than this
  std::optional<SmtpConfig> smtp;
  std::vector<WebhookConfig> webhooks;
};

// Second factors and step-up for web accounts (issue 21, docs/operations.md).
// Admins and privacy officers always need a second factor; the rest when
// `second_factor_for_all`. Passkeys work for the addresses in
// `webauthn_origins` under `webauthn_rp_id` (a domain name: browsers refuse
// passkeys on an IP address).
// Sign-in through the organisation's identity provider (OpenID Connect,
// docs/authentication.md). Absent: local accounts only.
struct OidcMappingConfig {
  std::string claim;  // default: groups_claim
  std::string value;
  std::string role;
  std::string team;  // empty: the whole organisation
};
struct OidcConfig {
  std::string issuer;
  std::string client_id;
  std::string client_secret_file;  // 0600, relative to the node folder
  std::string redirect_uri;
  std::string post_logout_redirect_uri;
  std::vector<std::string> scopes{"openid", "profile"};
  std::string groups_claim = "groups";
  std::vector<OidcMappingConfig> mappings;
  std::vector<std::string> algorithms{"RS256", "PS256", "ES256"};
  std::string ca_file;  // empty: the system's trusted authorities
  int connect_timeout_seconds = 5;
  int timeout_seconds = 10;
};

struct AuthConfig {
  std::optional<OidcConfig> oidc;
  bool second_factor_for_all = false;
  // How long a proof (log-in with a factor, or a step-up) lets a session
  // withdraw, answer a request, look a subject up or manage accounts.
  int step_up_seconds = 300;
  std::string webauthn_rp_id = "localhost";
  std::vector<std::string> webauthn_origins;  // empty: https://<rpId>:<api port>
};

// Who answers for this node's API (the Design Rules want a name, e-mail
// address and web address in the OpenAPI document's info.contact): the
// operator's service desk, served in /openapi.json (docs/api.md).
struct ContactConfig {
  std::string name, email, url;
};

struct NodeConfig {
  std::string org;   // short id, e.g. gemeente-aalsmeer
  std::string role;  // one of policies::kPartnerRoles, or pseudonymisation_authority
  std::string oin;   // 20 digits
  // The CBS code of the municipality this node serves (a municipality's
  // node): what the report form fills in for its officers.
  std::optional<std::string> municipality;
  bool pseudonymisation_authority = false;
  ApiConfig api;
  PaConfig pa;
  FederationConfig federation;
  // How long the audit log keeps event contents; their hashes stay (default 10 years).
  int audit_retention_days = 3650;
  // A bundle alert: records from this many organisations about one subject within the window.
  int alert_min_organisations = 2;
  int alert_window_days = 180;
  // How long own signals are kept (withdrawn ones included), from submission.
  int signal_retention_days = 730;
  // Lookups of a known identifier (docs/cases.md): per user per local day.
  int lookups_per_user_per_day = 20;
  NotificationsConfig notifications;
  AuthConfig auth;
  std::optional<ContactConfig> contact;
};

// The files of a node folder.
struct NodePaths {
  std::filesystem::path dir;
  std::filesystem::path config() const { return dir / "node.json"; }
  std::filesystem::path database() const { return dir / "signalnode.db"; }
  std::filesystem::path data_key() const { return dir / "keys" / "data.key"; }
  std::filesystem::path signing_key() const { return dir / "keys" / "signing.key"; }
  std::filesystem::path oprf_keys() const { return dir / "keys" / "oprf"; }
  std::filesystem::path api_cert() const { return dir / "tls" / "api.crt"; }
  std::filesystem::path api_key() const { return dir / "tls" / "api.key"; }
  std::filesystem::path log_dir() const { return dir / "logs"; }
  // The newest signed tree head, kept outside the database (docs/audit.md).
  std::filesystem::path audit_head() const { return dir / "audit-head.json"; }
  // A path from node.json, relative to the node folder unless absolute.
  std::filesystem::path resolve(const std::string& p) const {
    std::filesystem::path path(p);
    return path.is_absolute() ? path : dir / path;
  }
};

bool is_valid_org(std::string_view org);
bool is_valid_node_role(std::string_view role);
inline constexpr const char* kNodeRoleHint =
    "must be municipality, labour_inspectorate, housing_certifier, riec, police, tax_authority, chamber_of_commerce, "
    "zvh, trafficking_table or pseudonymisation_authority";
bool is_valid_oin(std::string_view oin);

// Throws std::runtime_error naming the file and the bad field.
NodeConfig load_config(const NodePaths& paths);
std::string config_to_json(const NodeConfig& config);

}  // namespace signalnode::node::config
