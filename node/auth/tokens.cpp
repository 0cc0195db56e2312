#include "node/auth/tokens.hpp"

#include <stdexcept>

#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "node/audit/audit_log.hpp"

namespace signalnode::node::auth {

namespace {
constexpr std::string_view kPrefix = "snt_";
constexpr std::size_t kIdHex = 16;
constexpr std::size_t kSecretHex = 64;

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}
}  // namespace

std::string TokenStore::create(Role role, const std::string& label, std::optional<std::int64_t> expires_at_ms,
                               std::int64_t now_ms) {
  if (expires_at_ms && *expires_at_ms <= now_ms) {
    throw std::invalid_argument("a token must expire after it is created");
  }
  std::string id = crypto::random_hex_id(kIdHex / 2);
  std::string secret = crypto::random_hex_id(kSecretHex / 2);
  crypto::Digest256 hash = crypto::sha256(crypto::as_bytes(secret));
  store_.write([&](storage::Database& db) {
    db.cached(
          "INSERT INTO api_tokens (id, secret_hash, role, label, created_at_ms, expires_at_ms) VALUES (?,?,?,?,?,?)")
        .bind(1, std::string_view(id))
        .bind_blob(2, hash)
        .bind(3, to_string(role))
        .bind(4, std::string_view(label))
        .bind(5, now_ms)
        .bind(6, expires_at_ms)
        .run();
    // Who may act on the node is part of the processing record; the label may
    // name a person, so only the token id and role enter the log.
    audit::Event e;
    e.name = audit::events::kTokenCreated;
    e.start_ms = e.end_ms = now_ms;
    e.attributes = {{"tokenId", id}, {"role", to_string(role)}};
    audit::AuditLog::append(db, e);
  });
  std::string token = std::string(kPrefix) + id + "_" + secret;
  crypto::wipe(secret.data(), secret.size());
  return token;
}

bool TokenStore::revoke(const std::string& token_id, std::int64_t now_ms) {
  bool changed = false;
  store_.write([&](storage::Database& db) {
    db.cached("UPDATE api_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL")
        .bind(1, now_ms)
        .bind(2, std::string_view(token_id))
        .run();
    changed = db.changes() > 0;
  });
  return changed;
}

std::vector<TokenInfo> TokenStore::list() const {
  return store_.read([](storage::Database& db) {
    auto st =
        db.cached("SELECT id, role, label, created_at_ms, expires_at_ms, revoked_at_ms FROM api_tokens ORDER BY "
                  "created_at_ms, id");
    std::vector<TokenInfo> out;
    while (st.step()) {
      TokenInfo t;
      t.id = st.text(0);
      t.role = role_from_string(st.text(1)).value_or(Role::officer);
      t.label = st.text(2);
      t.created_at_ms = st.int64(3);
      if (!st.is_null(4)) t.expires_at_ms = st.int64(4);
      if (!st.is_null(5)) t.revoked_at_ms = st.int64(5);
      out.push_back(std::move(t));
    }
    st.reset();
    return out;
  });
}

std::optional<Principal> TokenStore::authenticate(std::string_view token, std::int64_t now_ms) const {
  if (token.size() != kPrefix.size() + kIdHex + 1 + kSecretHex || !token.starts_with(kPrefix) ||
      token[kPrefix.size() + kIdHex] != '_') {
    return std::nullopt;
  }
  std::string_view id = token.substr(kPrefix.size(), kIdHex);
  std::string_view secret = token.substr(kPrefix.size() + kIdHex + 1);
  if (!is_lower_hex(id) || !is_lower_hex(secret)) return std::nullopt;
  crypto::Digest256 presented = crypto::sha256(crypto::as_bytes(secret));

  return store_.read([&](storage::Database& db) -> std::optional<Principal> {
    auto st =
        db.cached("SELECT secret_hash, role, label, expires_at_ms, revoked_at_ms FROM api_tokens WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    auto stored = st.blob(0);
    auto role = role_from_string(st.text(1));
    std::string label = st.text(2);
    bool expired = !st.is_null(3) && st.int64(3) <= now_ms;
    bool revoked = !st.is_null(4);
    st.reset();
    if (!crypto::equal_constant_time(stored, presented) || !role || expired || revoked) return std::nullopt;
    return Principal{std::string(id), *role, std::move(label)};
  });
}

}  // namespace signalnode::node::auth
