#include "node/auth/webauthn.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "crypto/sha256.hpp"
#include "node/auth/cbor_value.hpp"

namespace signalnode::node::auth {
namespace json = boost::json;

std::optional<ClientData> parse_client_data(crypto::ByteView bytes) {
  if (bytes.empty() || bytes.size() > kMaxClientDataBytes) return std::nullopt;
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 4;
  json::value doc = json::parse(crypto::as_chars(bytes), ec, {}, options);
  if (ec || !doc.is_object()) return std::nullopt;
  const json::object& o = doc.get_object();
  auto text = [&](std::string_view key) -> std::optional<std::string> {
    const json::value* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->get_string());
  };
  ClientData out;
  auto type = text("type");
  auto challenge = text("challenge");
  auto origin = text("origin");
  if (!type || !challenge || !origin) return std::nullopt;
  out.type = std::move(*type);
  out.challenge = std::move(*challenge);
  out.origin = std::move(*origin);
  if (const json::value* cross = o.if_contains("crossOrigin")) {
    if (!cross->is_bool()) return std::nullopt;
    out.cross_origin = cross->get_bool();
  }
  return out;
}

std::optional<CoseKey> parse_cose_key(crypto::ByteView cbor, std::size_t* consumed) {
  auto key = read_cbor(cbor, consumed);
  if (!key || key->kind != CborValue::Kind::map) return std::nullopt;
  const CborValue* kty = key->find(1);
  const CborValue* alg = key->find(3);
  if (!kty || !alg || !kty->is_int() || !alg->is_int()) return std::nullopt;
  auto algorithm = signature_algorithm_from_cose(alg->integer);
  if (!algorithm) return std::nullopt;
  auto bytes_at = [&](std::int64_t label) -> const crypto::Bytes* {
    const CborValue* v = key->find(label);
    return v && v->kind == CborValue::Kind::bytes ? &v->bytes : nullptr;
  };
  std::optional<crypto::Bytes> der;
  if (kty->integer == 2 && *algorithm == SignatureAlgorithm::es256) {  // EC2, P-256
    const CborValue* crv = key->find(-1);
    const auto* x = bytes_at(-2);
    const auto* y = bytes_at(-3);
    if (!crv || !crv->is_int() || crv->integer != 1 || !x || !y) return std::nullopt;
    der = p256_public_key(*x, *y);
  } else if (kty->integer == 1 && *algorithm == SignatureAlgorithm::eddsa) {  // OKP, Ed25519
    const CborValue* crv = key->find(-1);
    const auto* x = bytes_at(-2);
    if (!crv || !crv->is_int() || crv->integer != 6 || !x) return std::nullopt;
    der = ed25519_public_key(*x);
  } else if (kty->integer == 3 && *algorithm == SignatureAlgorithm::rs256) {  // RSA
    const auto* n = bytes_at(-1);
    const auto* e = bytes_at(-2);
    if (!n || !e) return std::nullopt;
    der = rsa_public_key(*n, *e);
  }
  if (!der) return std::nullopt;
  return CoseKey{std::move(*der), *algorithm};
}

std::optional<AuthenticatorData> parse_authenticator_data(crypto::ByteView data) {
  if (data.size() < 37 || data.size() > kMaxAuthenticatorDataBytes) return std::nullopt;
  AuthenticatorData out;
  out.rp_id_hash.assign(data.begin(), data.begin() + 32);
  out.flags = data[32];
  out.sign_count = (std::uint32_t{data[33]} << 24) | (std::uint32_t{data[34]} << 16) | (std::uint32_t{data[35]} << 8) |
                   std::uint32_t{data[36]};
  std::size_t offset = 37;
  if (out.flags & kFlagAttested) {
    if (data.size() < offset + 18) return std::nullopt;
    offset += 16;  // AAGUID
    const std::size_t id_len = (std::size_t{data[offset]} << 8) | data[offset + 1];
    offset += 2;
    if (id_len == 0 || id_len > kMaxCredentialIdBytes || data.size() < offset + id_len) return std::nullopt;
    out.credential_id.assign(data.begin() + static_cast<std::ptrdiff_t>(offset),
                             data.begin() + static_cast<std::ptrdiff_t>(offset + id_len));
    offset += id_len;
    std::size_t used = 0;
    auto key = parse_cose_key(data.subspan(offset), &used);
    if (!key) return std::nullopt;
    out.public_key_der = std::move(key->der);
    out.algorithm = key->algorithm;
    offset += used;
  }
  if (out.flags & kFlagExtensions) {
    std::size_t used = 0;
    auto ext = read_cbor(data.subspan(offset), &used);
    if (!ext || ext->kind != CborValue::Kind::map) return std::nullopt;
    offset += used;
  }
  if (offset != data.size()) return std::nullopt;  // nothing unexplained may follow
  return out;
}

