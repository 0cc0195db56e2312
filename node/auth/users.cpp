#include "node/auth/users.hpp"

#include <algorithm>

#include "crypto/password.hpp"
#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "node/audit/audit_log.hpp"

namespace signalnode::node::auth {

namespace {

constexpr std::string_view kSessionPrefix = "sns_";

// A fixed hash to verify against when the user does not exist.
const std::string& dummy_hash() {
  static const std::string h = crypto::hash_password("signalnode-no-such-user");
  return h;
}

void check_username(const std::string& u) {
  bool ok = u.size() >= 3 && u.size() <= 64 && std::all_of(u.begin(), u.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            });
  if (!ok) throw UserError("username", "must be 3 to 64 characters of a-z, 0-9, '.', '_' and '-'");
}

crypto::Digest256 token_hash(std::string_view token) { return crypto::sha256(crypto::as_bytes(token)); }

void audit_login(storage::Database& db, audit::EventName name, const char* status, const std::string& username,
                 const std::string& client, std::int64_t now, const std::string& reason = {}) {
  audit::Event e;
  e.name = name;
  e.status = status;
  e.start_ms = e.end_ms = now;
  e.attributes = {{"username", username.substr(0, 64)}, {"client", client}};
  if (!reason.empty()) e.attributes["reason"] = reason;
  audit::AuditLog::append(db, e);
}

// One more wrong password for the account; the fifth in a row locks it and
// ends its sessions. True when it locked.
bool count_wrong_password(storage::Database& db, const std::string& username, const std::string& client,
                          std::int64_t now_ms) {
  auto st = db.cached(
      "UPDATE users SET failed_logins = failed_logins + 1, locked_until_ms = CASE WHEN failed_logins + 1 >= ? "
      "THEN ? ELSE locked_until_ms END WHERE username = ? RETURNING failed_logins, locked_until_ms");
  st.bind(1, static_cast<std::int64_t>(kMaxFailedLogins)).bind(2, now_ms + kLockoutMs).bind(3, std::string_view(username));
  bool locked = st.step() && !st.is_null(1) && st.int64(1) > now_ms;
  st.reset();
  if (!locked) return false;
  db.cached("UPDATE users SET failed_logins = 0 WHERE username = ?").bind(1, std::string_view(username)).run();
  db.cached("DELETE FROM sessions WHERE username = ?").bind(1, std::string_view(username)).run();
  audit_login(db, audit::events::kAccountLocked, "ok", username, client, now_ms,
              std::to_string(kMaxFailedLogins) + " wrong passwords in a row");
  return true;
}

void check_password_rules(std::string_view password, const char* field) {
  if (password.size() < 12 || password.size() > 256) throw UserError(field, "must be 12 to 256 characters");
}

}  // namespace

void UserStore::create(const std::string& username, Role role, std::string_view password, std::int64_t now_ms,
                       const std::string& by) {
  if (!is_person_role(role)) {
    throw UserError("role", "must be officer, analyst, privacy_officer or admin (metrics is for API tokens only)");
  }
  check_username(username);
  check_password_rules(password, "password");
  std::string hash = crypto::hash_password(password);
  bool exists = false;
  store_.write([&](storage::Database& db) {
    db.cached("INSERT INTO users (username, role, password_hash, created_at_ms) VALUES (?,?,?,?) "
              "ON CONFLICT(username) DO NOTHING")
        .bind(1, std::string_view(username))
        .bind(2, to_string(role))
        .bind(3, std::string_view(hash))
        .bind(4, now_ms)
        .run();
    exists = db.changes() == 0;
    if (exists) return;
    audit::Event e;
    e.name = audit::events::kUserCreated;
    e.start_ms = e.end_ms = now_ms;
    e.attributes = {{"username", username}, {"role", to_string(role)}, {"by", by}};
    audit::AuditLog::append(db, e);
  });
  crypto::wipe(hash.data(), hash.size());
  if (exists) throw UserError("username", "is taken", UserError::Kind::taken);
}

