// The second step of a log-in (a code or a passkey after the password, or a
// passkey alone) and step-up for sensitive actions (issue 21). Every refusal
// is audited and leaves no session; wrong codes and proofs count like wrong
// passwords (login_throttle.hpp), so the second step is no way around the
// waits.
#include <boost/json.hpp>

#include "crypto/password.hpp"
#include "node/audit/audit_log.hpp"
#include "node/auth/login_steps.hpp"
#include "node/auth/users.hpp"

namespace signalnode::node::auth {

using detail::audit_login;
using detail::count_wrong_password;
using detail::must_wait_until;
using detail::token_hash;

namespace {

constexpr std::string_view kTicketPrefix = "snl_";

struct Ticket {
  std::string username;
  Role role = Role::officer;
  int failures = 0;
};

// The account a live ticket belongs to, from the address it was given to.
std::optional<Ticket> find_ticket(storage::Database& db, std::string_view ticket, const std::string& client,
                                  std::int64_t now_ms) {
  if (!ticket.starts_with(kTicketPrefix) || ticket.size() != kTicketPrefix.size() + 64) return std::nullopt;
  auto st = db.cached(
      "SELECT p.username, u.role, p.failures, p.client FROM login_pending p JOIN users u ON u.username = p.username "
      "WHERE p.ticket_hash = ? AND p.expires_at_ms >= ?");
  st.bind_blob(1, token_hash(ticket)).bind(2, now_ms);
  std::optional<Ticket> t;
  if (st.step() && st.text(3) == client) {
    t = Ticket{st.text(0), role_from_string(st.text(1)).value_or(Role::officer), static_cast<int>(st.int64(2))};
  }
  st.reset();
  return t;
}

void audit_refused(storage::Database& db, audit::EventName name, const std::string& username, const std::string& client,
                   std::string_view method, const std::string& reason, std::int64_t now_ms) {
  audit::Event e;
  e.name = name;
  e.status = "rejected";
  e.start_ms = e.end_ms = now_ms;
  e.attributes = {{"username", username.substr(0, 64)}, {"client", client}, {"method", method}, {"reason", reason}};
  audit::AuditLog::append(db, e);
}

}  // namespace

LoginResult UserStore::finish_with_code(std::string_view ticket, std::string_view code, const std::string& client,
                                        std::int64_t now_ms) {
  LoginResult result;
  if (!factors_) return result;
  store_.write([&](storage::Database& db) {
    auto t = find_ticket(db, ticket, client, now_ms);
    if (!t) {
      result.reason = "the log-in expired; give your password again";
      audit_refused(db, audit::events::kSecondFactorFailed, "", client, "code", "unknown or expired log-in ticket", now_ms);
      return;
    }
    if (auto until = must_wait_until(db, t->username, client, address_rule_, now_ms); until > 0) {
      result.outcome = LoginOutcome::throttled;
      result.wait_until_ms = until;
      audit_refused(db, audit::events::kSecondFactorFailed, t->username, client, "code", "too many wrong codes; not checked", now_ms);
      return;
    }
    const CodeCheck check = factors_->check_code(db, t->username, code, now_ms);
    if (check.outcome != CodeOutcome::ok) {
      result.reason = check.outcome == CodeOutcome::reused ? "this code was used already; wait for the next one"
                                                           : "the code is wrong";
      audit_refused(db, audit::events::kSecondFactorFailed, t->username, client,
                    check.method.empty() ? std::string_view("code") : std::string_view(check.method), result.reason, now_ms);
      result.wait_until_ms = count_wrong_password(db, t->username, client, address_rule_, now_ms);
      if (t->failures + 1 >= kLoginTicketFailures) {
        db.cached("DELETE FROM login_pending WHERE ticket_hash = ?").bind_blob(1, token_hash(ticket)).run();
        result.reason = "too many wrong codes; give your password again";
      } else {
        db.cached("UPDATE login_pending SET failures = failures + 1 WHERE ticket_hash = ?").bind_blob(1, token_hash(ticket)).run();
      }
      return;
    }
    db.cached("DELETE FROM login_pending WHERE ticket_hash = ?").bind_blob(1, token_hash(ticket)).run();
    result.session = open_session(db, t->username, t->role, client, now_ms, false, check.method);
    result.outcome = LoginOutcome::ok;
  });
  return result;
}

std::optional<std::string> UserStore::passkey_challenge(std::string_view ticket, const std::string& client,
                                                        std::int64_t now_ms, std::vector<std::string>& allow) {
  std::optional<std::string> challenge;
  store_.write([&](storage::Database& db) {
    std::string username;
    if (!ticket.empty()) {
      auto t = find_ticket(db, ticket, client, now_ms);
      if (!t) return;
      username = t->username;
      allow = SecondFactors::passkey_ids(db, username);
    }
    challenge = SecondFactors::new_challenge(db, username, "login", now_ms);
  });
  return challenge;
}

LoginResult UserStore::finish_with_passkey(std::string_view ticket, const PasskeyResponse& response,
                                           const std::string& client, std::int64_t now_ms) {
  LoginResult result;
  if (!factors_) return result;
  store_.write([&](storage::Database& db) {
    std::string username;
    std::optional<Ticket> t;
    if (!ticket.empty()) {
      t = find_ticket(db, ticket, client, now_ms);
      if (!t) {
        result.reason = "the log-in expired; give your password again";
        audit_refused(db, audit::events::kSecondFactorFailed, "", client, "passkey", "unknown or expired log-in ticket", now_ms);
        return;
      }
      username = t->username;
    }
    auto check = factors_->check_passkey(db, "login", username, response, now_ms);
    if (!check.ok) {
      result.reason = check.reason;
      audit_refused(db, audit::events::kSecondFactorFailed, username, client, "passkey", check.reason, now_ms);
      return;
    }
    Role role = Role::officer;
    {
      auto st = db.cached("SELECT role FROM users WHERE username = ?");
      st.bind(1, std::string_view(username));
      if (st.step()) role = role_from_string(st.text(0)).value_or(Role::officer);
      st.reset();
    }
    if (t) db.cached("DELETE FROM login_pending WHERE ticket_hash = ?").bind_blob(1, token_hash(ticket)).run();
    result.session = open_session(db, username, role, client, now_ms, false, "passkey");
    result.outcome = LoginOutcome::ok;
  });
  return result;
}

std::optional<std::string> UserStore::step_up_challenge(std::string_view session_token, std::int64_t now_ms,
                                                        std::vector<std::string>& allow) {
  auto s = session(session_token, now_ms);
  if (!s) return std::nullopt;
  std::string challenge;
  store_.write([&](storage::Database& db) {
    allow = SecondFactors::passkey_ids(db, s->principal.label);
    challenge = SecondFactors::new_challenge(db, s->principal.label, "step_up", now_ms);
  });
  return challenge;
}

StepUpResult UserStore::step_up(std::string_view session_token, const StepUpProof& proof, const std::string& client,
                                std::int64_t now_ms) {
  StepUpResult result;
  auto s = session(session_token, now_ms);
  if (!s) {
    result.outcome = StepUpOutcome::no_session;
    return result;
  }
  const std::string username = s->principal.label;
  bool has_factor = false;
  std::string hash;
  store_.read([&](storage::Database& db) {
    result.wait_until_ms = must_wait_until(db, username, client, address_rule_, now_ms);
    has_factor = factors_ && SecondFactors::has_factor(db, username);
    auto st = db.cached("SELECT password_hash FROM users WHERE username = ?");
    st.bind(1, std::string_view(username));
    if (st.step()) hash = st.text(0);
    st.reset();
  });
  const std::string method = proof.passkey ? "passkey" : !proof.code.empty() ? "code" : "password";
  if (result.wait_until_ms > 0) {
    result.outcome = StepUpOutcome::throttled;
    store_.write([&](storage::Database& db) {
      audit_refused(db, audit::events::kStepUpFailed, username, client, method, "too many wrong proofs; not checked", now_ms);
    });
    return result;
  }
  // An account with a second factor proves that factor; one without, its password.
  bool password_ok = false;
  if (!has_factor && !proof.password.empty()) password_ok = crypto::verify_password(hash, proof.password);
  crypto::wipe(hash.data(), hash.size());
  store_.write([&](storage::Database& db) {
    bool ok = false;
    std::string used = method;
    if (has_factor && proof.passkey) {
      std::string who = username;
      auto check = factors_->check_passkey(db, "step_up", who, *proof.passkey, now_ms);
      ok = check.ok;
      result.reason = check.reason;
    } else if (has_factor && !proof.code.empty()) {
      const CodeCheck check = factors_->check_code(db, username, proof.code, now_ms);
      ok = check.outcome == CodeOutcome::ok;
      used = check.method.empty() ? method : check.method;
      result.reason = check.outcome == CodeOutcome::reused ? "this code was used already; wait for the next one"
                                                           : "the code is wrong";
    } else if (!has_factor) {
      ok = password_ok;
      result.reason = "the password is wrong";
    } else {
      result.reason = "give a code from your authenticator app, a recovery code or your passkey";
    }
    if (!ok) {
      audit_refused(db, audit::events::kStepUpFailed, username, client, used, result.reason, now_ms);
      result.wait_until_ms = count_wrong_password(db, username, client, address_rule_, now_ms);
      return;
    }
    db.cached("UPDATE sessions SET proof_at_ms = ? WHERE token_hash = ?").bind(1, now_ms).bind_blob(2, token_hash(session_token)).run();
    audit::Event e;
    e.name = audit::events::kStepUpSucceeded;
    e.status = "ok";
    e.start_ms = e.end_ms = now_ms;
    e.attributes = {{"username", username}, {"client", client}, {"method", used}};
    audit::AuditLog::append(db, e);
    result.outcome = StepUpOutcome::ok;
    result.reason.clear();
  });
  return result;
}

}  // namespace signalnode::node::auth
