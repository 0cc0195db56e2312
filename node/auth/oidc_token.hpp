// OpenID Connect, relying-party side (issue 21, NL GOV assurance profile for
// OIDC): the checks on what the partner's identity provider sends, as pure
// functions over hostile input. Not wired to routes yet (docs/authentication.md,
// "Not built yet"): the provider's discovery document and key set are
// parsed, and an ID token verified, here; the log-in flow will call these.
//
// Bounds first: discovery and JWKS documents up to 64 KiB (at most 32 keys),
// ID tokens up to 16 KiB, JSON nesting 8. An ID token is verified only with
// RS256, PS256 or ES256 (OpenSSL, public_key_signature.hpp) under a key of
// the matching type from the provider's key set; "none", HMAC algorithms
// and anything else are refused before any key is looked at, and symmetric
// keys in a key set are never used, so no token can be signed with a public
// key taken as an HMAC secret (key confusion).
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.hpp"
#include "node/auth/public_key_signature.hpp"

namespace signalnode::node::auth {

inline constexpr std::size_t kMaxOidcDocumentBytes = 64 * 1024;
inline constexpr std::size_t kMaxJwksKeys = 32;
inline constexpr std::size_t kMaxIdTokenBytes = 16 * 1024;
inline constexpr std::int64_t kIdTokenSkewMs = 60'000;

struct ProviderMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
  std::string end_session_endpoint;  // empty: the provider has no RP-initiated logout
};
// The discovery document (/.well-known/openid-configuration): its issuer must
// be exactly `expected_issuer`, every endpoint https://, and it must offer the
// authorization code flow with PKCE S256 when it lists those at all.
std::optional<ProviderMetadata> parse_discovery(std::string_view json, std::string_view expected_issuer);

struct JsonWebKey {
  std::string kid;
  std::vector<SignatureAlgorithm> algorithms;  // what this key may verify
  crypto::Bytes der;                           // DER SubjectPublicKeyInfo
};
// The signing keys of a JWKS document: RSA (2048 to 4096 bits; RS256 and
// PS256, or only its "alg") and EC P-256 (ES256). Keys for encryption,
// symmetric keys and unknown types are left out; a malformed document or key
// is refused whole.
std::optional<std::vector<JsonWebKey>> parse_jwks(std::string_view json);

struct IdTokenExpectations {
  std::string issuer;
  std::string client_id;
  std::string nonce;  // the one sent with this log-in's authorization request
  std::int64_t now_ms = 0;
  std::int64_t skew_ms = kIdTokenSkewMs;
};

struct IdTokenCheck {
  bool ok = false;
  std::string reason;  // English; why not
  std::string subject;
  boost::json::object claims;  // all of the payload, for mapping to roles and teams
};

// Signature (alg from the header, key by kid of the matching type), then
// iss, aud (the client id; with several audiences azp must be the client id,
// and azp, when present, always), exp and nbf with a small skew, iat not in
// the future, nonce, and a subject.
IdTokenCheck verify_id_token(std::string_view jwt, const std::vector<JsonWebKey>& keys,
                             const IdTokenExpectations& expected);

// PKCE (RFC 7636) S256: the code challenge of a verifier.
std::string pkce_s256(std::string_view verifier);

}  // namespace signalnode::node::auth
