// WebAuthn (passkeys) for the relying party side, W3C WebAuthn Level 2
// sections 7.1 (registration) and 7.2 (authentication): the checks on what a
// browser hands back, as pure functions. Everything it parses is hostile and
// bounded first: client data JSON up to 4 KiB, authenticator data up to
// 4 KiB, attestation objects up to 16 KiB, credential ids up to 1023 bytes
// (the spec's limit). Attestation is not verified (the node asks for
// attestation "none": which brand of key someone uses is not its business);
// `fmt` and `attStmt` are read and otherwise ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.hpp"
#include "node/auth/public_key_signature.hpp"

namespace signalnode::node::auth {

inline constexpr std::size_t kMaxClientDataBytes = 4096;
inline constexpr std::size_t kMaxAuthenticatorDataBytes = 4096;
inline constexpr std::size_t kMaxAttestationObjectBytes = 16384;
inline constexpr std::size_t kMaxCredentialIdBytes = 1023;

// Where passkeys are valid: the RP ID (a domain) and the exact origins pages
// come from (https://host[:port]).
struct RelyingParty {
  std::string id;
  std::vector<std::string> origins;
};

struct ClientData {
  std::string type;       // webauthn.create | webauthn.get
  std::string challenge;  // base64url, as the page got it
  std::string origin;
  bool cross_origin = false;
};
std::optional<ClientData> parse_client_data(crypto::ByteView json);

inline constexpr std::uint8_t kFlagUserPresent = 0x01;
inline constexpr std::uint8_t kFlagUserVerified = 0x04;
inline constexpr std::uint8_t kFlagAttested = 0x40;
inline constexpr std::uint8_t kFlagExtensions = 0x80;

struct AuthenticatorData {
  crypto::Bytes rp_id_hash;  // 32 bytes
  std::uint8_t flags = 0;
  std::uint32_t sign_count = 0;
  crypto::Bytes credential_id;  // with kFlagAttested
  crypto::Bytes public_key_der;
  SignatureAlgorithm algorithm = SignatureAlgorithm::es256;
};
// With kFlagAttested, the credential's COSE key is parsed into a DER key
// (EC2 P-256 with ES256, OKP Ed25519 with EdDSA, RSA with RS256); any other
// key is refused.
std::optional<AuthenticatorData> parse_authenticator_data(crypto::ByteView data);
// The authenticator data inside an attestation object (CBOR map with fmt,
// attStmt, authData).
std::optional<crypto::Bytes> attestation_auth_data(crypto::ByteView attestation_object);
// A COSE_Key (RFC 9052) as a DER public key and its algorithm.
struct CoseKey {
  crypto::Bytes der;
  SignatureAlgorithm algorithm;
};
std::optional<CoseKey> parse_cose_key(crypto::ByteView cbor, std::size_t* consumed = nullptr);

// The outcome of a check: ok, or why not (English; the routes word it for people).
struct WebAuthnCheck {
  bool ok = false;
  std::string reason;
};

struct NewCredential {
  crypto::Bytes id;
  crypto::Bytes public_key_der;
  SignatureAlgorithm algorithm = SignatureAlgorithm::es256;
  std::uint32_t sign_count = 0;
};

// Registration: type webauthn.create, the challenge, an allowed origin, not
// cross-origin, the RP ID hash, user present and verified, a credential.
WebAuthnCheck check_registration(const RelyingParty& rp, std::string_view expected_challenge,
                                 crypto::ByteView client_data_json, crypto::ByteView attestation_object,
                                 NewCredential& out);

// Authentication: the same checks for webauthn.get, then the signature over
// authenticatorData || SHA-256(clientDataJSON) under the stored key, and the
// counter: when either the stored or the new counter is non-zero, the new
// one must be larger (a smaller one means a cloned authenticator).
WebAuthnCheck check_assertion(const RelyingParty& rp, std::string_view expected_challenge,
                              crypto::ByteView client_data_json, crypto::ByteView authenticator_data,
                              crypto::ByteView signature, crypto::ByteView public_key_der, SignatureAlgorithm algorithm,
                              std::uint32_t stored_sign_count, std::uint32_t& new_sign_count);

}  // namespace signalnode::node::auth
