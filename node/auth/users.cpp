#include "node/auth/users.hpp"

#include <algorithm>

#include "crypto/password.hpp"
#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "node/audit/audit_log.hpp"
#include "node/auth/login_steps.hpp"
#include "node/auth/login_throttle.hpp"
#include "node/notify/notices.hpp"

namespace signalnode::node::auth {

namespace detail {
crypto::Digest256 token_hash(std::string_view token) { return crypto::sha256(crypto::as_bytes(token)); }

void audit_login(storage::Database& db, audit::EventName name, const char* status, const std::string& username,
                 const std::string& client, std::int64_t now, const std::string& reason, std::string_view method) {
  audit::Event e;
  e.name = name;
  e.status = status;
  e.start_ms = e.end_ms = now;
  e.attributes = {{"username", username.substr(0, 64)}, {"client", client}};
  if (!reason.empty()) e.attributes["reason"] = reason;
  if (!method.empty()) e.attributes["method"] = method;
  audit::AuditLog::append(db, e);
}

// One more wrong password, counted for the name where it was tried
// (login_throttle.hpp) and for the address. A failure that starts a wait is
// audited as login.throttled; the result is the earliest time of the next
// attempt that will be checked.
std::int64_t count_wrong_password(storage::Database& db, const std::string& username, const std::string& client,
                                  const std::optional<ThrottleRule>& address_rule, std::int64_t now_ms) {
  std::int64_t wait_until = 0;
  auto count = [&](const std::string& key, const ThrottleRule& rule, const char* scope) {
    ThrottleState after = count_failure(db, key, rule, now_ms);
    if (after.wait_until_ms <= now_ms) return;
    wait_until = std::max(wait_until, after.wait_until_ms);
    audit::Event e;
    e.name = audit::events::kLoginThrottled;
    e.status = "ok";
    e.start_ms = e.end_ms = now_ms;
    e.attributes = {{"username", username.substr(0, 64)}, {"client", client}, {"scope", scope},
                    {"failures", after.failures}, {"waitSeconds", (after.wait_until_ms - now_ms + 999) / 1000}};
    audit::AuditLog::append(db, e);
    // The admin hears of it once a day per account or address, not per guess.
    notify::Notices::raise_once(db, notify::Topic::login_throttled, notify::Audience::of(notify::Topic::login_throttled),
                                std::string("login:") + scope + ":" + key + ":" + std::to_string(now_ms / 86'400'000),
                                now_ms);
  };
  count(name_key(db, username, client, now_ms), kAccountRule, "account");
  if (!client.empty() && address_rule) count(address_key(client), *address_rule, "address");
  forget_old_throttles(db, now_ms);
  return wait_until;
}

// The earliest time an attempt for this name from this address is checked.
std::int64_t must_wait_until(storage::Database& db, const std::string& username, const std::string& client,
                             const std::optional<ThrottleRule>& address_rule, std::int64_t now_ms) {
  std::int64_t until = throttle_state(db, name_key(db, username, client, now_ms), kAccountRule, now_ms).wait_until_ms;
  if (!client.empty() && address_rule) {
    until = std::max(until, throttle_state(db, address_key(client), *address_rule, now_ms).wait_until_ms);
  }
  return until > now_ms ? until : 0;
}

}  // namespace detail

using detail::audit_login;
using detail::count_wrong_password;
using detail::must_wait_until;
using detail::token_hash;

namespace {

constexpr std::string_view kSessionPrefix = "sns_";
constexpr std::string_view kTicketPrefix = "snl_";

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

std::optional<ContactDetails> UserStore::contact_of(const std::string& username) const {
  return store_.read([&](storage::Database& db) -> std::optional<ContactDetails> {
    auto st = db.cached("SELECT display_name, phone, email FROM users WHERE username = ?");
    st.bind(1, std::string_view(username));
    if (!st.step()) {
      st.reset();
      return std::nullopt;
    }
    ContactDetails d{st.text(0), st.text(1), st.text(2)};
    st.reset();
    return d;
  });
}

void UserStore::set_contact(const std::string& username, const ContactDetails& d) {
  auto printable = [](std::string_view s) {
    return std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
  };
  if (d.name.size() > 200 || !printable(d.name)) throw UserError("name", "naam: hoogstens 200 tekens / name: at most 200 characters");
  if (d.phone.size() > 40 || d.phone.find_first_not_of("0123456789+-() ") != std::string::npos) {
    throw UserError("phone", "telefoon: alleen cijfers, spaties en + - ( ) / phone: digits, spaces and + - ( ) only");
  }
  const auto at = d.email.find('@');
  if (!d.email.empty() && (d.email.size() > 200 || !printable(d.email) || at == std::string::npos || at == 0 ||
                           at + 1 >= d.email.size() || d.email.find('@', at + 1) != std::string::npos ||
                           d.email.find(' ') != std::string::npos)) {
    throw UserError("email", "e-mail: geen geldig adres / email: not an address");
  }
  bool found = false;
  store_.write([&](storage::Database& db) {
    db.cached("UPDATE users SET display_name = ?, phone = ?, email = ? WHERE username = ?")
        .bind(1, std::string_view(d.name))
        .bind(2, std::string_view(d.phone))
        .bind(3, std::string_view(d.email))
        .bind(4, std::string_view(username))
        .run();
    found = db.changes() > 0;
  });
  if (!found) throw UserError("username", "no such account");
}

std::vector<UserInfo> UserStore::list(std::int64_t now_ms) const {
  return store_.read([&](storage::Database& db) {
    std::vector<UserInfo> out;
    auto st = db.cached(
        "SELECT username, role, created_at_ms, team, "
        "EXISTS (SELECT 1 FROM oidc_accounts o WHERE o.username = users.username) FROM users ORDER BY username");
    while (st.step()) {
      UserInfo u;
      u.username = st.text(0);
      u.role = role_from_string(st.text(1)).value_or(Role::officer);
      u.created_at_ms = st.int64(2);
      u.team = st.text(3);
      u.linked = st.int64(4) != 0;
      out.push_back(std::move(u));
    }
    for (auto& u : out) {
      u.wait_until_ms = name_wait_until(db, u.username, now_ms);
      u.second_factor = SecondFactors::has_factor(db, u.username);
    }
    return out;
  });
}

LoginResult UserStore::login(const std::string& username, std::string_view password, const std::string& client,
                             std::int64_t now_ms) {
  struct Row {
    std::string role, hash;
  };
  std::int64_t wait_until = 0;
  auto row = store_.read([&](storage::Database& db) -> std::optional<Row> {
    wait_until = must_wait_until(db, username, client, address_rule_, now_ms);
    auto st = db.cached("SELECT role, password_hash FROM users WHERE username = ?");
    st.bind(1, std::string_view(username));
    std::optional<Row> r;
    if (st.step()) r = Row{st.text(0), st.text(1)};
    return r;
  });
  LoginResult result;
  if (wait_until > 0) {
    // Refused before any password work, the same for every name.
    result.outcome = LoginOutcome::throttled;
    result.wait_until_ms = wait_until;
    store_.write([&](storage::Database& db) {
      audit_login(db, audit::events::kLoginFailed, "rejected", username, client, now_ms,
                  "too many wrong passwords; not checked");
    });
    return result;
  }
  const std::string& hash = row ? row->hash : dummy_hash();
  bool ok = crypto::verify_password(hash, password) && row.has_value();
  store_.write([&](storage::Database& db) {
    if (!ok) {
      audit_login(db, audit::events::kLoginFailed, "rejected", username, client, now_ms, row ? "wrong password" : "unknown user");
      result.wait_until_ms = count_wrong_password(db, username, client, address_rule_, now_ms);
      return;
    }
    const Role role = role_from_string(row->role).value_or(Role::officer);
    if (factors_ && SecondFactors::has_factor(db, username)) {
      // The password was right; the session waits for the second factor.
      result.ticket = std::string(kTicketPrefix) + crypto::random_hex_id(32);
      db.cached("DELETE FROM login_pending WHERE expires_at_ms < ?").bind(1, now_ms).run();
      db.cached("INSERT INTO login_pending (ticket_hash, username, client, expires_at_ms) VALUES (?,?,?,?)")
          .bind_blob(1, token_hash(result.ticket))
          .bind(2, std::string_view(username))
          .bind(3, std::string_view(client))
          .bind(4, now_ms + kLoginTicketMs)
          .run();
      {
        auto st = db.cached("SELECT confirmed_at_ms IS NOT NULL FROM totp_factors WHERE username = ?");
        st.bind(1, std::string_view(username));
        if (st.step() && st.int64(0) != 0) result.methods.emplace_back("totp");
        st.reset();
      }
      if (!SecondFactors::passkey_ids(db, username).empty()) result.methods.emplace_back("passkey");
      result.methods.emplace_back("recovery_code");
      result.outcome = LoginOutcome::second_factor;
      // On record: a right password never followed by its second factor is
      // what a stolen password looks like.
      audit_login(db, audit::events::kLoginPasswordAccepted, "ok", username, client, now_ms, {}, "password");
      return;
    }
    const bool must_enrol = factors_ && factors_->required_for(role);
    result.session = open_session(db, username, role, client, now_ms, must_enrol, "password");
    result.outcome = LoginOutcome::ok;
  });
  return result;
}

Session UserStore::open_session(storage::Database& db, const std::string& username, Role role, const std::string& client,
                                std::int64_t now_ms, bool must_enrol, std::string_view method) {
  Session s;
  s.token = std::string(kSessionPrefix) + crypto::random_hex_id(32);
  s.csrf_token = crypto::random_hex_id(16);
  s.principal = {"user:" + username, role, username};
  s.proof_at_ms = now_ms;
  s.ends_at_ms = now_ms + kSessionMaxMs;
  s.must_enrol = must_enrol;
  // This address is now known for the name: a guesser elsewhere cannot make
  // the owner wait here (login_throttle.hpp). Only once every step is done,
  // so that someone with the password alone does not become "known".
  remember_client(db, username, client, now_ms);
  db.cached("DELETE FROM sessions WHERE last_seen_ms < ? OR created_at_ms < ?")
      .bind(1, now_ms - kSessionIdleMs)
      .bind(2, now_ms - kSessionMaxMs)
      .run();
  db.cached("INSERT INTO sessions (token_hash, username, csrf_token, created_at_ms, last_seen_ms, proof_at_ms, must_enrol) "
            "VALUES (?,?,?,?,?,?,?)")
      .bind_blob(1, token_hash(s.token))
      .bind(2, std::string_view(username))
      .bind(3, std::string_view(s.csrf_token))
      .bind(4, now_ms)
      .bind(5, now_ms)
      .bind(6, now_ms)
      .bind(7, must_enrol ? 1 : 0)
      .run();
  audit_login(db, audit::events::kLoginSucceeded, "ok", username, client, now_ms, {},
              factors_ ? method : std::string_view{});
  return s;
}

std::optional<Session> UserStore::session(std::string_view token, std::int64_t now_ms) const {
  if (!token.starts_with(kSessionPrefix) || token.size() != kSessionPrefix.size() + 64) return std::nullopt;
  auto hash = token_hash(token);
  struct Row {
    std::string username, role, csrf;
    std::int64_t created, seen, proof;
    bool must_enrol;
    std::string team;
  };
  auto row = store_.read([&](storage::Database& db) -> std::optional<Row> {
    auto st = db.cached(
        "SELECT s.username, u.role, s.csrf_token, s.created_at_ms, s.last_seen_ms, s.proof_at_ms, s.must_enrol, u.team "
        "FROM sessions s JOIN users u ON u.username = s.username WHERE s.token_hash = ?");
    st.bind_blob(1, hash);
    std::optional<Row> r;
    if (st.step()) {
      r = Row{st.text(0), st.text(1), st.text(2), st.int64(3), st.int64(4), st.int64(5), st.int64(6) != 0, st.text(7)};
    }
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
  s.principal = {"user:" + row->username, role_from_string(row->role).value_or(Role::officer), row->username, row->team};
  s.proof_at_ms = row->proof;
  s.must_enrol = row->must_enrol;
  s.ends_at_ms = row->created + kSessionMaxMs;
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

ChangeResult UserStore::change_password(const std::string& username, std::string_view keep_session,
                                        std::string_view current, std::string_view next, const std::string& client,
                                        std::int64_t now_ms) {
  check_password_rules(next, "newPassword");
  ChangeResult result;
  auto hash_now = store_.read([&](storage::Database& db) -> std::optional<std::string> {
    result.wait_until_ms = must_wait_until(db, username, client, address_rule_, now_ms);
    auto st = db.cached("SELECT password_hash FROM users WHERE username = ?");
    st.bind(1, std::string_view(username));
    std::optional<std::string> r;
    if (st.step()) r = st.text(0);
    return r;
  });
  if (!hash_now) return result;
  if (result.wait_until_ms > 0) {
    result.outcome = ChangeOutcome::throttled;
    return result;
  }
  if (!crypto::verify_password(*hash_now, current)) {
    // Counted as a wrong log-in: the form is no way around the delays.
    store_.write([&](storage::Database& db) {
      audit_login(db, audit::events::kPasswordChangeFailed, "rejected", username, client, now_ms, "wrong current password");
      result.wait_until_ms = count_wrong_password(db, username, client, address_rule_, now_ms);
    });
    return result;
  }
  std::string hash = crypto::hash_password(next);
  auto keep = token_hash(keep_session);
  store_.write([&](storage::Database& db) {
    db.cached("UPDATE users SET password_hash = ? WHERE username = ?")
        .bind(1, std::string_view(hash))
        .bind(2, std::string_view(username))
        .run();
    remember_client(db, username, client, now_ms);
    // Whoever else knew the old password is logged out; this browser stays.
    db.cached("DELETE FROM sessions WHERE username = ? AND token_hash != ?")
        .bind(1, std::string_view(username))
        .bind_blob(2, keep)
        .run();
    audit_login(db, audit::events::kPasswordChanged, "ok", username, client, now_ms);
  });
  crypto::wipe(hash.data(), hash.size());
  result.outcome = ChangeOutcome::ok;
  return result;
}

namespace {
bool account_exists(storage::Database& db, const std::string& username) {
  auto st = db.cached("SELECT 1 FROM users WHERE username = ?");
  st.bind(1, std::string_view(username));
  return st.step();
}

void audit_admin_action(storage::Database& db, audit::EventName name, boost::json::object what, const std::string& by,
                        std::int64_t now_ms) {
  audit::Event e;
  e.name = name;
  e.status = "ok";
  e.start_ms = e.end_ms = now_ms;
  e.attributes = std::move(what);
  e.attributes["by"] = by;
  audit::AuditLog::append(db, e);
}
}  // namespace

bool UserStore::unlock(const std::string& username, std::int64_t now_ms, const std::string& by) {
  bool known = false;
  store_.write([&](storage::Database& db) {
    known = account_exists(db, username);
    if (!known) return;
    bool had_wait = clear_name(db, username);
    audit_admin_action(db, audit::events::kAccountUnlocked,
                       {{"username", username}, {"scope", "account"}, {"hadWait", had_wait}}, by, now_ms);
  });
  return known;
}

bool UserStore::unlock_address(const std::string& client, std::int64_t now_ms, const std::string& by) {
  bool had_wait = false;
  store_.write([&](storage::Database& db) {
    had_wait = clear_address(db, client);
    if (had_wait) audit_admin_action(db, audit::events::kAccountUnlocked, {{"client", client.substr(0, 64)}, {"scope", "address"}}, by, now_ms);
  });
  return had_wait;
}

bool UserStore::reset_password(const std::string& username, std::string_view password, std::int64_t now_ms,
                               const std::string& by) {
  check_password_rules(password, "password");
  std::string hash = crypto::hash_password(password);
  bool known = false;
  store_.write([&](storage::Database& db) {
    db.cached("UPDATE users SET password_hash = ? WHERE username = ?")
        .bind(1, std::string_view(hash))
        .bind(2, std::string_view(username))
        .run();
    known = db.changes() > 0;
    if (!known) return;
    clear_name(db, username);
    // Whoever held a session under the forgotten (or stolen) password is out.
    db.cached("DELETE FROM sessions WHERE username = ?").bind(1, std::string_view(username)).run();
    const auto ended = db.changes();
    audit_admin_action(db, audit::events::kPasswordReset,
                       {{"username", username}, {"sessionsEnded", ended}}, by, now_ms);
  });
  crypto::wipe(hash.data(), hash.size());
  return known;
}

}  // namespace signalnode::node::auth
