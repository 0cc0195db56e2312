// Second factors of web accounts (issue 21): TOTP (totp.hpp) with recovery
// codes (recovery_codes.hpp), and passkeys (webauthn.hpp). Admins and
// privacy officers must have one; other roles when the node says so
// (node.json auth.secondFactorForAll). A TOTP key is sealed at rest under a
// key derived from the data key, with the username as associated data, and
// wiped from memory after use; it is never logged or shown again after
// enrolment. Recovery codes are kept as BLAKE2b hashes under another derived
// key. Enrolment, removal and every refused code or passkey are audited.
//
// The functions taking a Database run inside the caller's transaction (the
// log-in and step-up of UserStore); the others write their own.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/aead.hpp"
#include "crypto/keyed_hash.hpp"
#include "node/auth/roles.hpp"
#include "node/auth/webauthn.hpp"
#include "node/storage/store.hpp"

namespace signalnode::node::auth {

struct FactorSettings {
  bool for_all = false;                 // every role needs a factor, not only admins and privacy officers
  std::int64_t step_up_ms = 5 * 60'000;  // how long a proof lets a session do sensitive things
  RelyingParty rp;
  std::string issuer = "signalnode";    // shown in authenticator apps
};

inline constexpr std::int64_t kChallengeMs = 2 * 60'000;   // a WebAuthn challenge lives this long
inline constexpr std::int64_t kLoginTicketMs = 5 * 60'000;  // between password and second factor
inline constexpr int kLoginTicketFailures = 5;             // wrong codes before the ticket is gone

struct PasskeyInfo {
  std::string id;  // base64url credential id
  std::string name;
  std::int64_t created_at_ms = 0;
  std::int64_t last_used_ms = 0;  // 0: never
};

struct FactorSummary {
  bool totp = false;
  int recovery_codes_left = 0;
  std::vector<PasskeyInfo> passkeys;
  bool required = false;
  bool any() const { return totp || !passkeys.empty(); }
};

// A factor operation the caller cannot do now: says why (Dutch / English).
struct FactorError : std::runtime_error {
  enum class Kind { conflict, not_found, invalid };
  FactorError(Kind k, const std::string& what) : std::runtime_error(what), kind(k) {}
  Kind kind;
};

// What a browser sends back from navigator.credentials.create/get (decoded).
struct PasskeyResponse {
  std::string id;  // base64url
  crypto::Bytes client_data_json;
  crypto::Bytes attestation_object;  // registration
  crypto::Bytes authenticator_data;  // assertion
  crypto::Bytes signature;           // assertion
  crypto::Bytes user_handle;         // assertion, may be empty
};

// A code typed by a person: a TOTP code or a recovery code.
enum class CodeOutcome { ok, wrong, reused };
struct CodeCheck {
  CodeOutcome outcome = CodeOutcome::wrong;
  std::string method;  // "totp" or "recovery_code"
};

class SecondFactors {
 public:
  SecondFactors(storage::Store& store, const crypto::AeadKey& data_key, FactorSettings settings);

  const FactorSettings& settings() const { return settings_; }
  // The addresses the web is served at, once the listener's port is known
  // (before it answers).
  void set_origins(std::vector<std::string> origins) { settings_.rp.origins = std::move(origins); }
  // Whether an account of this role must have a factor.
  bool required_for(Role role) const { return settings_.for_all || role == Role::admin || role == Role::privacy_officer; }

  // ---- inside the caller's transaction
  static bool has_factor(storage::Database& db, const std::string& username);
  // A TOTP code (never one of an accepted step again) or an unused recovery
  // code (then used up).
  CodeCheck check_code(storage::Database& db, const std::string& username, std::string_view code,
                       std::int64_t now_ms) const;
  // A passkey assertion answering a challenge of `purpose` ("login" or
  // "step_up"). `username` empty: whoever owns the passkey (sign-in with a
  // passkey alone), filled in on success.
  WebAuthnCheck check_passkey(storage::Database& db, std::string_view purpose, std::string& username,
                              const PasskeyResponse& response, std::int64_t now_ms) const;
  // A fresh challenge (base64url) for `username` ("" for any) and `purpose`.
  static std::string new_challenge(storage::Database& db, const std::string& username, std::string_view purpose,
                                   std::int64_t now_ms);
  // The base64url ids of an account's passkeys.
  static std::vector<std::string> passkey_ids(storage::Database& db, const std::string& username);
  // The WebAuthn user handle of an account (random, made on first use).
  static crypto::Bytes user_handle(storage::Database& db, const std::string& username);

  // ---- their own transactions
  FactorSummary summary(const std::string& username, Role role) const;
  // Starts TOTP enrolment: a new key (replacing an unconfirmed one). Throws
  // FactorError(conflict) when TOTP is already on. Returns the base32 key and
  // the otpauth URI, shown once.
  std::pair<std::string, std::string> begin_totp(const std::string& username, std::int64_t now_ms);
  // Confirms enrolment with a first code. Returns the recovery codes when this
  // is the account's first factor (empty otherwise); the session that did it
  // may now do everything. Throws FactorError(invalid) on a wrong code.
  std::vector<std::string> confirm_totp(const std::string& username, std::string_view code,
                                        crypto::ByteView session_hash, std::int64_t now_ms);
  // Registers a passkey answering a "register" challenge; same return and
  // errors as confirm_totp.
  std::vector<std::string> register_passkey(const std::string& username, const std::string& name,
                                            const PasskeyResponse& response, crypto::ByteView session_hash,
                                            std::int64_t now_ms);
  // Removes a factor; refused (conflict) when the role needs a factor and it
  // is the last one. `by`: who ("user:<name>" for oneself, or an admin).
  void remove_totp(const std::string& username, Role role, std::int64_t now_ms, const std::string& by);
  void remove_passkey(const std::string& username, Role role, const std::string& id, std::int64_t now_ms,
                      const std::string& by);
  // An admin clears every factor of someone who lost them; their sessions end,
  // and their next log-in asks them to enrol again when the role needs it.
  bool reset(const std::string& username, std::int64_t now_ms, const std::string& by);
  std::vector<std::string> renew_recovery_codes(const std::string& username, std::int64_t now_ms);

 private:
  crypto::Bytes seal_key(const std::string& username, crypto::ByteView key) const;
  std::optional<crypto::SecretBytes> open_key(const std::string& username, crypto::ByteView sealed) const;
  crypto::LookupKey code_hash(const std::string& username, std::string_view normalised) const;
  // New recovery codes kept as keyed hashes, in the caller's transaction, audited.
  void store_recovery_codes(storage::Database& db, const std::string& username, const std::vector<std::string>& codes,
                            std::int64_t now_ms) const;
  std::vector<std::string> first_factor_done(storage::Database& db, const std::string& username,
                                             crypto::ByteView session_hash, std::int64_t now_ms) const;

  storage::Store& store_;
  crypto::SubKey seal_key_;
  crypto::SubKey code_key_;
  FactorSettings settings_;
};

}  // namespace signalnode::node::auth
