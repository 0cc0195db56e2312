// API bearer tokens. A token is "snt_" + 16 hex id + "_" + 64 hex secret (a
// random 256-bit value). The node stores only SHA-256 of the secret, looks the
// row up by the public id and compares hashes in constant time, so neither a
// database reader nor a timing observer learns a usable token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "node/auth/roles.hpp"
#include "node/storage/store.hpp"

namespace signalnode::node::auth {

struct Principal {
  std::string token_id;
  Role role;
  std::string label;
  // A web account's team inside the organisation (issue 21); empty: the
  // whole organisation, and always for API tokens.
  std::string team = {};
};

// The web account behind a principal ("user:<name>"), or "" for an API token.
inline std::string username_of(const Principal& p) {
  return p.token_id.starts_with("user:") ? p.token_id.substr(5) : std::string();
}

struct TokenInfo {
  std::string id;
  Role role;
  std::string label;
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> expires_at_ms;
  std::optional<std::int64_t> revoked_at_ms;
};

class TokenStore {
 public:
  explicit TokenStore(storage::Store& store) : store_(store) {}

  // Longest lifetime `signalnode token create --expires-days` accepts.
  static constexpr int kMaxLifetimeDays = 3650;

  // Returns the full token; it is shown once and never stored. Throws
  // std::invalid_argument when expires_at_ms is not after now_ms: such a token
  // could never be used and only means a caller computed its expiry wrongly.
  [[nodiscard]] std::string create(Role role, const std::string& label, std::optional<std::int64_t> expires_at_ms,
                     std::int64_t now_ms);
  [[nodiscard]] bool revoke(const std::string& token_id, std::int64_t now_ms);
  [[nodiscard]] std::vector<TokenInfo> list() const;

  // The principal for a presented token, or nullopt (unknown, malformed,
  // revoked, expired or wrong secret: all look the same to the caller).
  [[nodiscard]] std::optional<Principal> authenticate(std::string_view token, std::int64_t now_ms) const;

 private:
  storage::Store& store_;
};

}  // namespace signalnode::node::auth
