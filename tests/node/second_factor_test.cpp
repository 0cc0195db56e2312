// Second factors (issue 21): TOTP against RFC 6238's vectors, its window and
// its refusal of a code used before; recovery codes; the bounded CBOR reader;
// WebAuthn registration and assertion with a software authenticator and
// every refusal the issue lists (origin, challenge, counter, signature, rpId,
// user verification, key confusion); and the log-in and step-up flows of
// UserStore: no session, and an audit event, for each refusal.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "crypto/random.hpp"
#include "node/audit/audit_log.hpp"
#include "node/auth/base64url.hpp"
#include "node/auth/cbor_value.hpp"
#include "node/auth/recovery_codes.hpp"
#include "node/auth/second_factors.hpp"
#include "node/auth/totp.hpp"
#include "node/auth/users.hpp"
#include "node/auth/webauthn.hpp"
#include "node/storage/schema.hpp"
#include "tests/support/soft_authenticator.hpp"
#include "tests/support/temp_dir.hpp"

namespace c = signalnode::crypto;
namespace a = signalnode::node::audit;
namespace au = signalnode::node::auth;
namespace st = signalnode::node::storage;
using signalnode::testing::SoftAuthenticator;

namespace {

constexpr std::int64_t kT0 = 1'790'000'000'000;
const std::string kPassword = "correct horse battery staple";
const std::string kOrigin = "https://signalnode.gemeente-aalsmeer.nl";

c::Bytes bytes(std::string_view s) { return c::Bytes(s.begin(), s.end()); }

// ---------------------------------------------------------------- TOTP
TEST(Totp, MatchesTheRfc6238Sha1Vectors) {
  const auto key = bytes("12345678901234567890");
  const std::pair<std::int64_t, const char*> vectors[] = {{59, "94287082"},         {1111111109, "07081804"},
                                                          {1111111111, "14050471"}, {1234567890, "89005924"},
                                                          {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (auto [t, code] : vectors) {
    EXPECT_EQ(au::hotp_code(key, static_cast<std::uint64_t>(au::totp_step(t * 1000)), 8), code) << t;
  }
  EXPECT_EQ(au::hotp_code(key, 0), "755224");  // RFC 4226 appendix D
}

TEST(Totp, AcceptsOneStepEitherSideOnceAndNeverAgain) {
  const auto key = c::random_bytes(au::kTotpKeyBytes);
  const std::int64_t now = kT0;
  const std::int64_t step = au::totp_step(now);
  const std::string current = au::hotp_code(key, static_cast<std::uint64_t>(step));
  EXPECT_EQ(au::match_totp(key, current, now, 0), step);
  EXPECT_EQ(au::match_totp(key, current.substr(0, 3) + " " + current.substr(3), now, 0), step) << "spaces are fine";
  EXPECT_EQ(au::match_totp(key, current, now, step), std::nullopt) << "the same step twice";
  const std::string previous = au::hotp_code(key, static_cast<std::uint64_t>(step - 1));
  EXPECT_EQ(au::match_totp(key, previous, now, 0), step - 1);
  EXPECT_EQ(au::match_totp(key, previous, now, step), std::nullopt) << "older than one accepted";
  EXPECT_EQ(au::match_totp(key, au::hotp_code(key, static_cast<std::uint64_t>(step + 1)), now, 0), step + 1);
  EXPECT_EQ(au::match_totp(key, au::hotp_code(key, static_cast<std::uint64_t>(step - 2)), now, 0), std::nullopt);
  EXPECT_EQ(au::match_totp(key, au::hotp_code(key, static_cast<std::uint64_t>(step + 2)), now, 0), std::nullopt);
  EXPECT_EQ(au::match_totp(key, "12345", now, 0), std::nullopt);
  EXPECT_EQ(au::match_totp(key, "1234567", now, 0), std::nullopt);
  EXPECT_EQ(au::match_totp(key, "12345a", now, 0), std::nullopt);
}

TEST(Totp, WritesKeysInBase32ForAuthenticatorApps) {
  EXPECT_EQ(au::base32(bytes("foobar")), "MZXW6YTBOI");  // RFC 4648 section 10, unpadded
  EXPECT_EQ(au::otpauth_uri("gemeente-aalsmeer", "ria", "ABC"),
            "otpauth://totp/gemeente-aalsmeer:ria?secret=ABC&issuer=gemeente-aalsmeer&algorithm=SHA1&digits=6&period=30");
}

TEST(Base64Url, RoundTripsAndRefusesWhatIsNotBase64Url) {
  EXPECT_EQ(au::from_base64url(au::to_base64url(c::Bytes{}), 64), c::Bytes{});
  for (std::size_t n = 1; n < 40; ++n) {  // crypto::random_bytes(0) hands libsodium a null pointer
    auto b = c::random_bytes(n);
    EXPECT_EQ(au::from_base64url(au::to_base64url(b), 64), b);
  }
  EXPECT_EQ(au::from_base64url("ab+/", 64), std::nullopt);
  EXPECT_EQ(au::from_base64url("abc=", 64), std::nullopt);
  EXPECT_EQ(au::from_base64url("a", 64), std::nullopt);
  EXPECT_EQ(au::from_base64url(std::string(100, 'A'), 10), std::nullopt) << "bounded before decoding";
}

TEST(RecoveryCodes, TenDistinctCodesWithoutLookAlikes) {
  auto codes = au::make_recovery_codes();
  ASSERT_EQ(codes.size(), 10u);
  for (const auto& code : codes) {
    EXPECT_EQ(code.size(), 11u);
    EXPECT_EQ(code[5], '-');
    EXPECT_EQ(code.find_first_of("01ilo"), std::string::npos) << code;
    EXPECT_TRUE(au::normalised_recovery_code(code));
  }
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(std::unique(codes.begin(), codes.end()), codes.end());
  EXPECT_EQ(au::normalised_recovery_code("ABCDE-FGHJK"), "abcdefghjk");
  EXPECT_EQ(au::normalised_recovery_code("abcde fghjk"), "abcdefghjk");
  EXPECT_EQ(au::normalised_recovery_code("123456"), std::nullopt) << "a TOTP code is no recovery code";
  EXPECT_EQ(au::normalised_recovery_code("abcde-fghj1"), std::nullopt);
}

// ---------------------------------------------------------------- CBOR
TEST(Cbor, ReadsMapsAndRefusesLiesAboutSizes) {
  c::Bytes ok;
  signalnode::testing::cbor_head(ok, 5, 2);
  signalnode::testing::cbor_int(ok, 1);
  signalnode::testing::cbor_int(ok, -7);
  signalnode::testing::cbor_text(ok, "x");
  signalnode::testing::cbor_bytes(ok, bytes("abc"));
  std::size_t used = 0;
  auto v = au::read_cbor(ok, &used);
  ASSERT_TRUE(v);
  EXPECT_EQ(used, ok.size());
  ASSERT_TRUE(v->find(1));
  EXPECT_EQ(v->find(1)->integer, -7);
  EXPECT_EQ(v->find("x")->bytes, bytes("abc"));

  EXPECT_FALSE(au::read_cbor(c::Bytes{0x9a, 0xff, 0xff, 0xff, 0xff})) << "an array of 4 billion items in 5 bytes";
  EXPECT_FALSE(au::read_cbor(c::Bytes{0xbb, 0, 0, 0, 1, 0, 0, 0, 0})) << "a map of 2^32 pairs";
  EXPECT_FALSE(au::read_cbor(c::Bytes{0x5a, 0x7f, 0xff, 0xff, 0xff, 1})) << "a byte string longer than the input";
  EXPECT_FALSE(au::read_cbor(c::Bytes{0x9f, 0x01, 0xff})) << "indefinite length";
  EXPECT_FALSE(au::read_cbor(c::Bytes{0xc1, 0x01})) << "a tag";
  EXPECT_FALSE(au::read_cbor(c::Bytes{0xf9, 0x3c, 0x00})) << "a float";
  c::Bytes deep(20, 0x81);
  deep.push_back(0x01);
  EXPECT_FALSE(au::read_cbor(deep)) << "nested deeper than the limit";
  EXPECT_FALSE(au::read_cbor(c::Bytes{}));
  EXPECT_FALSE(au::read_cbor(c::Bytes{0x82, 0x01})) << "cut short";
}

// ---------------------------------------------------------------- WebAuthn
class WebAuthnCheck : public ::testing::TestWithParam<SoftAuthenticator::Kind> {
 protected:
  void SetUp() override {
    c::init();
    rp_.id = "signalnode.gemeente-aalsmeer.nl";
    rp_.origins = {kOrigin};
    key_ = std::make_unique<SoftAuthenticator>(GetParam());
    key_->rp_id = rp_.id;
    key_->origin = kOrigin;
  }
  au::NewCredential registered() {
    auto [client, att] = key_->create("Y2hhbGxlbmdl");
    au::NewCredential cred;
    auto check = au::check_registration(rp_, "Y2hhbGxlbmdl", client, att, cred);
    EXPECT_TRUE(check.ok) << check.reason;
    return cred;
  }
  au::WebAuthnCheck assert_with(const au::NewCredential& cred, std::uint32_t stored, std::string_view expected = "c2Vjb25k",
                                std::string_view sent = "c2Vjb25k") {
    auto a = key_->get(sent);
    std::uint32_t count = 0;
    return au::check_assertion(rp_, expected, a.client_data_json, a.authenticator_data, a.signature, cred.public_key_der,
                               cred.algorithm, stored, count);
  }
  au::RelyingParty rp_;
  std::unique_ptr<SoftAuthenticator> key_;
};

TEST_P(WebAuthnCheck, RegistersAndSignsIn) {
  auto cred = registered();
  EXPECT_EQ(au::to_base64url(cred.id), key_->id());
  key_->counter = 1;
  auto ok = assert_with(cred, 0);
  EXPECT_TRUE(ok.ok) << ok.reason;
}

TEST_P(WebAuthnCheck, RefusesAWrongOriginChallengeTypeRpIdOrUnverifiedUser) {
  auto cred = registered();
  key_->counter = 5;
  EXPECT_EQ(assert_with(cred, 0, "c2Vjb25k", "b3RoZXI").reason, "the challenge is not the one this node issued");
  key_->origin = "https://signalnode.gemeente-aalsmeer.nl.evil.example";
  EXPECT_EQ(assert_with(cred, 0).reason, "the origin is not an address of this node");
  key_->origin = kOrigin;
  key_->type_override = "webauthn.create";
  EXPECT_EQ(assert_with(cred, 0).reason, "client data type is not webauthn.get");
  key_->type_override.clear();
  key_->rp_id = "evil.example";
  EXPECT_EQ(assert_with(cred, 0).reason, "the passkey belongs to another site (rpId)");
  key_->rp_id = rp_.id;
  key_->flags = 0x01;
  EXPECT_EQ(assert_with(cred, 0).reason, "the user was not verified (PIN or biometrics)");
  key_->flags = 0x04;
  EXPECT_EQ(assert_with(cred, 0).reason, "the user was not present");
  key_->flags = 0x05;
  EXPECT_TRUE(assert_with(cred, 0).ok);
}

TEST_P(WebAuthnCheck, RefusesACounterThatDoesNotGrowAndAForeignSignature) {
  auto cred = registered();
  key_->counter = 7;
  EXPECT_EQ(assert_with(cred, 7).reason, "the signature counter did not grow (a copied passkey?)");
  EXPECT_EQ(assert_with(cred, 9).reason, "the signature counter did not grow (a copied passkey?)");
  EXPECT_TRUE(assert_with(cred, 6).ok);
  SoftAuthenticator other(GetParam());
  other.rp_id = rp_.id;
  other.origin = kOrigin;
  other.counter = 8;
  auto a = other.get("c2Vjb25k");
  std::uint32_t count = 0;
  EXPECT_EQ(au::check_assertion(rp_, "c2Vjb25k", a.client_data_json, a.authenticator_data, a.signature, cred.public_key_der,
                                cred.algorithm, 0, count).reason,
            "the signature does not verify");
  // Key confusion: the stored key under another algorithm never verifies.
  auto own = key_->get("c2Vjb25k");
  const auto wrong = cred.algorithm == au::SignatureAlgorithm::es256 ? au::SignatureAlgorithm::eddsa : au::SignatureAlgorithm::es256;
  EXPECT_FALSE(au::check_assertion(rp_, "c2Vjb25k", own.client_data_json, own.authenticator_data, own.signature,
                                   cred.public_key_der, wrong, 0, count).ok);
  EXPECT_FALSE(au::verify_signature(cred.public_key_der, au::SignatureAlgorithm::rs256, own.authenticator_data, own.signature));
}

TEST_P(WebAuthnCheck, RefusesMalformedRegistrations) {
  au::NewCredential cred;
  auto [client, att] = key_->create("Y2hhbGxlbmdl");
  EXPECT_FALSE(au::check_registration(rp_, "Y2hhbGxlbmdl", client, c::Bytes{0xa0}, cred).ok);
  att.push_back(0x00);
  EXPECT_EQ(au::check_registration(rp_, "Y2hhbGxlbmdl", client, att, cred).reason, "the attestation object is not valid");
  EXPECT_FALSE(au::check_registration(rp_, "Y2hhbGxlbmdl", bytes("{\"type\":1}"), att, cred).ok);
  EXPECT_FALSE(au::check_registration(rp_, "Y2hhbGxlbmdl", c::Bytes(5000, '{'), att, cred).ok);
}

INSTANTIATE_TEST_SUITE_P(Es256AndEd25519, WebAuthnCheck,
                         ::testing::Values(SoftAuthenticator::Kind::es256, SoftAuthenticator::Kind::ed25519));

// ---------------------------------------------------------------- flows
class SecondFactorFlow : public ::testing::Test {
 protected:
  void SetUp() override {
    c::init();
    store_ = std::make_unique<st::Store>(dir_ / "node.db", st::node_migrations());
    au::FactorSettings settings;
    settings.rp.id = "signalnode.gemeente-aalsmeer.nl";
    settings.rp.origins = {kOrigin};
    factors_ = std::make_unique<au::SecondFactors>(*store_, data_key_, settings);
    users_ = std::make_unique<au::UserStore>(*store_);
    users_->use_second_factors(factors_.get());
    users_->create("ria.officer", au::Role::officer, kPassword, kT0, "test");
    users_->create("piet.admin", au::Role::admin, kPassword, kT0, "test");
  }
  void TearDown() override {
    users_.reset();
    factors_.reset();
    store_.reset();
  }
  std::string audit_text() {
    a::AuditLog log(*store_, signing_, [] { return kT0; });
    std::ostringstream out;
    log.export_jsonl(out);
    return out.str();
  }
  static c::Digest256 hash(const std::string& token) { return c::sha256(c::as_bytes(token)); }
  // Enrols TOTP for an account through a session; returns the key and the recovery codes.
  std::pair<c::Bytes, std::vector<std::string>> enrol_totp(const std::string& username, std::int64_t now) {
    auto login = users_->login(username, kPassword, "10.0.0.1", now);
    EXPECT_EQ(login.outcome, au::LoginOutcome::ok);
    auto [secret, uri] = factors_->begin_totp(username, now);
    EXPECT_NE(uri.find("secret=" + secret), std::string::npos);
    // base32 back to bytes, the way an app reads it
    c::Bytes key;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char ch : secret) {
      acc = (acc << 5) | static_cast<std::uint32_t>(ch >= 'A' ? ch - 'A' : ch - '2' + 26);
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        key.push_back(static_cast<std::uint8_t>(acc >> bits));
      }
    }
    auto codes = factors_->confirm_totp(username, au::hotp_code(key, static_cast<std::uint64_t>(au::totp_step(now))),
                                        hash(login.session->token), now);
    return {key, codes};
  }
  std::string code_at(const c::Bytes& key, std::int64_t now) {
    return au::hotp_code(key, static_cast<std::uint64_t>(au::totp_step(now)));
  }

  c::AeadKey data_key_ = c::generate_aead_key();
  c::SigningKey signing_ = c::SigningKey::generate();
  signalnode::testing::TempDir dir_{"sn-2fa-"};
  std::unique_ptr<st::Store> store_;
  std::unique_ptr<au::SecondFactors> factors_;
  std::unique_ptr<au::UserStore> users_;
};

TEST_F(SecondFactorFlow, AnAdminWithoutAFactorGetsASessionThatMayOnlyEnrol) {
  auto login = users_->login("piet.admin", kPassword, "10.0.0.1", kT0);
  ASSERT_EQ(login.outcome, au::LoginOutcome::ok);
  EXPECT_TRUE(login.session->must_enrol);
  auto officer = users_->login("ria.officer", kPassword, "10.0.0.1", kT0);
  EXPECT_FALSE(officer.session->must_enrol) << "officers only when the node says so";
  auto [key, codes] = enrol_totp("piet.admin", kT0 + 1000);
  EXPECT_EQ(codes.size(), 10u) << "recovery codes come with the first factor";
  EXPECT_NE(audit_text().find("second_factor.enrolled"), std::string::npos);
}

TEST_F(SecondFactorFlow, LogInWithTotpNeedsBothStepsAndRefusesWrongAndReusedCodes) {
  auto [key, codes] = enrol_totp("ria.officer", kT0);
  const std::int64_t now = kT0 + 90'000;  // three steps on: the enrolment's code is out of the window
  auto first = users_->login("ria.officer", kPassword, "10.0.0.1", now);
  ASSERT_EQ(first.outcome, au::LoginOutcome::second_factor);
  EXPECT_FALSE(first.session) << "no session after the password alone";
  EXPECT_EQ(first.methods, (std::vector<std::string>{"totp", "recovery_code"}));

  auto wrong = users_->finish_with_code(first.ticket, "000000", "10.0.0.1", now);
  EXPECT_EQ(wrong.outcome, au::LoginOutcome::bad_credentials);
  EXPECT_FALSE(wrong.session);
  EXPECT_EQ(wrong.reason, "the code is wrong");
  EXPECT_EQ(users_->finish_with_code(first.ticket, code_at(key, now), "10.0.0.2", now).outcome,
            au::LoginOutcome::bad_credentials) << "a ticket works only from the address it was given to";
  auto ok = users_->finish_with_code(first.ticket, code_at(key, now), "10.0.0.1", now);
  ASSERT_EQ(ok.outcome, au::LoginOutcome::ok);
  EXPECT_TRUE(ok.session);
  EXPECT_EQ(users_->finish_with_code(first.ticket, code_at(key, now), "10.0.0.1", now).reason,
            "the log-in expired; give your password again") << "a ticket is used once";

  auto second = users_->login("ria.officer", kPassword, "10.0.0.1", now + 1000);
  auto reused = users_->finish_with_code(second.ticket, code_at(key, now), "10.0.0.1", now + 1000);
  EXPECT_EQ(reused.outcome, au::LoginOutcome::bad_credentials);
  EXPECT_EQ(reused.reason, "this code was used already; wait for the next one");
  EXPECT_FALSE(reused.session);
  const std::string log = audit_text();
  EXPECT_NE(log.find("this code was used already"), std::string::npos);
  EXPECT_NE(log.find("\"method\":\"totp\""), std::string::npos);
  EXPECT_EQ(log.find(au::base32(key)), std::string::npos) << "the key is never in the log";
}

TEST_F(SecondFactorFlow, TheTotpKeyIsSealedAtRest) {
  auto [key, codes] = enrol_totp("ria.officer", kT0);
  store_->checkpoint_now();
  std::string file;
  for (const char* name : {"node.db", "node.db-wal"}) {
    std::ifstream in(dir_ / name, std::ios::binary);
    file.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(file.size(), 1000u);
  EXPECT_EQ(file.find(std::string(key.begin(), key.end())), std::string::npos);
  EXPECT_EQ(file.find(au::base32(key)), std::string::npos);
  EXPECT_EQ(file.find(codes[0]), std::string::npos);
}

TEST_F(SecondFactorFlow, ARecoveryCodeWorksOnce) {
  auto [key, codes] = enrol_totp("ria.officer", kT0);
  auto first = users_->login("ria.officer", kPassword, "10.0.0.1", kT0 + 1000);
  EXPECT_EQ(users_->finish_with_code(first.ticket, codes[3], "10.0.0.1", kT0 + 1000).outcome, au::LoginOutcome::ok);
  auto second = users_->login("ria.officer", kPassword, "10.0.0.1", kT0 + 2000);
  auto again = users_->finish_with_code(second.ticket, codes[3], "10.0.0.1", kT0 + 2000);
  EXPECT_EQ(again.outcome, au::LoginOutcome::bad_credentials);
  EXPECT_FALSE(again.session);
  EXPECT_EQ(factors_->summary("ria.officer", au::Role::officer).recovery_codes_left, 9);
}

TEST_F(SecondFactorFlow, FiveWrongCodesEndTheTicket) {
  auto [key, codes] = enrol_totp("ria.officer", kT0);
  auto first = users_->login("ria.officer", kPassword, "10.0.0.1", kT0 + 60'000);
  for (int i = 0; i < 5; ++i) (void)users_->finish_with_code(first.ticket, "11111" + std::to_string(i), "10.0.0.1", kT0 + 60'000);
  auto late = users_->finish_with_code(first.ticket, code_at(key, kT0 + 60'000), "10.0.0.1", kT0 + 60'000);
  EXPECT_NE(late.outcome, au::LoginOutcome::ok);
  EXPECT_FALSE(late.session);
}

TEST_F(SecondFactorFlow, PasskeyRegistrationAndSignInAloneOrAfterThePassword) {
  auto login = users_->login("piet.admin", kPassword, "10.0.0.1", kT0);
  SoftAuthenticator key;
  key.rp_id = "signalnode.gemeente-aalsmeer.nl";
  key.origin = kOrigin;
  std::string challenge;
  store_->write([&](st::Database& db) { challenge = au::SecondFactors::new_challenge(db, "piet.admin", "register", kT0); });
  auto [client, att] = key.create(challenge);
  au::PasskeyResponse reg;
  reg.id = key.id();
  reg.client_data_json = client;
  reg.attestation_object = att;
  auto codes = factors_->register_passkey("piet.admin", "YubiKey", reg, hash(login.session->token), kT0);
  EXPECT_EQ(codes.size(), 10u);
  EXPECT_THROW(factors_->register_passkey("piet.admin", "again", reg, hash(login.session->token), kT0), au::FactorError)
      << "a registration challenge is used once";
  EXPECT_FALSE(users_->session(login.session->token, kT0)->must_enrol) << "enrolled: the session may do everything";

  // A passkey alone.
  std::vector<std::string> allow;
  auto c1 = users_->passkey_challenge("", "10.0.0.1", kT0, allow);
  ASSERT_TRUE(c1);
  EXPECT_TRUE(allow.empty());
  key.counter = 1;
  auto a1 = key.get(*c1);
  au::PasskeyResponse r1{a1.id, a1.client_data_json, {}, a1.authenticator_data, a1.signature, {}};
  auto ok = users_->finish_with_passkey("", r1, "10.0.0.1", kT0);
  ASSERT_EQ(ok.outcome, au::LoginOutcome::ok) << ok.reason;
  EXPECT_EQ(ok.session->principal.label, "piet.admin");
  EXPECT_EQ(users_->finish_with_passkey("", r1, "10.0.0.1", kT0).reason,
            "the challenge is not the one this node issued, or it expired") << "a replayed assertion";

  // After the password, with a counter that went back.
  auto first = users_->login("piet.admin", kPassword, "10.0.0.1", kT0 + 1000);
  ASSERT_EQ(first.outcome, au::LoginOutcome::second_factor);
  EXPECT_EQ(first.methods, (std::vector<std::string>{"passkey", "recovery_code"}));
  auto c2 = users_->passkey_challenge(first.ticket, "10.0.0.1", kT0 + 1000, allow);
  EXPECT_EQ(allow, std::vector<std::string>{key.id()});
  key.counter = 1;
  auto a2 = key.get(*c2);
  auto cloned = users_->finish_with_passkey(first.ticket, {a2.id, a2.client_data_json, {}, a2.authenticator_data, a2.signature, {}},
                                            "10.0.0.1", kT0 + 1000);
  EXPECT_EQ(cloned.reason, "the signature counter did not grow (a copied passkey?)");
  EXPECT_FALSE(cloned.session);
  // An expired challenge.
  auto c3 = users_->passkey_challenge(first.ticket, "10.0.0.1", kT0 + 1000, allow);
  key.counter = 2;
  auto a3 = key.get(*c3);
  EXPECT_NE(users_->finish_with_passkey(first.ticket, {a3.id, a3.client_data_json, {}, a3.authenticator_data, a3.signature, {}},
                                        "10.0.0.1", kT0 + 1000 + au::kChallengeMs + 1).outcome,
            au::LoginOutcome::ok);
  EXPECT_NE(audit_text().find("the signature counter did not grow"), std::string::npos);
}

TEST_F(SecondFactorFlow, StepUpAsksTheFactorOrWithoutOneThePassword) {
  auto [key, codes] = enrol_totp("piet.admin", kT0);
  auto officer = users_->login("ria.officer", kPassword, "10.0.0.1", kT0);
  au::StepUpProof wrong;
  wrong.password = "not the password";
  EXPECT_EQ(users_->step_up(officer.session->token, wrong, "10.0.0.1", kT0 + 600'000).outcome, au::StepUpOutcome::wrong);
  au::StepUpProof right;
  right.password = kPassword;
  EXPECT_EQ(users_->step_up(officer.session->token, right, "10.0.0.1", kT0 + 600'000).outcome, au::StepUpOutcome::ok);
  EXPECT_EQ(users_->session(officer.session->token, kT0 + 600'000)->proof_at_ms, kT0 + 600'000);

  auto first = users_->login("piet.admin", kPassword, "10.0.0.1", kT0 + 600'000);
  auto admin = users_->finish_with_code(first.ticket, codes[0], "10.0.0.1", kT0 + 600'000);
  ASSERT_EQ(admin.outcome, au::LoginOutcome::ok);
  const std::int64_t later = kT0 + 1'200'000;
  EXPECT_EQ(users_->step_up(admin.session->token, right, "10.0.0.1", later).outcome, au::StepUpOutcome::wrong)
      << "with a second factor, the password is not enough";
  au::StepUpProof code;
  code.code = code_at(key, later);
  EXPECT_EQ(users_->step_up(admin.session->token, code, "10.0.0.1", later).outcome, au::StepUpOutcome::ok);
  EXPECT_EQ(users_->step_up(admin.session->token, code, "10.0.0.1", later).outcome, au::StepUpOutcome::wrong)
      << "the same code again";
  const std::string log = audit_text();
  EXPECT_NE(log.find("step_up.succeeded"), std::string::npos);
  EXPECT_NE(log.find("step_up.failed"), std::string::npos);
}

TEST_F(SecondFactorFlow, TheLastFactorOfAnAdminStaysAndAnAdminResetClearsAll) {
  auto [key, codes] = enrol_totp("piet.admin", kT0);
  EXPECT_THROW(factors_->remove_totp("piet.admin", au::Role::admin, kT0, "user:piet.admin"), au::FactorError);
  auto [okey, ocodes] = enrol_totp("ria.officer", kT0);
  EXPECT_NO_THROW(factors_->remove_totp("ria.officer", au::Role::officer, kT0, "user:ria.officer"));
  EXPECT_TRUE(factors_->reset("piet.admin", kT0, "user:someone"));
  auto again = users_->login("piet.admin", kPassword, "10.0.0.1", kT0 + 1000);
  ASSERT_EQ(again.outcome, au::LoginOutcome::ok);
  EXPECT_TRUE(again.session->must_enrol);
  EXPECT_NE(audit_text().find("\"method\":\"all\""), std::string::npos);
}

}  // namespace
