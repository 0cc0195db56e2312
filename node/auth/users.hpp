// People who log in to the web interface (issue 8): a username, one role, a
// password stored as an argon2id string (libsodium crypto_pwhash_str). Wrong
// passwords make the next attempt wait, per account and per address
// (login_throttle.hpp), never lock anyone out or end a session; every login,
// failed login and throttle is in the audit log (never the password). An
// admin can clear a wait (unlock) or set a new password (reset, which ends the
// account's sessions); both are audited. A session is a random
// 256-bit cookie value the node keeps only as SHA-256, with its own CSRF token;
// it ends after 30 idle minutes, 8 hours at most, or at logout.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "node/auth/login_throttle.hpp"
#include "node/auth/second_factors.hpp"
#include "node/auth/tokens.hpp"
#include "node/storage/store.hpp"

namespace signalnode::node::auth {

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
  std::int64_t wait_until_ms = 0;  // wrong passwords: no log-in is checked before this
  bool second_factor = false;      // a TOTP app or passkey is set up
  std::string team;                // '' : the whole organisation
  bool linked = false;             // signs in through the organisation's identity provider
};

// How colleagues at partners reach a person: what a contact card (a contact
// request's requester, an approved contact request's officer) is made of.
struct ContactDetails {
  std::string name;   // as colleagues address them, e.g. "J. de Vries"
  std::string phone;  // digits, spaces, + - ( ) only
  std::string email;
};

struct Session {
  std::string token;  // the cookie value; set only by login
  std::string csrf_token;
  Principal principal;
  // The last proof of who is there (log-in, step-up): sensitive actions need
  // a recent one (SecondFactors settings step_up_ms).
  std::int64_t proof_at_ms = 0;
  // A role that needs a second factor, logged in without one: this session
  // may only enrol one (issue 21).
  bool must_enrol = false;
  // When the session ends however active its user is (kSessionMaxMs after the
  // log-in): the web warns before, so nobody is logged out mid-sentence.
  std::int64_t ends_at_ms = 0;
};

// `throttled`: too many wrong passwords for this name or from this address;
// nothing was checked, try again at wait_until_ms. Known and unknown names
// get it alike.
// `second_factor`: the password was right and the account has a second
// factor; no session yet, `ticket` leads to the second step.
enum class LoginOutcome { ok, bad_credentials, throttled, second_factor };
enum class ChangeOutcome { ok, bad_current, throttled };

struct LoginResult {
  LoginOutcome outcome = LoginOutcome::bad_credentials;
  std::optional<Session> session;
  std::int64_t wait_until_ms = 0;  // throttled, and after a wrong password: the next attempt's earliest time
  std::string ticket;               // second_factor: shown to the browser for the second step
  std::vector<std::string> methods;  // second_factor: "totp", "passkey", "recovery_code"
  std::string reason;               // bad_credentials in a second step: why (English)
};

// A second proof for a sensitive action: a code (TOTP or recovery code), a
// passkey, or (an account without a second factor) the password.
struct StepUpProof {
  std::string code;
  std::string password;
  std::optional<PasskeyResponse> passkey;
};
enum class StepUpOutcome { ok, wrong, throttled, no_session };
struct StepUpResult {
  StepUpOutcome outcome = StepUpOutcome::wrong;
  std::int64_t wait_until_ms = 0;
  std::string reason;
};

struct ChangeResult {
  ChangeOutcome outcome = ChangeOutcome::bad_current;
  std::int64_t wait_until_ms = 0;
};

class UserStore {
 public:
  // `address_rule`: the wait per client address; nullopt: none (a node behind
  // a reverse proxy, where every client has the proxy's address).
  explicit UserStore(storage::Store& store, std::optional<ThrottleRule> address_rule = kAddressRule)
      : store_(store), address_rule_(address_rule) {}

  // Username: 3..64 of [a-z0-9._-]; password: 12..256 bytes. Throws UserError.
  void create(const std::string& username, Role role, std::string_view password, std::int64_t now_ms,
              const std::string& by);
  [[nodiscard]] std::vector<UserInfo> list(std::int64_t now_ms) const;
  // Ends the account and all its sessions at once (someone left); audited.
  // False when there is no such account.
  [[nodiscard]] bool remove(const std::string& username, std::int64_t now_ms, const std::string& by);