std::optional<crypto::Bytes> attestation_auth_data(crypto::ByteView attestation_object) {
  if (attestation_object.empty() || attestation_object.size() > kMaxAttestationObjectBytes) return std::nullopt;
  std::size_t used = 0;
  auto obj = read_cbor(attestation_object, &used);
  if (!obj || used != attestation_object.size() || obj->kind != CborValue::Kind::map) return std::nullopt;
  const CborValue* fmt = obj->find("fmt");
  const CborValue* stmt = obj->find("attStmt");
  const CborValue* auth_data = obj->find("authData");
  if (!fmt || fmt->kind != CborValue::Kind::text || !stmt || stmt->kind != CborValue::Kind::map || !auth_data ||
      auth_data->kind != CborValue::Kind::bytes) {
    return std::nullopt;
  }
  return auth_data->bytes;
}

namespace {

WebAuthnCheck refuse(std::string why) { return {false, std::move(why)}; }

WebAuthnCheck check_client(const RelyingParty& rp, std::string_view expected_type, std::string_view expected_challenge,
                           crypto::ByteView client_data_json) {
  auto client = parse_client_data(client_data_json);
  if (!client) return refuse("client data is not valid");
  if (client->type != expected_type) return refuse("client data type is not " + std::string(expected_type));
  if (expected_challenge.empty() ||
      !crypto::equal_constant_time(crypto::as_bytes(client->challenge), crypto::as_bytes(expected_challenge))) {
    return refuse("the challenge is not the one this node issued");
  }
  if (std::find(rp.origins.begin(), rp.origins.end(), client->origin) == rp.origins.end()) {
    return refuse("the origin is not an address of this node");
  }
  if (client->cross_origin) return refuse("the page was embedded in another site");
  return {true, {}};
}

WebAuthnCheck check_flags(const RelyingParty& rp, const AuthenticatorData& auth) {
  const auto expected = crypto::sha256(crypto::as_bytes(rp.id));
  if (!crypto::equal_constant_time(auth.rp_id_hash, expected)) return refuse("the passkey belongs to another site (rpId)");
  if (!(auth.flags & kFlagUserPresent)) return refuse("the user was not present");
  if (!(auth.flags & kFlagUserVerified)) return refuse("the user was not verified (PIN or biometrics)");
  return {true, {}};
}

}  // namespace

WebAuthnCheck check_registration(const RelyingParty& rp, std::string_view expected_challenge,
                                 crypto::ByteView client_data_json, crypto::ByteView attestation_object,
                                 NewCredential& out) {
  if (auto c = check_client(rp, "webauthn.create", expected_challenge, client_data_json); !c.ok) return c;
  auto auth_bytes = attestation_auth_data(attestation_object);
  if (!auth_bytes) return refuse("the attestation object is not valid");
  auto auth = parse_authenticator_data(*auth_bytes);
  if (!auth) return refuse("the authenticator data is not valid or the key type is not supported");
  if (auto c = check_flags(rp, *auth); !c.ok) return c;
  if (!(auth->flags & kFlagAttested) || auth->credential_id.empty()) return refuse("no credential was created");
  out.id = std::move(auth->credential_id);
  out.public_key_der = std::move(auth->public_key_der);
  out.algorithm = auth->algorithm;
  out.sign_count = auth->sign_count;
  return {true, {}};
}

WebAuthnCheck check_assertion(const RelyingParty& rp, std::string_view expected_challenge,
                              crypto::ByteView client_data_json, crypto::ByteView authenticator_data,
                              crypto::ByteView signature, crypto::ByteView public_key_der, SignatureAlgorithm algorithm,
                              std::uint32_t stored_sign_count, std::uint32_t& new_sign_count) {
  if (auto c = check_client(rp, "webauthn.get", expected_challenge, client_data_json); !c.ok) return c;
  auto auth = parse_authenticator_data(authenticator_data);
  if (!auth) return refuse("the authenticator data is not valid");
  if (auth->flags & kFlagAttested) return refuse("the authenticator data is not valid");
  if (auto c = check_flags(rp, *auth); !c.ok) return c;
  const auto client_hash = crypto::sha256(client_data_json);
  crypto::Bytes signed_bytes(authenticator_data.begin(), authenticator_data.end());
  signed_bytes.insert(signed_bytes.end(), client_hash.begin(), client_hash.end());
  if (!verify_signature(public_key_der, algorithm, signed_bytes, signature)) return refuse("the signature does not verify");
  if ((stored_sign_count != 0 || auth->sign_count != 0) && auth->sign_count <= stored_sign_count) {
    return refuse("the signature counter did not grow (a copied passkey?)");
  }
  new_sign_count = auth->sign_count;
  return {true, {}};
}

}  // namespace signalnode::node::auth
