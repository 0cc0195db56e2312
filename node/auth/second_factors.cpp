#include "node/auth/second_factors.hpp"

#include <boost/json.hpp>

#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "node/audit/audit_log.hpp"
#include "node/auth/base64url.hpp"
#include "node/auth/factor_reset.hpp"
#include "node/auth/recovery_codes.hpp"
#include "node/auth/totp.hpp"

namespace signalnode::node::auth {

namespace {

void audit_factor(storage::Database& db, audit::EventName name, const char* status, const std::string& username,
                  boost::json::object what, std::int64_t now_ms) {
  audit::Event e;
  e.name = name;
  e.status = status;
  e.start_ms = e.end_ms = now_ms;
  e.attributes = std::move(what);
  e.attributes["username"] = username.substr(0, 64);
  audit::AuditLog::append(db, e);
}

crypto::Digest256 hash_of(std::string_view text) { return crypto::sha256(crypto::as_bytes(text)); }

int count_factors(storage::Database& db, const std::string& username) {
  auto st = db.cached(
      "SELECT (SELECT COUNT(*) FROM totp_factors WHERE username = ?1 AND confirmed_at_ms IS NOT NULL) + "
      "(SELECT COUNT(*) FROM passkeys WHERE username = ?1)");
  st.bind(1, std::string_view(username));
  const int n = st.step() ? static_cast<int>(st.int64(0)) : 0;
  st.reset();
  return n;
}

}  // namespace

SecondFactors::SecondFactors(storage::Store& store, const crypto::AeadKey& data_key, FactorSettings settings)
    : store_(store),
      seal_key_(crypto::derive_subkey(data_key, 21, "sn-totp1")),
      code_key_(crypto::derive_subkey(data_key, 22, "sn-recov")),
      settings_(std::move(settings)) {}

crypto::Bytes SecondFactors::seal_key(const std::string& username, crypto::ByteView key) const {
  return crypto::seal(seal_key_, key, crypto::as_bytes("totp:" + username));
}

std::optional<crypto::SecretBytes> SecondFactors::open_key(const std::string& username, crypto::ByteView sealed) const {
  return crypto::open(seal_key_, sealed, crypto::as_bytes("totp:" + username));
}

crypto::LookupKey SecondFactors::code_hash(const std::string& username, std::string_view normalised) const {
  return crypto::keyed_hash(code_key_, crypto::as_bytes(username + ":" + std::string(normalised)));
}

bool SecondFactors::has_factor(storage::Database& db, const std::string& username) {
  return count_factors(db, username) > 0;
}

void SecondFactors::store_recovery_codes(storage::Database& db, const std::string& username,
                                         const std::vector<std::string>& codes, std::int64_t now_ms) const {
  for (const auto& c : codes) {
    db.cached("INSERT INTO recovery_codes (username, code_hash) VALUES (?,?)")
        .bind(1, std::string_view(username))
        .bind_blob(2, code_hash(username, *normalised_recovery_code(c)))
        .run();
  }
  audit_factor(db, audit::events::kRecoveryCodesCreated, "ok", username, {{"count", codes.size()}}, now_ms);
}

CodeCheck SecondFactors::check_code(storage::Database& db, const std::string& username, std::string_view code,
                                    std::int64_t now_ms) const {
  CodeCheck result;
  if (code.size() > 64) return result;
  if (auto recovery = normalised_recovery_code(code)) {
    result.method = "recovery_code";
    const auto hash = code_hash(username, *recovery);
    auto st = db.cached("SELECT used_at_ms FROM recovery_codes WHERE username = ? AND code_hash = ?");
    st.bind(1, std::string_view(username)).bind_blob(2, hash);
    const bool found = st.step();
    const bool used = found && !st.is_null(0);
    st.reset();
    if (!found) return result;
    if (used) {
      result.outcome = CodeOutcome::reused;
      return result;
    }
    db.cached("UPDATE recovery_codes SET used_at_ms = ? WHERE username = ? AND code_hash = ?")
        .bind(1, now_ms)
        .bind(2, std::string_view(username))
        .bind_blob(3, hash)
        .run();
    result.outcome = CodeOutcome::ok;
    return result;
  }
  result.method = "totp";
  auto st = db.cached("SELECT sealed_secret, last_step FROM totp_factors WHERE username = ? AND confirmed_at_ms IS NOT NULL");
  st.bind(1, std::string_view(username));
  if (!st.step()) {
    st.reset();
    return result;
  }
  const crypto::Bytes sealed = st.blob(0);
  const std::int64_t last_step = st.int64(1);
  st.reset();
  auto key = open_key(username, sealed);
  if (!key) return result;
  if (auto step = match_totp(key->view(), code, now_ms, last_step)) {
    db.cached("UPDATE totp_factors SET last_step = ? WHERE username = ?").bind(1, *step).bind(2, std::string_view(username)).run();
    result.outcome = CodeOutcome::ok;
  } else if (match_totp(key->view(), code, now_ms, -1)) {
    result.outcome = CodeOutcome::reused;  // right code, but its step was taken already
  }
  return result;
}

std::string SecondFactors::new_challenge(storage::Database& db, const std::string& username, std::string_view purpose,
                                         std::int64_t now_ms) {
  db.cached("DELETE FROM webauthn_challenges WHERE expires_at_ms < ?").bind(1, now_ms).run();
  const std::string challenge = to_base64url(crypto::random_bytes(32));
  auto st = db.cached("INSERT INTO webauthn_challenges (challenge_hash, username, purpose, expires_at_ms) VALUES (?,?,?,?)");
  st.bind_blob(1, hash_of(challenge)).bind(3, purpose).bind(4, now_ms + kChallengeMs);
  if (username.empty()) {
    st.bind_null(2);
  } else {
    st.bind(2, std::string_view(username));
  }
  st.run();
  return challenge;
}

std::vector<std::string> SecondFactors::passkey_ids(storage::Database& db, const std::string& username) {
  std::vector<std::string> out;
  auto st = db.cached("SELECT credential_id FROM passkeys WHERE username = ? ORDER BY created_at_ms");
  st.bind(1, std::string_view(username));
  while (st.step()) out.push_back(to_base64url(st.blob(0)));
  return out;
}

crypto::Bytes SecondFactors::user_handle(storage::Database& db, const std::string& username) {
  auto st = db.cached("SELECT user_handle FROM users WHERE username = ?");
  st.bind(1, std::string_view(username));
  crypto::Bytes handle;
  if (st.step() && !st.is_null(0)) handle = st.blob(0);
  st.reset();
  if (handle.empty()) {
    handle = crypto::random_bytes(16);
    db.cached("UPDATE users SET user_handle = ? WHERE username = ?").bind_blob(1, handle).bind(2, std::string_view(username)).run();
  }
  return handle;
}

WebAuthnCheck SecondFactors::check_passkey(storage::Database& db, std::string_view purpose, std::string& username,
                                           const PasskeyResponse& response, std::int64_t now_ms) const {
  auto client = parse_client_data(response.client_data_json);
  if (!client) return {false, "client data is not valid"};
  // The challenge is taken whatever follows: one answer per challenge.
  std::optional<std::string> challenge_user;
  bool challenge_found = false;
  {
    auto st = db.cached(
        "DELETE FROM webauthn_challenges WHERE challenge_hash = ? AND purpose = ? AND expires_at_ms >= ? "
        "RETURNING username");
    st.bind_blob(1, hash_of(client->challenge)).bind(2, purpose).bind(3, now_ms);
    if (st.step()) {
      challenge_found = true;
      if (!st.is_null(0)) challenge_user = st.text(0);
    }
    st.reset();
  }
  if (!challenge_found) return {false, "the challenge is not the one this node issued, or it expired"};
  if (challenge_user && !username.empty() && *challenge_user != username) return {false, "the challenge was issued to someone else"};
  auto id = from_base64url(response.id, kMaxCredentialIdBytes);
  if (!id || id->empty()) return {false, "unknown passkey"};
  auto st = db.cached("SELECT username, public_key, algorithm, sign_count FROM passkeys WHERE credential_id = ?");
  st.bind_blob(1, *id);
  if (!st.step()) {
    st.reset();
    return {false, "unknown passkey"};
  }
  const std::string owner = st.text(0);
  const crypto::Bytes key = st.blob(1);
  const auto algorithm = signature_algorithm_from_cose(st.int64(2));
  const auto stored_count = static_cast<std::uint32_t>(st.int64(3));
  st.reset();
  if (!algorithm) return {false, "unknown passkey"};
  const std::string expected_user = username.empty() ? (challenge_user ? *challenge_user : owner) : username;
  // A passkey-alone log-in names its account from here on, so that a refusal
  // below (a counter that did not grow: a copied passkey?) is logged against
  // the account whose passkey it is.
  if (username.empty()) username = owner;
  if (owner != expected_user) return {false, "the passkey belongs to another account"};
  if (!response.user_handle.empty() && !crypto::equal_constant_time(response.user_handle, user_handle(db, owner))) {
    return {false, "the passkey belongs to another account"};
  }
  std::uint32_t new_count = 0;
  auto check = check_assertion(settings_.rp, client->challenge, response.client_data_json, response.authenticator_data,
                               response.signature, key, *algorithm, stored_count, new_count);
  if (!check.ok) return check;
  db.cached("UPDATE passkeys SET sign_count = ?, last_used_ms = ? WHERE credential_id = ?")
      .bind(1, static_cast<std::int64_t>(new_count))
      .bind(2, now_ms)
      .bind_blob(3, *id)
      .run();
  username = owner;
  return check;
}

FactorSummary SecondFactors::summary(const std::string& username, Role role) const {
  return store_.read([&](storage::Database& db) {
    FactorSummary s;
    s.required = required_for(role);
    {
      auto st = db.cached("SELECT 1 FROM totp_factors WHERE username = ? AND confirmed_at_ms IS NOT NULL");
      st.bind(1, std::string_view(username));
      s.totp = st.step();
      st.reset();
    }
    {
      auto st = db.cached("SELECT COUNT(*) FROM recovery_codes WHERE username = ? AND used_at_ms IS NULL");
      st.bind(1, std::string_view(username));
      s.recovery_codes_left = st.step() ? static_cast<int>(st.int64(0)) : 0;
      st.reset();
    }
    auto st = db.cached("SELECT credential_id, name, created_at_ms, last_used_ms FROM passkeys WHERE username = ? ORDER BY created_at_ms");
    st.bind(1, std::string_view(username));
    while (st.step()) {
      PasskeyInfo p;
      p.id = to_base64url(st.blob(0));
      p.name = st.text(1);
      p.created_at_ms = st.int64(2);
      p.last_used_ms = st.is_null(3) ? 0 : st.int64(3);
      s.passkeys.push_back(std::move(p));
    }
    return s;
  });
}

std::pair<std::string, std::string> SecondFactors::begin_totp(const std::string& username, std::int64_t now_ms) {
  crypto::SecretBytes key(crypto::random_bytes(kTotpKeyBytes));
  std::string secret = base32(key.view());
  const crypto::Bytes sealed = seal_key(username, key.view());
  bool on_already = false;
  store_.write([&](storage::Database& db) {
    auto st = db.cached("SELECT confirmed_at_ms FROM totp_factors WHERE username = ?");
    st.bind(1, std::string_view(username));
    on_already = st.step() && !st.is_null(0);
    st.reset();
    if (on_already) return;
    db.cached("INSERT OR REPLACE INTO totp_factors (username, sealed_secret, confirmed_at_ms, last_step, created_at_ms) "
              "VALUES (?,?,NULL,0,?)")
        .bind(1, std::string_view(username))
        .bind_blob(2, sealed)
        .bind(3, now_ms)
        .run();
  });
  if (on_already) {
    crypto::wipe(secret.data(), secret.size());
    throw FactorError(FactorError::Kind::conflict,
                      "er is al een authenticator-app ingesteld; verwijder die eerst / an authenticator app is set up "
                      "already; remove it first");
  }
  std::string uri = otpauth_uri(settings_.issuer, username, secret);
  return {std::move(secret), std::move(uri)};
}

std::vector<std::string> SecondFactors::first_factor_done(storage::Database& db, const std::string& username,
                                                          crypto::ByteView session_hash, std::int64_t now_ms) const {
  // This session proved the factor just now, and may do everything.
  db.cached("UPDATE sessions SET must_enrol = 0, proof_at_ms = ? WHERE token_hash = ? AND username = ?")
      .bind(1, now_ms)
      .bind_blob(2, session_hash)
      .bind(3, std::string_view(username))
      .run();
  std::vector<std::string> codes;
  auto st = db.cached("SELECT COUNT(*) FROM recovery_codes WHERE username = ?");
  st.bind(1, std::string_view(username));
  const bool has_codes = st.step() && st.int64(0) > 0;
  st.reset();
  if (count_factors(db, username) != 1 || has_codes) return codes;
  codes = make_recovery_codes();
  store_recovery_codes(db, username, codes, now_ms);
  return codes;
}

std::vector<std::string> SecondFactors::confirm_totp(const std::string& username, std::string_view code,
                                                     crypto::ByteView session_hash, std::int64_t now_ms) {
  std::vector<std::string> codes;
  bool ok = false;
  bool pending = false;
  store_.write([&](storage::Database& db) {
    auto st = db.cached("SELECT sealed_secret FROM totp_factors WHERE username = ? AND confirmed_at_ms IS NULL");
    st.bind(1, std::string_view(username));
    pending = st.step();
    const crypto::Bytes sealed = pending ? st.blob(0) : crypto::Bytes{};
    st.reset();
    if (!pending) return;
    auto key = open_key(username, sealed);
    auto step = key ? match_totp(key->view(), code, now_ms, -1) : std::nullopt;
    if (!step) {
      audit_factor(db, audit::events::kSecondFactorFailed, "rejected", username,
                   {{"method", "totp"}, {"reason", "wrong code at enrolment"}}, now_ms);
      return;
    }
    ok = true;
    db.cached("UPDATE totp_factors SET confirmed_at_ms = ?, last_step = ? WHERE username = ?")
        .bind(1, now_ms)
        .bind(2, *step)
        .bind(3, std::string_view(username))
        .run();
    audit_factor(db, audit::events::kSecondFactorEnrolled, "ok", username, {{"method", "totp"}}, now_ms);
    codes = first_factor_done(db, username, session_hash, now_ms);
  });
  if (!pending) {
    throw FactorError(FactorError::Kind::not_found,
                      "begin eerst met het instellen van een authenticator-app / start setting up an authenticator app first");
  }
  if (!ok) {
    throw FactorError(FactorError::Kind::invalid,
                      "de code klopt niet; kijk of de tijd op uw telefoon goed staat / the code is wrong; check the "
                      "time on your phone");
  }
  return codes;
}

std::vector<std::string> SecondFactors::register_passkey(const std::string& username, const std::string& name,
                                                         const PasskeyResponse& response, crypto::ByteView session_hash,
                                                         std::int64_t now_ms) {
  std::vector<std::string> codes;
  std::string refused;
  store_.write([&](storage::Database& db) {
    auto client = parse_client_data(response.client_data_json);
    bool found = false;
    if (client) {
      auto st = db.cached(
          "DELETE FROM webauthn_challenges WHERE challenge_hash = ? AND purpose = 'register' AND username = ? AND "
          "expires_at_ms >= ? RETURNING 1");
      st.bind_blob(1, hash_of(client->challenge)).bind(2, std::string_view(username)).bind(3, now_ms);
      found = st.step();
      st.reset();
    }
    NewCredential credential;
    WebAuthnCheck check = !client ? WebAuthnCheck{false, "client data is not valid"}
                          : !found ? WebAuthnCheck{false, "the challenge is not the one this node issued, or it expired"}
                                   : check_registration(settings_.rp, client->challenge, response.client_data_json,
                                                        response.attestation_object, credential);
    if (check.ok) {
      auto st = db.cached("SELECT 1 FROM passkeys WHERE credential_id = ?");
      st.bind_blob(1, credential.id);
      if (st.step()) check = {false, "this passkey is registered already"};
      st.reset();
    }
    if (!check.ok) {
      refused = check.reason;
      audit_factor(db, audit::events::kSecondFactorFailed, "rejected", username,
                   {{"method", "passkey"}, {"reason", "registration: " + check.reason}}, now_ms);
      return;
    }
    db.cached("INSERT INTO passkeys (credential_id, username, name, public_key, algorithm, sign_count, created_at_ms) "
              "VALUES (?,?,?,?,?,?,?)")
        .bind_blob(1, credential.id)
        .bind(2, std::string_view(username))
        .bind(3, std::string_view(name))
        .bind_blob(4, credential.public_key_der)
        .bind(5, static_cast<std::int64_t>(credential.algorithm))
        .bind(6, static_cast<std::int64_t>(credential.sign_count))
        .bind(7, now_ms)
        .run();
    audit_factor(db, audit::events::kSecondFactorEnrolled, "ok", username,
                 {{"method", "passkey"}, {"passkey", to_base64url(credential.id).substr(0, 16)}}, now_ms);
    codes = first_factor_done(db, username, session_hash, now_ms);
  });
  if (!refused.empty()) {
    throw FactorError(FactorError::Kind::invalid, "de passkey is niet geaccepteerd / the passkey was refused: " + refused);
  }
  return codes;
}

void SecondFactors::remove_totp(const std::string& username, Role role, std::int64_t now_ms, const std::string& by) {
  bool found = false;
  bool last = false;
  store_.write([&](storage::Database& db) {
    auto st = db.cached("SELECT confirmed_at_ms FROM totp_factors WHERE username = ?");
    st.bind(1, std::string_view(username));
    found = st.step();
    const bool confirmed = found && !st.is_null(0);
    st.reset();
    if (!found) return;
    last = confirmed && required_for(role) && count_factors(db, username) == 1;
    if (last) return;
    db.cached("DELETE FROM totp_factors WHERE username = ?").bind(1, std::string_view(username)).run();
    if (confirmed) audit_factor(db, audit::events::kSecondFactorRemoved, "ok", username, {{"method", "totp"}, {"by", by}}, now_ms);
  });
  if (!found) throw FactorError(FactorError::Kind::not_found, "er is geen authenticator-app ingesteld / no authenticator app is set up");
  if (last) {
    throw FactorError(FactorError::Kind::conflict,
                      "uw rol vraagt een tweede factor: stel eerst een andere in / your role needs a second factor: "
                      "set up another one first");
  }
}

void SecondFactors::remove_passkey(const std::string& username, Role role, const std::string& id, std::int64_t now_ms,
                                   const std::string& by) {
  auto raw = from_base64url(id, kMaxCredentialIdBytes);
  bool found = false;
  bool last = false;
  store_.write([&](storage::Database& db) {
    if (!raw) return;
    auto st = db.cached("SELECT 1 FROM passkeys WHERE credential_id = ? AND username = ?");
    st.bind_blob(1, *raw).bind(2, std::string_view(username));
    found = st.step();
    st.reset();
    if (!found) return;
    last = required_for(role) && count_factors(db, username) == 1;
    if (last) return;
    db.cached("DELETE FROM passkeys WHERE credential_id = ?").bind_blob(1, *raw).run();
    audit_factor(db, audit::events::kSecondFactorRemoved, "ok", username,
                 {{"method", "passkey"}, {"passkey", id.substr(0, 16)}, {"by", by}}, now_ms);
  });
  if (!found) throw FactorError(FactorError::Kind::not_found, "deze passkey bestaat niet (meer) / no such passkey");
  if (last) {
    throw FactorError(FactorError::Kind::conflict,
                      "uw rol vraagt een tweede factor: stel eerst een andere in / your role needs a second factor: "
                      "set up another one first");
  }
}

bool reset_second_factors(storage::Store& store, const std::string& username, std::int64_t now_ms, const std::string& by) {
  bool known = false;
  store.write([&](storage::Database& db) {
    auto st = db.cached("SELECT 1 FROM users WHERE username = ?");
    st.bind(1, std::string_view(username));
    known = st.step();
    st.reset();
    if (!known) return;
    db.cached("DELETE FROM totp_factors WHERE username = ?").bind(1, std::string_view(username)).run();
    db.cached("DELETE FROM passkeys WHERE username = ?").bind(1, std::string_view(username)).run();
    db.cached("DELETE FROM recovery_codes WHERE username = ?").bind(1, std::string_view(username)).run();
    db.cached("DELETE FROM login_pending WHERE username = ?").bind(1, std::string_view(username)).run();
    db.cached("DELETE FROM sessions WHERE username = ?").bind(1, std::string_view(username)).run();
    audit_factor(db, audit::events::kSecondFactorRemoved, "ok", username, {{"method", "all"}, {"by", by}}, now_ms);
  });
  return known;
}

bool SecondFactors::reset(const std::string& username, std::int64_t now_ms, const std::string& by) {
  return reset_second_factors(store_, username, now_ms, by);
}

std::vector<std::string> SecondFactors::renew_recovery_codes(const std::string& username, std::int64_t now_ms) {
  std::vector<std::string> codes = make_recovery_codes();
  bool has = false;
  store_.write([&](storage::Database& db) {
    has = has_factor(db, username);
    if (!has) return;
    db.cached("DELETE FROM recovery_codes WHERE username = ?").bind(1, std::string_view(username)).run();
    store_recovery_codes(db, username, codes, now_ms);
  });
  if (!has) {
    throw FactorError(FactorError::Kind::conflict,
                      "stel eerst een tweede factor in / set up a second factor first");
  }
  return codes;
}

}  // namespace signalnode::node::auth
