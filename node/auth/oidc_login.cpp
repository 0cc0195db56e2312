#include "node/auth/oidc_login.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "node/audit/audit_log.hpp"
#include "node/auth/base64url.hpp"
#include "node/auth/login_steps.hpp"
#include "node/auth/oidc_http.hpp"
#include "policies/policy.hpp"

namespace signalnode::node::auth {
namespace json = boost::json;
using detail::audit_login;
using detail::token_hash;

namespace {

constexpr std::string_view kNoKey = "no key of the provider matches the ID token";
// The password hash of an account that signs in through its provider: not an
// argon2id string, so no password ever verifies against it.
constexpr std::string_view kNoPassword = "!oidc";

HttpsCall call_of(const OidcSettings& s) {
  return HttpsCall{s.ca_file, s.connect_timeout_seconds, s.timeout_seconds, kMaxOidcDocumentBytes};
}

// A short, printable excerpt of what the provider said, for the audit log.
std::string excerpt(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 64)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return out;
}

bool valid_username(std::string_view u) {
  return u.size() >= 3 && u.size() <= 64 && std::all_of(u.begin(), u.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
         });
}

bool claim_holds(const json::value& v, std::string_view value) {
  if (v.is_string()) return v.get_string() == value;
  if (v.is_array()) {
    for (const auto& item : v.get_array()) {
      if (item.is_string() && item.get_string() == value) return true;
    }
  }
  return false;
}

}  // namespace

std::string_view to_page_word(OidcRefusal refusal) {
  switch (refusal) {
    case OidcRefusal::none: return "";
    case OidcRefusal::unreachable: return "onbereikbaar";
    case OidcRefusal::expired: return "verlopen";
    case OidcRefusal::cancelled: return "afgebroken";
    case OidcRefusal::refused: return "geweigerd";
    case OidcRefusal::no_access: return "geen-toegang";
    case OidcRefusal::busy: return "te-vaak";
  }
  return "geweigerd";
}

std::optional<OidcMapping> OidcLogin::map_claims(const json::object& claims, const std::vector<OidcMapping>& mappings) {
  for (const auto& m : mappings) {
    const json::value* v = claims.if_contains(m.claim);
    if (v && claim_holds(*v, m.value)) return m;
  }
  return std::nullopt;
}

OidcLogin::Provider OidcLogin::provider() {
  std::lock_guard lock(mutex_);
  if (provider_) return *provider_;
  std::string why;
  const std::string url = settings_.issuer + (settings_.issuer.ends_with("/") ? "" : "/") +
                          ".well-known/openid-configuration";
  auto answer = https_get(call_of(settings_), url, why);
  if (!answer) throw ProviderUnreachable("discovery: " + why);
  if (answer->status != 200) throw ProviderUnreachable("discovery: HTTP " + std::to_string(answer->status));
  auto metadata = parse_discovery(answer->body, settings_.issuer);
  if (!metadata) throw ProviderUnreachable("discovery: the document is not valid for this issuer");
  auto keys_answer = https_get(call_of(settings_), metadata->jwks_uri, why);
  if (!keys_answer) throw ProviderUnreachable("key set: " + why);
  if (keys_answer->status != 200) throw ProviderUnreachable("key set: HTTP " + std::to_string(keys_answer->status));
  auto keys = parse_jwks(keys_answer->body);
  if (!keys) throw ProviderUnreachable("key set: the document is not a valid JWKS");
  provider_ = Provider{std::move(*metadata), std::move(*keys), 0};
  return *provider_;
}

std::vector<JsonWebKey> OidcLogin::refresh_keys(std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (!provider_) return {};
  if (now_ms - provider_->keys_fetched_ms < kJwksRefreshMinMs) return provider_->keys;
  provider_->keys_fetched_ms = now_ms;
  std::string why;
  auto answer = https_get(call_of(settings_), provider_->metadata.jwks_uri, why);
  if (answer && answer->status == 200) {
    if (auto keys = parse_jwks(answer->body)) provider_->keys = std::move(*keys);
  }
  return provider_->keys;
}