std::vector<UserInfo> UserStore::list(std::int64_t now_ms) const {
  return store_.read([&](storage::Database& db) {
    std::vector<UserInfo> out;
    auto st = db.cached("SELECT username, role, created_at_ms, locked_until_ms FROM users ORDER BY username");
    while (st.step()) {
      UserInfo u;
      u.username = st.text(0);
      u.role = role_from_string(st.text(1)).value_or(Role::officer);
      u.created_at_ms = st.int64(2);
      u.locked = !st.is_null(3) && st.int64(3) > now_ms;
      out.push_back(std::move(u));
    }
    st.reset();
    return out;
  });
}

LoginResult UserStore::login(const std::string& username, std::string_view password, const std::string& client,
                             std::int64_t now_ms) {
  struct Row {
    std::string role, hash;
    std::int64_t failed = 0;
    std::optional<std::int64_t> locked_until;
  };
  auto row = store_.read([&](storage::Database& db) -> std::optional<Row> {
    auto st = db.cached("SELECT role, password_hash, failed_logins, locked_until_ms FROM users WHERE username = ?");
    st.bind(1, std::string_view(username));
    std::optional<Row> r;
    if (st.step()) r = Row{st.text(0), st.text(1), st.int64(2), st.is_null(3) ? std::nullopt : std::optional(st.int64(3))};
    st.reset();
    return r;
  });
  LoginResult result;
  if (row && row->locked_until && *row->locked_until > now_ms) {
    result.outcome = LoginOutcome::locked;
    result.locked_until_ms = *row->locked_until;
    store_.write([&](storage::Database& db) {
      audit_login(db, audit::events::kLoginFailed, "rejected", username, client, now_ms, "account locked");
    });
    return result;
  }
  const std::string& hash = row ? row->hash : dummy_hash();
  bool ok = crypto::verify_password(hash, password) && row.has_value();
  store_.write([&](storage::Database& db) {
    if (!ok) {
      audit_login(db, audit::events::kLoginFailed, "rejected", username, client, now_ms, row ? "wrong password" : "unknown user");
      if (row && count_wrong_password(db, username, client, now_ms)) {
        result.outcome = LoginOutcome::locked;
        result.locked_until_ms = now_ms + kLockoutMs;
      }
      return;
    }
    Session s;
    s.token = std::string(kSessionPrefix) + crypto::random_hex_id(32);
    s.csrf_token = crypto::random_hex_id(16);
    s.principal = {"user:" + username, role_from_string(row->role).value_or(Role::officer), username};
    db.cached("UPDATE users SET failed_logins = 0, locked_until_ms = NULL WHERE username = ?")
        .bind(1, std::string_view(username))
        .run();
    db.cached("DELETE FROM sessions WHERE last_seen_ms < ? OR created_at_ms < ?")
        .bind(1, now_ms - kSessionIdleMs)
        .bind(2, now_ms - kSessionMaxMs)
        .run();
    db.cached("INSERT INTO sessions (token_hash, username, csrf_token, created_at_ms, last_seen_ms) VALUES (?,?,?,?,?)")
        .bind_blob(1, token_hash(s.token))
        .bind(2, std::string_view(username))
        .bind(3, std::string_view(s.csrf_token))
        .bind(4, now_ms)
        .bind(5, now_ms)
        .run();
    audit_login(db, audit::events::kLoginSucceeded, "ok", username, client, now_ms);
    result.outcome = LoginOutcome::ok;
    result.session = std::move(s);
  });
  return result;
}

