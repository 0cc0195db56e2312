#include "node/auth/oidc_token.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "crypto/sha256.hpp"
#include "node/auth/base64url.hpp"

namespace signalnode::node::auth {
namespace json = boost::json;

namespace {

std::optional<json::object> parse_object(std::string_view text, std::size_t max_bytes) {
  if (text.empty() || text.size() > max_bytes) return std::nullopt;
  json::parse_options options;
  options.max_depth = 8;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, {}, options);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// A string member, or nullopt when absent or not a string.
std::optional<std::string> text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

bool is_https_url(std::string_view url) {
  return url.starts_with("https://") && url.size() > 8 && url.size() <= 2048 &&
         std::none_of(url.begin(), url.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

bool lists(const json::object& o, std::string_view key, std::string_view wanted) {
  const json::value* v = o.if_contains(key);
  if (!v) return true;  // not listed: the default of the spec
  if (!v->is_array()) return false;
  for (const auto& item : v->get_array()) {
    if (item.is_string() && item.get_string() == wanted) return true;
  }
  return false;
}

std::optional<SignatureAlgorithm> jose_algorithm(std::string_view alg) {
  if (alg == "RS256") return SignatureAlgorithm::rs256;
  if (alg == "PS256") return SignatureAlgorithm::ps256;
  if (alg == "ES256") return SignatureAlgorithm::es256;
  return std::nullopt;  // none, HS256/384/512, RS384, EdDSA ...: not accepted
}

std::optional<crypto::Bytes> b64(const json::object& o, std::string_view key, std::size_t max) {
  auto t = text(o, key);
  if (!t) return std::nullopt;
  return from_base64url(*t, max);
}

IdTokenCheck refuse(std::string why) {
  IdTokenCheck c;
  c.reason = std::move(why);
  return c;
}

// A NumericDate claim in milliseconds; nullopt when absent or not an integer.
std::optional<std::int64_t> seconds_claim(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  std::int64_t s = 0;
  if (v->is_int64()) {
    s = v->get_int64();
  } else if (v->is_uint64() && v->get_uint64() < (1ULL << 40)) {
    s = static_cast<std::int64_t>(v->get_uint64());
  } else {
    return std::nullopt;
  }
  if (s < 0 || s > (1LL << 40)) return std::nullopt;
  return s * 1000;
}

}  // namespace

std::optional<ProviderMetadata> parse_discovery(std::string_view json_text, std::string_view expected_issuer) {
  auto o = parse_object(json_text, kMaxOidcDocumentBytes);
  if (!o) return std::nullopt;
  ProviderMetadata m;
  auto issuer = text(*o, "issuer");
  auto authorization = text(*o, "authorization_endpoint");
  auto token = text(*o, "token_endpoint");
  auto jwks = text(*o, "jwks_uri");
  if (!issuer || *issuer != expected_issuer || !authorization || !token || !jwks) return std::nullopt;
  if (!is_https_url(*issuer) || !is_https_url(*authorization) || !is_https_url(*token) || !is_https_url(*jwks)) return std::nullopt;
  if (!lists(*o, "response_types_supported", "code") || !lists(*o, "code_challenge_methods_supported", "S256")) {
    return std::nullopt;
  }
  m.issuer = std::move(*issuer);
  m.authorization_endpoint = std::move(*authorization);
  m.token_endpoint = std::move(*token);
  m.jwks_uri = std::move(*jwks);
  if (auto end = text(*o, "end_session_endpoint")) {
    if (!is_https_url(*end)) return std::nullopt;
    m.end_session_endpoint = std::move(*end);
  }
  return m;
}

std::optional<std::vector<JsonWebKey>> parse_jwks(std::string_view json_text) {
  auto o = parse_object(json_text, kMaxOidcDocumentBytes);
  if (!o) return std::nullopt;
  const json::value* keys = o->if_contains("keys");
  if (!keys || !keys->is_array() || keys->get_array().size() > kMaxJwksKeys) return std::nullopt;
  std::vector<JsonWebKey> out;
  for (const auto& k : keys->get_array()) {
    if (!k.is_object()) return std::nullopt;
    const json::object& key = k.get_object();
    auto kty = text(key, "kty");
    if (!kty) return std::nullopt;
    if (auto use = text(key, "use"); use && *use != "sig") continue;  // encryption keys
    JsonWebKey jwk;
    jwk.kid = text(key, "kid").value_or("");
    if (jwk.kid.size() > 256) return std::nullopt;
    std::optional<SignatureAlgorithm> only;
    if (auto alg = text(key, "alg")) {
      only = jose_algorithm(*alg);
      if (!only) continue;  // a key for an algorithm the node does not accept
    }
    std::optional<crypto::Bytes> der;
    if (*kty == "RSA") {
      auto n = b64(key, "n", 1024);
      auto e = b64(key, "e", 8);
      if (!n || !e) return std::nullopt;
      der = rsa_public_key(*n, *e);
      if (!der) return std::nullopt;
      if (only && *only == SignatureAlgorithm::es256) return std::nullopt;
      jwk.algorithms = only ? std::vector{*only} : std::vector{SignatureAlgorithm::rs256, SignatureAlgorithm::ps256};
    } else if (*kty == "EC") {
      auto crv = text(key, "crv");
      if (!crv || *crv != "P-256") continue;  // other curves: not for ES256
      auto x = b64(key, "x", 32);
      auto y = b64(key, "y", 32);
      if (!x || !y) return std::nullopt;
      der = p256_public_key(*x, *y);
      if (!der) return std::nullopt;
      if (only && *only != SignatureAlgorithm::es256) return std::nullopt;
      jwk.algorithms = {SignatureAlgorithm::es256};
    } else {
      continue;  // "oct" (symmetric) and unknown types are never verification keys
    }
    jwk.der = std::move(*der);
    out.push_back(std::move(jwk));
  }
  return out;
}

IdTokenCheck verify_id_token(std::string_view jwt, const std::vector<JsonWebKey>& keys,
                             const IdTokenExpectations& expected) {
  if (jwt.empty() || jwt.size() > kMaxIdTokenBytes) return refuse("the ID token is empty or too large");
  const auto dot1 = jwt.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : jwt.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || jwt.find('.', dot2 + 1) != std::string_view::npos) {
    return refuse("the ID token is not a signed JWT (three parts)");
  }
  auto header_bytes = from_base64url(jwt.substr(0, dot1), kMaxIdTokenBytes);
  auto payload_bytes = from_base64url(jwt.substr(dot1 + 1, dot2 - dot1 - 1), kMaxIdTokenBytes);
  auto signature = from_base64url(jwt.substr(dot2 + 1), 1024);
  if (!header_bytes || !payload_bytes || !signature) return refuse("the ID token is not base64url");
  auto header = parse_object(crypto::as_chars(*header_bytes), kMaxIdTokenBytes);
  if (!header) return refuse("the ID token header is not a JSON object");
  auto alg_name = text(*header, "alg");
  if (!alg_name) return refuse("the ID token names no algorithm");
  auto alg = jose_algorithm(*alg_name);
  if (!alg) return refuse("the ID token algorithm " + alg_name->substr(0, 16) + " is not accepted");
  if (header->contains("crit")) return refuse("the ID token has critical header parameters");
  if (header->contains("jku") || header->contains("jwk") || header->contains("x5u") || header->contains("x5c")) {
    return refuse("the ID token brings its own key");
  }
  if (signature->empty()) return refuse("the signature does not verify");
  const auto kid = text(*header, "kid");
  const JsonWebKey* key = nullptr;
  for (const auto& k : keys) {
    if (std::find(k.algorithms.begin(), k.algorithms.end(), *alg) == k.algorithms.end()) continue;
    if (kid && k.kid != *kid) continue;
    if (key && !kid) return refuse("the provider has several keys and the ID token names none");
    key = &k;
    if (kid) break;
  }
  if (!key) return refuse("no key of the provider matches the ID token");
  crypto::Bytes sig = *signature;
  if (*alg == SignatureAlgorithm::es256) {
    auto der = ecdsa_raw_to_der(sig);
    if (!der) return refuse("the signature does not verify");
    sig = std::move(*der);
  }
  const std::string_view signed_part = jwt.substr(0, dot2);
  if (!verify_signature(key->der, *alg, crypto::as_bytes(signed_part), sig)) return refuse("the signature does not verify");

  auto payload = parse_object(crypto::as_chars(*payload_bytes), kMaxIdTokenBytes);
  if (!payload) return refuse("the ID token payload is not a JSON object");
  if (text(*payload, "iss") != expected.issuer) return refuse("the ID token comes from another issuer");
  const json::value* aud = payload->if_contains("aud");
  std::size_t audiences = 0;
  bool for_us = false;
  if (aud && aud->is_string()) {
    audiences = 1;
    for_us = aud->get_string() == expected.client_id;
  } else if (aud && aud->is_array()) {
    for (const auto& a : aud->get_array()) {
      if (!a.is_string()) return refuse("the ID token audience is not valid");
      ++audiences;
      for_us = for_us || a.get_string() == expected.client_id;
    }
  }
  if (!for_us) return refuse("the ID token is for another client (audience)");
  const auto azp = text(*payload, "azp");
  if ((audiences > 1 && !azp) || (payload->contains("azp") && azp != expected.client_id)) {
    return refuse("the ID token was issued to another client (azp)");
  }
  const auto exp = seconds_claim(*payload, "exp");
  const auto iat = seconds_claim(*payload, "iat");
  if (!exp || !iat) return refuse("the ID token has no valid exp or iat");
  if (*exp <= expected.now_ms - expected.skew_ms) return refuse("the ID token has expired");
  if (*iat > expected.now_ms + expected.skew_ms) return refuse("the ID token was issued in the future");
  if (payload->contains("nbf")) {
    const auto nbf = seconds_claim(*payload, "nbf");
    if (!nbf || *nbf > expected.now_ms + expected.skew_ms) return refuse("the ID token is not valid yet");
  }
  const auto nonce = text(*payload, "nonce");
  if (expected.nonce.empty() || !nonce ||
      !crypto::equal_constant_time(crypto::as_bytes(*nonce), crypto::as_bytes(expected.nonce))) {
    return refuse("the ID token answers another log-in (nonce)");
  }
  const auto sub = text(*payload, "sub");
  if (!sub || sub->empty() || sub->size() > 255) return refuse("the ID token names no subject");
  IdTokenCheck ok;
  ok.ok = true;
  ok.subject = *sub;
  ok.claims = std::move(*payload);
  return ok;
}

std::string pkce_s256(std::string_view verifier) { return to_base64url(crypto::sha256(crypto::as_bytes(verifier))); }

}  // namespace signalnode::node::auth
