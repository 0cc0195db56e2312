// OpenID Connect sign-in (issue 21, the NL GOV assurance profile for OIDC,
// relying-party side): the authorization code flow with PKCE S256 against
// the partner's identity provider, configured in node.json (`auth.oidc`,
// docs/authentication.md).
//
//   begin():  a fresh state, nonce and code verifier (256 bits each) in the
//             oidc_states table (SHA-256 of the state, 10 minutes, usable
//             once), bound to the browser by a second random value that
//             only the browser's cookie carries; the provider's
//             authorization URL to send the person to.
//   finish(): the state taken once (a replay, an unknown or expired state,
//             another browser: refused), the code exchanged at the token
//             endpoint (client_secret_basic), the ID token checked by
//             oidc_token.hpp (signature under an allowed algorithm and a key
//             of the provider, iss, aud, azp, exp, nonce, sub), the groups
//             claim mapped to a role and team, the account found by
//             (issuer, subject) or created, and a session opened as a local
//             log-in does. Every refusal is audited (login.failed, method
//             oidc) and opens nothing.
//
// Discovery and the key set are fetched over HTTPS only (libcurl, peer and
// host verified, no redirects, 5 s to connect, 10 s in all, 64 KiB at most)
// and kept; an ID token whose key id is not in the kept set makes one fresh
// fetch of the key set (at most one every 30 seconds), so the provider can
// roll its keys.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crypto/bytes.hpp"
#include "node/auth/oidc_token.hpp"
#include "node/auth/roles.hpp"
#include "node/auth/users.hpp"
#include "node/storage/store.hpp"

namespace signalnode::node::auth {

inline constexpr std::int64_t kOidcStateMs = 10 * 60'000;
inline constexpr std::int64_t kJwksRefreshMinMs = 30'000;

// One line of the mapping: a person whose `claim` holds `value` (a string,
// or a list containing it) gets `role` and `team` (empty: the whole
// organisation). The first line that matches wins.
struct OidcMapping {
  std::string claim;
  std::string value;
  Role role = Role::officer;
  std::string team;
};

struct OidcSettings {
  std::string issuer;  // https://, exactly as the provider names itself
  std::string client_id;
  crypto::SecretBytes client_secret;
  std::string redirect_uri;              // https://<node>/api/v1/session/oidc/callback
  std::string post_logout_redirect_uri;  // empty: none sent at logout
  std::vector<std::string> scopes{"openid"};
  std::vector<OidcMapping> mappings;
  std::vector<SignatureAlgorithm> algorithms{SignatureAlgorithm::rs256, SignatureAlgorithm::ps256,
                                             SignatureAlgorithm::es256};
  std::string ca_file;  // empty: the system's trusted authorities
  int connect_timeout_seconds = 5;
  int timeout_seconds = 10;
};

// Why a sign-in through the provider was refused, in the groups the log-in
// page explains to the person (each has its own Dutch message).
enum class OidcRefusal {
  none,
  unreachable,   // the provider could not be reached or answered nonsense
  expired,       // state unknown, expired, already used, or from another browser
  cancelled,     // the provider answered with an error (the person cancelled, no consent)
  refused,       // the code was refused at the token endpoint, or the ID token failed a check
  no_access,     // the person's groups map to no role here
  busy,          // too many sign-ins started from this address in a minute
};
// The word the log-in page gets in its address (/?aanmelding=...).
std::string_view to_page_word(OidcRefusal refusal);

struct OidcStart {
  std::string authorization_url;
  std::string browser_binding;  // the value of the short-lived cookie that must come back
};

struct OidcFinishInput {
  std::string state, code, error;  // the callback's query parameters
  std::string iss;                 // RFC 9207: when the provider names itself, it must be ours
  std::string browser_binding;     // the cookie's value
  std::string client;              // remote address
};

struct OidcResult {
  OidcRefusal refusal = OidcRefusal::refused;
  std::string reason;  // English, for the audit log
  std::optional<Session> session;
  std::string username;
  std::string team;
};

struct ProviderUnreachable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class OidcLogin {
 public:
  OidcLogin(storage::Store& store, UserStore& users, OidcSettings settings)
      : store_(store), users_(users), settings_(std::move(settings)) {}

  // Throws ProviderUnreachable when discovery cannot be fetched.
  [[nodiscard]] OidcStart begin(std::int64_t now_ms);
  [[nodiscard]] OidcResult finish(const OidcFinishInput& in, std::int64_t now_ms);
  // Where to send a person who logs out, when `username` signed in through
  // the provider and it offers RP-initiated logout; nullopt otherwise.
  [[nodiscard]] std::optional<std::string> end_session_url(const std::string& username);
  const OidcSettings& settings() const { return settings_; }

  // Pure parts, for tests and the fuzzer: the role and team a set of claims
  // maps to (nullopt: none), and the account name for a new person.
  [[nodiscard]] static std::optional<OidcMapping> map_claims(const boost::json::object& claims,
                                                             const std::vector<OidcMapping>& mappings);

 private:
  struct Provider {
    ProviderMetadata metadata;
    std::vector<JsonWebKey> keys;
    std::int64_t keys_fetched_ms = 0;
  };
  Provider provider();  // fetched on first use; throws ProviderUnreachable
  std::vector<JsonWebKey> refresh_keys(std::int64_t now_ms);
  std::vector<JsonWebKey> allowed(std::vector<JsonWebKey> keys) const;
  OidcResult refuse(OidcRefusal why, std::string reason, const std::string& subject, const std::string& client,
                    std::int64_t now_ms);

  storage::Store& store_;
  UserStore& users_;
  OidcSettings settings_;
  std::mutex mutex_;
  std::optional<Provider> provider_;
};

}  // namespace signalnode::node::auth