// Only the algorithms node.json allows (never none or HS*: oidc_token.hpp
// knows no others).
std::vector<JsonWebKey> OidcLogin::allowed(std::vector<JsonWebKey> keys) const {
  for (auto& k : keys) {
    std::erase_if(k.algorithms, [this](SignatureAlgorithm a) {
      return std::find(settings_.algorithms.begin(), settings_.algorithms.end(), a) == settings_.algorithms.end();
    });
  }
  std::erase_if(keys, [](const JsonWebKey& k) { return k.algorithms.empty(); });
  return keys;
}

OidcStart OidcLogin::begin(std::int64_t now_ms) {
  const Provider p = provider();
  const std::string state = crypto::random_hex_id(32);
  const std::string nonce = crypto::random_hex_id(32);
  const std::string verifier = crypto::random_hex_id(32);  // 64 characters, RFC 7636 allows 43 to 128
  OidcStart start;
  start.browser_binding = crypto::random_hex_id(32);
  store_.write([&](storage::Database& db) {
    db.cached("DELETE FROM oidc_states WHERE expires_at_ms < ?").bind(1, now_ms - kOidcStateMs).run();
    db.cached("INSERT INTO oidc_states (state_hash, binding_hash, nonce, code_verifier, created_at_ms, expires_at_ms) "
              "VALUES (?,?,?,?,?,?)")
        .bind_blob(1, token_hash(state))
        .bind_blob(2, token_hash(start.browser_binding))
        .bind(3, std::string_view(nonce))
        .bind(4, std::string_view(verifier))
        .bind(5, now_ms)
        .bind(6, now_ms + kOidcStateMs)
        .run();
  });
  std::string scope;
  for (const auto& s : settings_.scopes) scope += (scope.empty() ? "" : " ") + s;
  const std::string& base = p.metadata.authorization_endpoint;
  start.authorization_url = base + (base.find('?') == std::string::npos ? "?" : "&") +
                            "response_type=code&client_id=" + percent_encode(settings_.client_id) +
                            "&redirect_uri=" + percent_encode(settings_.redirect_uri) + "&scope=" + percent_encode(scope) +
                            "&state=" + state + "&nonce=" + nonce + "&code_challenge=" + pkce_s256(verifier) +
                            "&code_challenge_method=S256";
  return start;
}

OidcResult OidcLogin::refuse(OidcRefusal why, std::string reason, const std::string& subject, const std::string& client,
                             std::int64_t now_ms) {
  store_.write([&](storage::Database& db) {
    audit_login(db, audit::events::kLoginFailed, "rejected", subject.empty() ? "(oidc)" : "oidc:" + subject, client,
                now_ms, reason, "oidc");
  });
  OidcResult r;
  r.refusal = why;
  r.reason = std::move(reason);
  return r;
}

