// OpenID Connect ID tokens, discovery and key sets (issue 21), with keys made
// by OpenSSL in the test: every refusal the issue lists (wrong issuer,
// audience, nonce, signature or algorithm, "none", an HMAC key confusion, an
// expired token) and the rest of the checks (azp, iat in the future, nbf,
// unknown kid, a token bringing its own key, oversized input).
#include <gtest/gtest.h>

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <boost/json.hpp>

#include <memory>

#include "crypto/random.hpp"
#include "node/auth/base64url.hpp"
#include "node/auth/oidc_token.hpp"

namespace json = boost::json;
namespace au = signalnode::node::auth;
namespace c = signalnode::crypto;

namespace {

constexpr std::int64_t kNow = 1'790'000'000'000;
const std::string kIssuer = "https://login.gemeente-aalsmeer.nl/oidc";
const std::string kClient = "signalnode-aalsmeer";

std::string b64(c::ByteView b) { return au::to_base64url(b); }
std::string b64(std::string_view s) { return au::to_base64url(c::as_bytes(s)); }

struct Key {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{nullptr, EVP_PKEY_free};
  bool ec = false;
  std::string kid;

  static Key rsa(std::string kid) {
    Key k;
    k.pkey.reset(EVP_RSA_gen(2048));
    k.kid = std::move(kid);
    return k;
  }
  static Key p256(std::string kid) {
    Key k;
    k.pkey.reset(EVP_EC_gen("P-256"));
    k.ec = true;
    k.kid = std::move(kid);
    return k;
  }
  json::object jwk() const {
    if (ec) {
      unsigned char point[65];
      std::size_t len = sizeof point;
      EVP_PKEY_get_octet_string_param(pkey.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof point, &len);
      return {{"kty", "EC"}, {"crv", "P-256"}, {"kid", kid}, {"use", "sig"},
              {"x", b64(c::ByteView(point + 1, 32))}, {"y", b64(c::ByteView(point + 33, 32))}};
    }
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_E, &e);
    c::Bytes nb(static_cast<std::size_t>(BN_num_bytes(n))), eb(static_cast<std::size_t>(BN_num_bytes(e)));
    BN_bn2bin(n, nb.data());
    BN_bn2bin(e, eb.data());
    BN_free(n);
    BN_free(e);
    return {{"kty", "RSA"}, {"kid", kid}, {"n", b64(nb)}, {"e", b64(eb)}};
  }
  c::Bytes spki_der() const {
    int len = i2d_PUBKEY(pkey.get(), nullptr);
    c::Bytes out(static_cast<std::size_t>(len));
    unsigned char* p = out.data();
    i2d_PUBKEY(pkey.get(), &p);
    return out;
  }
  c::Bytes sign(std::string_view alg, std::string_view data) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_PKEY_CTX* pctx = nullptr;
    EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, pkey.get());
    if (alg == "PS256") {
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }
    std::size_t len = 0;
    EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    c::Bytes sig(len);
    EVP_DigestSign(ctx.get(), sig.data(), &len, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    sig.resize(len);
    if (!ec) return sig;
    const unsigned char* p = sig.data();
    ECDSA_SIG* s = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    c::Bytes raw(64);
    BN_bn2binpad(ECDSA_SIG_get0_r(s), raw.data(), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(s), raw.data() + 32, 32);
    ECDSA_SIG_free(s);
    return raw;
  }
};

json::object claims() {
  return {{"iss", kIssuer}, {"sub", "248289761001"}, {"aud", kClient}, {"exp", kNow / 1000 + 300},
          {"iat", kNow / 1000 - 5}, {"nonce", "n-0S6_WzA2Mj"}, {"groups", json::array{"handhaving"}}};
}

std::string token(const Key& key, const json::object& payload, std::string alg = "", json::object header = {}) {
  if (alg.empty()) alg = key.ec ? "ES256" : "RS256";
  if (header.empty()) header = {{"alg", alg}, {"kid", key.kid}, {"typ", "JWT"}};
  const std::string input = b64(json::serialize(header)) + "." + b64(json::serialize(payload));
  return input + "." + b64(key.sign(alg, input));
}

