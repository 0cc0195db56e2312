// People who log in to the web interface (issue 8): a username, one role, a
// password stored as an argon2id string (libsodium crypto_pwhash_str). Five
// wrong passwords lock the account for 15 minutes; every login, failed login
// and lock-out is in the audit log (never the password). A session is a random
// 256-bit cookie value the node keeps only as SHA-256, with its own CSRF token;
// it ends after 30 idle minutes, 8 hours at most, or at logout.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "node/auth/tokens.hpp"
#include "node/storage/store.hpp"

namespace signalnode::node::auth {

inline constexpr int kMaxFailedLogins = 5;
inline constexpr std::int64_t kLockoutMs = 15 * 60'000;
inline constexpr std::int64_t kSessionIdleMs = 30 * 60'000;
inline constexpr std::int64_t kSessionMaxMs = 8 * 3'600'000;

// A username or password that breaks the rules; says which and why, and
// whether it is a conflict with an existing account (callers branch on that,
// never on the message).
struct UserError : std::invalid_argument {
  enum class Kind { invalid, taken };
  UserError(std::string f, const std::string& what, Kind k = Kind::invalid)
      : std::invalid_argument(what), field(std::move(f)), kind(k) {}
  std::string field;
  Kind kind;
};

struct UserInfo {
  std::string username;
  Role role;
  std::int64_t created_at_ms = 0;
  bool locked = false;
};

struct Session {
  std::string token;  // the cookie value; set only by login
  std::string csrf_token;
  Principal principal;
};

enum class LoginOutcome { ok, bad_credentials, locked };
enum class ChangeOutcome { ok, bad_current, locked };

struct LoginResult {
  LoginOutcome outcome = LoginOutcome::bad_credentials;
  std::optional<Session> session;
  std::int64_t locked_until_ms = 0;
};

class UserStore {
 public:
  explicit UserStore(storage::Store& store) : store_(store) {}

  // Username: 3..64 of [a-z0-9._-]; password: 12..256 bytes. Throws UserError.
  void create(const std::string& username, Role role, std::string_view password, std::int64_t now_ms,
              const std::string& by);
  [[nodiscard]] std::vector<UserInfo> list(std::int64_t now_ms) const;
  // Ends the account and all its sessions at once (someone left); audited.
  // False when there is no such account.
  [[nodiscard]] bool remove(const std::string& username, std::int64_t now_ms, const std::string& by);

  // Checks the password (argon2id, also for unknown users so timing tells
  // nothing), counts failures, locks, audits; `client` is the remote address.
  [[nodiscard]] LoginResult login(const std::string& username, std::string_view password, const std::string& client,
                    std::int64_t now_ms);
  // The session behind a cookie value, or nullopt (unknown, idle, too old).
  [[nodiscard]] std::optional<Session> session(std::string_view token, std::int64_t now_ms) const;
  void logout(std::string_view token, std::int64_t now_ms);
  // A user sets a new password, proving the current one (wrong ones count
  // toward the lock-out). Ends the account's other sessions; audited. Throws
  // UserError("newPassword", ...) when the new one breaks the rules.
  [[nodiscard]] ChangeOutcome change_password(const std::string& username, std::string_view keep_session, std::string_view current,
                                std::string_view next, const std::string& client, std::int64_t now_ms);

 private:
  storage::Store& store_;
};

}  // namespace signalnode::node::auth