  // Checks the password (argon2id, also for unknown users so timing tells
  // nothing) unless the name or address must wait; counts failures, audits;
  // `client` is the remote address.
  [[nodiscard]] LoginResult login(const std::string& username, std::string_view password, const std::string& client,
                    std::int64_t now_ms);
  // Second factors (issue 21): without them every log-in is by password only.
  void use_second_factors(const SecondFactors* factors) { factors_ = factors; }
  const SecondFactors* second_factors() const { return factors_; }
  // The second step of a log-in: the ticket from login() and a TOTP or
  // recovery code. Wrong codes count as wrong passwords (the same waits);
  // five end the ticket. Audited; a session only on success.
  [[nodiscard]] LoginResult finish_with_code(std::string_view ticket, std::string_view code, const std::string& client,
                                             std::int64_t now_ms);
  // A challenge for a passkey log-in: after the password (`ticket`, then
  // `allow` gets the account's passkeys) or alone (`ticket` empty: any
  // passkey of this node). nullopt: the ticket is unknown or expired.
  [[nodiscard]] std::optional<std::string> passkey_challenge(std::string_view ticket, const std::string& client,
                                                             std::int64_t now_ms, std::vector<std::string>& allow);
  [[nodiscard]] LoginResult finish_with_passkey(std::string_view ticket, const PasskeyResponse& response,
                                                const std::string& client, std::int64_t now_ms);
  // Step-up: the session proves its factor (or, without one, its password)
  // again; its proof time becomes now. Wrong proofs count as wrong passwords.
  [[nodiscard]] StepUpResult step_up(std::string_view session_token, const StepUpProof& proof, const std::string& client,
                                     std::int64_t now_ms);
  // A passkey challenge for a step-up of this session's account; nullopt
  // without a session.
  [[nodiscard]] std::optional<std::string> step_up_challenge(std::string_view session_token, std::int64_t now_ms,
                                                             std::vector<std::string>& allow);
  // The session behind a cookie value, or nullopt (unknown, idle, too old).
  [[nodiscard]] std::optional<Session> session(std::string_view token, std::int64_t now_ms) const;
  void logout(std::string_view token, std::int64_t now_ms);
  // A user sets a new password, proving the current one (wrong ones count as
  // wrong log-ins). Ends the account's other sessions; audited. Throws
  // UserError("newPassword", ...) when the new one breaks the rules.
  [[nodiscard]] ChangeResult change_password(const std::string& username, std::string_view keep_session,
                                             std::string_view current, std::string_view next, const std::string& client,
                                             std::int64_t now_ms);
  // An admin clears the wait of an account; audited. False when there is no
  // such account (nothing is written then).
  [[nodiscard]] bool unlock(const std::string& username, std::int64_t now_ms, const std::string& by);
  // An admin clears the wait of a client address (an office behind one NAT
  // address); audited. False when it had none.
  [[nodiscard]] bool unlock_address(const std::string& client, std::int64_t now_ms, const std::string& by);
  // An admin sets a new password for someone who forgot theirs: every session
  // of the account ends, its wait is cleared; audited. False when there is no
  // such account. Throws UserError("password", ...) when it breaks the rules.
  [[nodiscard]] bool reset_password(const std::string& username, std::string_view password, std::int64_t now_ms,
                                    const std::string& by);
  // A person's own contact details (nullopt: no such account) and setting
  // them (name up to 200 bytes, phone up to 40 of digits and + - ( ) and
  // spaces, e-mail up to 200 with one @). Throws UserError naming the field.
  [[nodiscard]] std::optional<ContactDetails> contact_of(const std::string& username) const;
  void set_contact(const std::string& username, const ContactDetails& details);

  // Sign-in through the organisation's identity provider (oidc_login.hpp):
  // the account linked to (issuer, subject), made at the first sign-in
  // (named after `preferred` when that is a valid name no one has, else
  // oidc-<12 hex of SHA-256(issuer, subject)>, never taking over a local
  // account), its role and team set to what the provider's claims map to
  // now, and a session (method "oidc"). Such an account has no password.
  // `username` is set to the account's name.
  [[nodiscard]] Session sign_in_linked(const std::string& issuer, const std::string& subject, const std::string& preferred,
                                       Role role, const std::string& team, const std::string& client,
                                       std::int64_t now_ms, std::string& username);
  // An admin puts a local account in a team of the organisation ('' : the
  // whole organisation); audited (team.set). False when there is no such
  // account. Throws UserError("team", ...) for a name that is not a team
  // name, and for an account of the identity provider, whose team follows
  // its groups at every sign-in.
  [[nodiscard]] bool set_team(const std::string& username, const std::string& team, std::int64_t now_ms,
                              const std::string& by);
  // The issuer an account signs in through; nullopt for a local account.
  [[nodiscard]] std::optional<std::string> linked_issuer(const std::string& username) const;

 private:
  // The session a log-in ends with (password alone, or both steps).
  Session open_session(storage::Database& db, const std::string& username, Role role, const std::string& client,
                       std::int64_t now_ms, bool must_enrol, std::string_view method);

  storage::Store& store_;
  std::optional<ThrottleRule> address_rule_;
  const SecondFactors* factors_ = nullptr;
};

}  // namespace signalnode::node::auth