std::optional<Session> UserStore::session(std::string_view token, std::int64_t now_ms) const {
  if (!token.starts_with(kSessionPrefix) || token.size() != kSessionPrefix.size() + 64) return std::nullopt;
  auto hash = token_hash(token);
  struct Row {
    std::string username, role, csrf;
    std::int64_t created, seen;
  };
  auto row = store_.read([&](storage::Database& db) -> std::optional<Row> {
    auto st = db.cached(
        "SELECT s.username, u.role, s.csrf_token, s.created_at_ms, s.last_seen_ms FROM sessions s "
        "JOIN users u ON u.username = s.username WHERE s.token_hash = ?");
    st.bind_blob(1, hash);
    std::optional<Row> r;
    if (st.step()) r = Row{st.text(0), st.text(1), st.text(2), st.int64(3), st.int64(4)};
    st.reset();
    return r;
  });
  if (!row || row->seen < now_ms - kSessionIdleMs || row->created < now_ms - kSessionMaxMs) return std::nullopt;
  if (now_ms - row->seen > 60'000) {  // sliding idle expiry, written at most once a minute
    store_.write_async(
        [hash, now_ms](storage::Database& db) {
          db.cached("UPDATE sessions SET last_seen_ms = ? WHERE token_hash = ?").bind(1, now_ms).bind_blob(2, hash).run();
        },
        {});
  }
  Session s;
  s.csrf_token = row->csrf;
  s.principal = {"user:" + row->username, role_from_string(row->role).value_or(Role::officer), row->username};
  return s;
}

void UserStore::logout(std::string_view token, std::int64_t now_ms) {
  auto hash = token_hash(token);
  store_.write([&](storage::Database& db) {
    auto st = db.cached("DELETE FROM sessions WHERE token_hash = ? RETURNING username");
    st.bind_blob(1, hash);
    std::optional<std::string> user;
    if (st.step()) user = st.text(0);
    st.reset();
    if (user) audit_login(db, audit::events::kLogout, "ok", *user, "", now_ms);
  });
}

bool UserStore::remove(const std::string& username, std::int64_t now_ms, const std::string& by) {
  bool removed = false;
  store_.write([&](storage::Database& db) {
    db.cached("DELETE FROM sessions WHERE username = ?").bind(1, std::string_view(username)).run();
    db.cached("DELETE FROM users WHERE username = ?").bind(1, std::string_view(username)).run();
    removed = db.changes() > 0;
    if (!removed) return;
    audit::Event e;
    e.name = audit::events::kUserDeleted;
    e.start_ms = e.end_ms = now_ms;
    e.attributes = {{"username", username}, {"by", by}};
    audit::AuditLog::append(db, e);
  });
  return removed;
}

ChangeOutcome UserStore::change_password(const std::string& username, std::string_view keep_session,
                                         std::string_view current, std::string_view next, const std::string& client,
                                         std::int64_t now_ms) {
  check_password_rules(next, "newPassword");
  auto row = store_.read([&](storage::Database& db) -> std::optional<std::pair<std::string, std::optional<std::int64_t>>> {
    auto st = db.cached("SELECT password_hash, locked_until_ms FROM users WHERE username = ?");
    st.bind(1, std::string_view(username));
    std::optional<std::pair<std::string, std::optional<std::int64_t>>> r;
    if (st.step()) r.emplace(st.text(0), st.is_null(1) ? std::nullopt : std::optional(st.int64(1)));
    st.reset();
    return r;
  });
  if (!row) return ChangeOutcome::bad_current;
  if (row->second && *row->second > now_ms) return ChangeOutcome::locked;
  if (!crypto::verify_password(row->first, current)) {
    // The same count as log-ins: the form is no way around the lock-out.
    bool locked = false;
    store_.write([&](storage::Database& db) {
      audit_login(db, audit::events::kPasswordChangeFailed, "rejected", username, client, now_ms, "wrong current password");
      locked = count_wrong_password(db, username, client, now_ms);
    });
    return locked ? ChangeOutcome::locked : ChangeOutcome::bad_current;
  }
  std::string hash = crypto::hash_password(next);
  auto keep = token_hash(keep_session);
  store_.write([&](storage::Database& db) {
    db.cached("UPDATE users SET password_hash = ?, failed_logins = 0 WHERE username = ?")
        .bind(1, std::string_view(hash))
        .bind(2, std::string_view(username))
        .run();
    // Whoever else knew the old password is logged out; this browser stays.
    db.cached("DELETE FROM sessions WHERE username = ? AND token_hash != ?")
        .bind(1, std::string_view(username))
        .bind_blob(2, keep)
        .run();
    audit_login(db, audit::events::kPasswordChanged, "ok", username, client, now_ms);
  });
  crypto::wipe(hash.data(), hash.size());
  return ChangeOutcome::ok;
}

}  // namespace signalnode::node::auth