OidcResult OidcLogin::finish(const OidcFinishInput& in, std::int64_t now_ms) {
  if (in.state.empty() || in.state.size() > 128) {
    return refuse(OidcRefusal::expired, "the callback carries no valid state", {}, in.client, now_ms);
  }
  // The state is taken once, whatever follows: a second use is a replay.
  struct Pending {
    crypto::Bytes binding_hash;
    std::string nonce, verifier;
    std::int64_t expires = 0;
    bool used = false;
  };
  std::optional<Pending> pending;
  store_.write([&](storage::Database& db) {
    auto st = db.cached(
        "SELECT binding_hash, nonce, code_verifier, expires_at_ms, used_at_ms IS NOT NULL FROM oidc_states "
        "WHERE state_hash = ?");
    st.bind_blob(1, token_hash(in.state));
    if (st.step()) {
      auto v = st.blob_view(0);
      pending = Pending{crypto::Bytes(v.begin(), v.end()), st.text(1), st.text(2), st.int64(3), st.int64(4) != 0};
    }
    st.reset();
    if (pending && !pending->used) {
      // Used now; the verifier is not needed after this request.
      db.cached("UPDATE oidc_states SET used_at_ms = ?, code_verifier = '' WHERE state_hash = ?")
          .bind(1, now_ms)
          .bind_blob(2, token_hash(in.state))
          .run();
    }
  });
  if (!pending) return refuse(OidcRefusal::expired, "the state is unknown", {}, in.client, now_ms);
  if (pending->used) return refuse(OidcRefusal::expired, "the state was used before (replay)", {}, in.client, now_ms);
  if (pending->expires < now_ms) return refuse(OidcRefusal::expired, "the state has expired", {}, in.client, now_ms);
  const auto binding = token_hash(in.browser_binding);
  if (in.browser_binding.empty() || !crypto::equal_constant_time(binding, pending->binding_hash)) {
    return refuse(OidcRefusal::expired, "the callback came to another browser than the one that started it", {},
                  in.client, now_ms);
  }
  if (!in.iss.empty() && in.iss != settings_.issuer) {
    // RFC 9207: the answer comes from another provider (a mix-up attack).
    return refuse(OidcRefusal::refused, "the authorization response names another issuer", {}, in.client, now_ms);
  }
  if (!in.error.empty()) {
    return refuse(OidcRefusal::cancelled, "the provider answered error=" + excerpt(in.error), {}, in.client, now_ms);
  }
  if (in.code.empty() || in.code.size() > 2048) {
    return refuse(OidcRefusal::refused, "the callback carries no valid code", {}, in.client, now_ms);
  }
  Provider p;
  try {
    p = provider();
  } catch (const ProviderUnreachable& e) {
    return refuse(OidcRefusal::unreachable, e.what(), {}, in.client, now_ms);
  }
  const std::string form = "grant_type=authorization_code&code=" + percent_encode(in.code) +
                           "&redirect_uri=" + percent_encode(settings_.redirect_uri) +
                           "&code_verifier=" + percent_encode(pending->verifier);
  std::string why;
  auto answer = https_post_form(call_of(settings_), p.metadata.token_endpoint, form, settings_.client_id,
                                settings_.client_secret.chars(), why);
  if (!answer) return refuse(OidcRefusal::unreachable, "token request: " + why, {}, in.client, now_ms);
  boost::system::error_code ec;
  json::value body = json::parse(answer->body, ec);
  if (answer->status != 200) {
    std::string error;
    if (!ec && body.is_object()) {
      if (const auto* e = body.as_object().if_contains("error"); e && e->is_string()) error = excerpt(e->get_string());
    }
    return refuse(OidcRefusal::refused,
                  "the token endpoint refused the code (HTTP " + std::to_string(answer->status) +
                      (error.empty() ? "" : ", " + error) + ")",
                  {}, in.client, now_ms);
  }
  const json::value* id_token = !ec && body.is_object() ? body.as_object().if_contains("id_token") : nullptr;
  if (!id_token || !id_token->is_string()) {
    return refuse(OidcRefusal::refused, "the token response carries no ID token", {}, in.client, now_ms);
  }
  const std::string jwt(id_token->get_string());
  IdTokenExpectations expected{settings_.issuer, settings_.client_id, pending->nonce, now_ms};
  IdTokenCheck check = verify_id_token(jwt, allowed(p.keys), expected);
  if (!check.ok && check.reason == kNoKey) {
    // The provider may have rolled its keys since they were fetched.
    check = verify_id_token(jwt, allowed(refresh_keys(now_ms)), expected);
  }
  if (!check.ok) return refuse(OidcRefusal::refused, check.reason, {}, in.client, now_ms);
  auto mapped = map_claims(check.claims, settings_.mappings);
  if (!mapped) {
    return refuse(OidcRefusal::no_access, "the person's groups and claims map to no role on this node", check.subject,
                  in.client, now_ms);
  }
  std::string preferred;
  if (const auto* pu = check.claims.if_contains("preferred_username"); pu && pu->is_string()) {
    preferred = std::string(pu->get_string());
    std::transform(preferred.begin(), preferred.end(), preferred.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  }
  OidcResult r;
  r.refusal = OidcRefusal::none;
  r.team = mapped->team;
  r.session = users_.sign_in_linked(settings_.issuer, check.subject, preferred, mapped->role, mapped->team, in.client,
                                    now_ms, r.username);
  return r;
}

std::optional<std::string> OidcLogin::end_session_url(const std::string& username) {
  if (!users_.linked_issuer(username)) return std::nullopt;
  std::string endpoint;
  {
    std::lock_guard lock(mutex_);
    if (provider_) endpoint = provider_->metadata.end_session_endpoint;
  }
  if (endpoint.empty()) return std::nullopt;
  std::string url = endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&") +
                    "client_id=" + percent_encode(settings_.client_id);
  if (!settings_.post_logout_redirect_uri.empty()) {
    url += "&post_logout_redirect_uri=" + percent_encode(settings_.post_logout_redirect_uri);
  }
  return url;
}

// The account side (users.hpp); here, beside the flow it belongs to.
Session UserStore::sign_in_linked(const std::string& issuer, const std::string& subject, const std::string& preferred,
                                  Role role, const std::string& team, const std::string& client, std::int64_t now_ms,
                                  std::string& username) {
  Session session;
  store_.write([&](storage::Database& db) {
    username.clear();
    {
      auto st = db.cached("SELECT username FROM oidc_accounts WHERE issuer = ? AND subject = ?");
      st.bind(1, std::string_view(issuer)).bind(2, std::string_view(subject));
      if (st.step()) username = st.text(0);
    }
    if (username.empty()) {
      auto free = [&db](const std::string& name) {
        auto st = db.cached("SELECT 1 FROM users WHERE username = ?");
        st.bind(1, std::string_view(name));
        return !st.step();
      };
      if (valid_username(preferred) && free(preferred)) {
        username = preferred;
      } else {
        const auto digest = crypto::sha256(crypto::as_bytes(issuer + "\n" + subject));
        username = "oidc-" + crypto::to_hex(crypto::ByteView(digest).first(6));
      }
      db.cached("INSERT INTO users (username, role, password_hash, created_at_ms, team) VALUES (?,?,?,?,?)")
          .bind(1, std::string_view(username))
          .bind(2, to_string(role))
          .bind(3, kNoPassword)
          .bind(4, now_ms)
          .bind(5, std::string_view(team))
          .run();
      db.cached("INSERT INTO oidc_accounts (issuer, subject, username, linked_at_ms) VALUES (?,?,?,?)")
          .bind(1, std::string_view(issuer))
          .bind(2, std::string_view(subject))
          .bind(3, std::string_view(username))
          .bind(4, now_ms)
          .run();
      audit::Event e;
      e.name = audit::events::kUserCreated;
      e.start_ms = e.end_ms = now_ms;
      e.attributes = {{"username", username}, {"role", to_string(role)}, {"by", "oidc"}, {"issuer", issuer}};
      if (!team.empty()) e.attributes["team"] = team;
      audit::AuditLog::append(db, e);
    } else {
      // The provider's groups decide the role and team at every sign-in.
      db.cached("UPDATE users SET role = ?, team = ? WHERE username = ?")
          .bind(1, to_string(role))
          .bind(2, std::string_view(team))
          .bind(3, std::string_view(username))
          .run();
    }
    // The provider proved who this is (and, where its policy says so, with
    // more than one factor): no enrolment of a local factor is asked.
    session = open_session(db, username, role, client, now_ms, false, "oidc");
  });
  return session;
}

bool UserStore::set_team(const std::string& username, const std::string& team, std::int64_t now_ms,
                         const std::string& by) {
  if (!team.empty() && !policies::is_team_name(team)) {
    throw UserError("team", "must be empty (the whole organisation) or 2 to 64 characters of a-z, 0-9 and '-'");
  }
  if (linked_issuer(username)) {
    throw UserError("team", "follows the groups at the identity provider for an account that signs in there");
  }
  bool known = false;
  store_.write([&](storage::Database& db) {
    db.cached("UPDATE users SET team = ? WHERE username = ?")
        .bind(1, std::string_view(team))
        .bind(2, std::string_view(username))
        .run();
    known = db.changes() > 0;
    if (!known) return;
    audit::Event e;
    e.name = audit::events::kTeamSet;
    e.start_ms = e.end_ms = now_ms;
    e.attributes = {{"username", username}, {"team", team}, {"by", by}};
    audit::AuditLog::append(db, e);
  });
  return known;
}

std::optional<std::string> UserStore::linked_issuer(const std::string& username) const {
  return store_.read([&](storage::Database& db) -> std::optional<std::string> {
    auto st = db.cached("SELECT issuer FROM oidc_accounts WHERE username = ?");
    st.bind(1, std::string_view(username));
    if (st.step()) return st.text(0);
    return std::nullopt;
  });
}

}  // namespace signalnode::node::auth