class IdToken : public ::testing::Test {
 protected:
  void SetUp() override {
    json::array list{rsa_.jwk(), ec_.jwk(), json::object{{"kty", "oct"}, {"kid", "hmac"}, {"k", b64("shared secret")}},
                     json::object{{"kty", "RSA"}, {"use", "enc"}, {"kid", "enc"}, {"n", "AQAB"}, {"e", "AQAB"}}};
    auto parsed = au::parse_jwks(json::serialize(json::object{{"keys", list}}));
    ASSERT_TRUE(parsed);
    keys_ = std::move(*parsed);
    expected_.issuer = kIssuer;
    expected_.client_id = kClient;
    expected_.nonce = "n-0S6_WzA2Mj";
    expected_.now_ms = kNow;
  }
  std::string check(const std::string& jwt) { return au::verify_id_token(jwt, keys_, expected_).reason; }
  Key rsa_ = Key::rsa("rsa-1");
  Key ec_ = Key::p256("ec-1");
  std::vector<au::JsonWebKey> keys_;
  au::IdTokenExpectations expected_;
};

TEST_F(IdToken, TheKeySetKeepsOnlySigningKeysOfAcceptedTypes) {
  ASSERT_EQ(keys_.size(), 2u) << "the symmetric and the encryption key are left out";
  EXPECT_EQ(keys_[0].kid, "rsa-1");
  EXPECT_EQ(keys_[1].kid, "ec-1");
  EXPECT_FALSE(au::parse_jwks(R"({"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]})")) << "a 17-bit RSA key";
  EXPECT_FALSE(au::parse_jwks(R"({"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]})"));
  // A real modulus with a tiny public exponent (e = 1 forges, e = 3 weakens): refused.
  for (const char* tiny : {"AQ", "Aw"}) {
    json::object weak = rsa_.jwk();
    weak["e"] = tiny;
    EXPECT_FALSE(au::parse_jwks(json::serialize(json::object{{"keys", json::array{weak}}}))) << "e = " << tiny;
  }
  EXPECT_FALSE(au::parse_jwks(R"({"keys":{}})"));
  json::array many;
  for (int i = 0; i < 40; ++i) many.push_back(ec_.jwk());
  EXPECT_FALSE(au::parse_jwks(json::serialize(json::object{{"keys", many}}))) << "more than 32 keys";
  EXPECT_FALSE(au::parse_jwks(std::string(70 * 1024, ' '))) << "larger than 64 KiB";
}

TEST_F(IdToken, AcceptsRs256Ps256AndEs256FromTheProvidersKeys) {
  for (const auto& jwt : {token(rsa_, claims()), token(rsa_, claims(), "PS256"), token(ec_, claims())}) {
    auto r = au::verify_id_token(jwt, keys_, expected_);
    EXPECT_TRUE(r.ok) << r.reason;
    EXPECT_EQ(r.subject, "248289761001");
    EXPECT_EQ(r.claims.at("groups").as_array().at(0), "handhaving");
  }
}

TEST_F(IdToken, RefusesAWrongIssuerAudienceNonceOrAnExpiredToken) {
  auto c1 = claims();
  c1["iss"] = "https://login.evil.example/oidc";
  EXPECT_EQ(check(token(rsa_, c1)), "the ID token comes from another issuer");
  auto c2 = claims();
  c2["aud"] = "another-client";
  EXPECT_EQ(check(token(rsa_, c2)), "the ID token is for another client (audience)");
  auto c3 = claims();
  c3["aud"] = json::array{kClient, "another-client"};
  EXPECT_EQ(check(token(rsa_, c3)), "the ID token was issued to another client (azp)") << "several audiences need azp";
  c3["azp"] = "another-client";
  EXPECT_EQ(check(token(rsa_, c3)), "the ID token was issued to another client (azp)");
  c3["azp"] = kClient;
  EXPECT_TRUE(au::verify_id_token(token(rsa_, c3), keys_, expected_).ok);
  auto c4 = claims();
  c4["nonce"] = "a-replayed-log-in";
  EXPECT_EQ(check(token(rsa_, c4)), "the ID token answers another log-in (nonce)");
  c4.erase("nonce");
  EXPECT_EQ(check(token(rsa_, c4)), "the ID token answers another log-in (nonce)");
  auto c5 = claims();
  c5["exp"] = kNow / 1000 - 61;
  EXPECT_EQ(check(token(rsa_, c5)), "the ID token has expired");
  c5["exp"] = kNow / 1000 - 30;
  EXPECT_TRUE(au::verify_id_token(token(rsa_, c5), keys_, expected_).ok) << "within the skew of a minute";
  auto c6 = claims();
  c6["iat"] = kNow / 1000 + 3600;
  EXPECT_EQ(check(token(rsa_, c6)), "the ID token was issued in the future");
  auto c7 = claims();
  c7["nbf"] = kNow / 1000 + 3600;
  EXPECT_EQ(check(token(rsa_, c7)), "the ID token is not valid yet");
  auto c8 = claims();
  c8["exp"] = 1.5e12;
  EXPECT_EQ(check(token(rsa_, c8)), "the ID token has no valid exp or iat");
}

TEST_F(IdToken, RefusesAWrongSignatureNoneAndAnHmacKeyConfusion) {
  std::string jwt = token(rsa_, claims());
  jwt[jwt.size() - 5] = jwt[jwt.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(check(jwt), "the signature does not verify");
  Key stranger = Key::rsa("rsa-1");  // the provider's kid, another key
  EXPECT_EQ(check(token(stranger, claims())), "the signature does not verify");
  auto c = claims();
  c["sub"] = "someone-else";
  const std::string good = token(rsa_, claims());
  const std::string swapped = good.substr(0, good.find('.')) + "." + b64(json::serialize(c)) + good.substr(good.rfind('.'));
  EXPECT_EQ(check(swapped), "the signature does not verify") << "a payload changed under a valid signature";

  const std::string none = b64(R"({"alg":"none","typ":"JWT"})") + "." + b64(json::serialize(claims())) + ".";
  EXPECT_EQ(check(none), "the ID token algorithm none is not accepted");
  // HS256 "signed" with the provider's public key as the secret (the classic
  // key confusion): refused before any key is used.
  const c::Bytes secret = rsa_.spki_der();
  const std::string input = b64(json::serialize(json::object{{"alg", "HS256"}, {"kid", "rsa-1"}})) + "." + b64(json::serialize(claims()));
  unsigned char mac[32];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), mac, &mac_len);
  EXPECT_EQ(check(input + "." + b64(c::ByteView(mac, mac_len))), "the ID token algorithm HS256 is not accepted");
  // An EC token under the RSA key's kid, and an RS256 token under the EC key's.
  EXPECT_EQ(check(token(ec_, claims(), "ES256", {{"alg", "ES256"}, {"kid", "rsa-1"}})), "no key of the provider matches the ID token");
  EXPECT_EQ(check(token(rsa_, claims(), "RS256", {{"alg", "RS256"}, {"kid", "ec-1"}})), "no key of the provider matches the ID token");
  EXPECT_EQ(check(token(rsa_, claims(), "RS256", {{"alg", "RS256"}, {"kid", "unknown"}})), "no key of the provider matches the ID token");
  EXPECT_EQ(check(token(rsa_, claims(), "RS256", {{"alg", "RS256"}, {"kid", "rsa-1"}, {"jwk", rsa_.jwk()}})),
            "the ID token brings its own key");
  EXPECT_EQ(check(token(rsa_, claims(), "RS256", {{"alg", "RS256"}, {"kid", "rsa-1"}, {"crit", json::array{"exp"}}})),
            "the ID token has critical header parameters");
}

TEST_F(IdToken, RefusesMalformedAndOversizedTokens) {
  EXPECT_EQ(check(""), "the ID token is empty or too large");
  EXPECT_EQ(check(std::string(20000, 'a') + ".b.c"), "the ID token is empty or too large");
  EXPECT_EQ(check("a.b"), "the ID token is not a signed JWT (three parts)");
  EXPECT_EQ(check("a.b.c.d.e"), "the ID token is not a signed JWT (three parts)");
  EXPECT_EQ(check("a+b.c.d"), "the ID token is not base64url");
  EXPECT_EQ(check(b64("[1]") + ".e30.AAAA"), "the ID token header is not a JSON object");
}

TEST(OidcDiscovery, TheIssuerMustMatchAndEveryEndpointBeHttps) {
  json::object d{{"issuer", kIssuer},
                 {"authorization_endpoint", kIssuer + "/auth"},
                 {"token_endpoint", kIssuer + "/token"},
                 {"jwks_uri", kIssuer + "/jwks"},
                 {"end_session_endpoint", kIssuer + "/session/end"},
                 {"response_types_supported", json::array{"code"}},
                 {"code_challenge_methods_supported", json::array{"S256"}}};
  auto m = au::parse_discovery(json::serialize(d), kIssuer);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->jwks_uri, kIssuer + "/jwks");
  EXPECT_FALSE(au::parse_discovery(json::serialize(d), "https://login.evil.example/oidc")) << "another issuer";
  auto plain = d;
  plain["token_endpoint"] = "http://login.gemeente-aalsmeer.nl/oidc/token";
  EXPECT_FALSE(au::parse_discovery(json::serialize(plain), kIssuer));
  auto no_pkce = d;
  no_pkce["code_challenge_methods_supported"] = json::array{"plain"};
  EXPECT_FALSE(au::parse_discovery(json::serialize(no_pkce), kIssuer));
  EXPECT_FALSE(au::parse_discovery("[]", kIssuer));
}

TEST(OidcDiscovery, PkceS256IsTheRfc7636Example) {
  EXPECT_EQ(au::pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

}  // namespace
