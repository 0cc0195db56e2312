// A passkey authenticator in software for tests: an ES256 or Ed25519 key made
// with OpenSSL, answering registration and assertion the way a browser hands
// them to the page (clientDataJSON, attestation object in CBOR with
// attestation "none", authenticator data, signature). Every field can be
// spoiled to test a refusal.
#pragma once

#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "crypto/bytes.hpp"
#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "node/auth/base64url.hpp"

namespace signalnode::testing {

// Minimal CBOR writing (definite lengths, what COSE keys and attestation objects need).
inline void cbor_head(crypto::Bytes& out, int major, std::uint64_t n) {
  const auto m = static_cast<std::uint8_t>(major << 5);
  if (n < 24) {
    out.push_back(static_cast<std::uint8_t>(m | n));
  } else if (n < 256) {
    out.push_back(m | 24);
    out.push_back(static_cast<std::uint8_t>(n));
  } else if (n < 65536) {
    out.push_back(m | 25);
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.push_back(m | 26);
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(n >> s));
  }
}
inline void cbor_int(crypto::Bytes& out, std::int64_t v) {
  if (v >= 0) cbor_head(out, 0, static_cast<std::uint64_t>(v));
  else cbor_head(out, 1, static_cast<std::uint64_t>(-1 - v));
}
inline void cbor_bytes(crypto::Bytes& out, crypto::ByteView b) {
  cbor_head(out, 2, b.size());
  out.insert(out.end(), b.begin(), b.end());
}
inline void cbor_text(crypto::Bytes& out, std::string_view t) {
  cbor_head(out, 3, t.size());
  out.insert(out.end(), t.begin(), t.end());
}

struct SoftAssertion {
  std::string id;
  crypto::Bytes client_data_json;
  crypto::Bytes authenticator_data;
  crypto::Bytes signature;
};

class SoftAuthenticator {
 public:
  enum class Kind { es256, ed25519 };
  explicit SoftAuthenticator(Kind kind = Kind::es256) : kind_(kind) {
    EVP_PKEY* k = kind == Kind::es256 ? EVP_EC_gen("P-256") : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (!k) throw std::runtime_error("soft authenticator: no key");
    key_.reset(k);
    id_ = crypto::random_bytes(16);
  }
  std::string id() const { return node::auth::to_base64url(id_); }

  // Knobs to spoil an answer.
  std::string rp_id;
  std::string origin;
  std::uint8_t flags = 0x05;  // UP | UV
  std::uint32_t counter = 0;
  std::string type_override;

  crypto::Bytes client_data(std::string_view type, std::string_view challenge) const {
    std::string t = type_override.empty() ? std::string(type) : type_override;
    std::string json = R"({"type":")" + t + R"(","challenge":")" + std::string(challenge) + R"(","origin":")" + origin +
                       R"(","crossOrigin":false})";
    return crypto::Bytes(json.begin(), json.end());
  }

  crypto::Bytes cose_key() const {
    crypto::Bytes out;
    if (kind_ == Kind::es256) {
      unsigned char point[65];
      std::size_t len = sizeof point;
      EVP_PKEY_get_octet_string_param(key_.get(), "encoded-pub-key", point, sizeof point, &len);
      cbor_head(out, 5, 5);
      cbor_int(out, 1); cbor_int(out, 2);    // kty EC2
      cbor_int(out, 3); cbor_int(out, -7);   // alg ES256
      cbor_int(out, -1); cbor_int(out, 1);   // crv P-256
      cbor_int(out, -2); cbor_bytes(out, crypto::ByteView(point + 1, 32));
      cbor_int(out, -3); cbor_bytes(out, crypto::ByteView(point + 33, 32));
    } else {
      unsigned char raw[32];
      std::size_t len = sizeof raw;
      EVP_PKEY_get_raw_public_key(key_.get(), raw, &len);
      cbor_head(out, 5, 4);
      cbor_int(out, 1); cbor_int(out, 1);    // kty OKP
      cbor_int(out, 3); cbor_int(out, -8);   // alg EdDSA
      cbor_int(out, -1); cbor_int(out, 6);   // crv Ed25519
      cbor_int(out, -2); cbor_bytes(out, crypto::ByteView(raw, 32));
    }
    return out;
  }

  crypto::Bytes auth_data(bool attested) const {
    auto h = crypto::sha256(crypto::as_bytes(rp_id));
    crypto::Bytes out(h.begin(), h.end());
    out.push_back(static_cast<std::uint8_t>(flags | (attested ? 0x40 : 0)));
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(counter >> s));
    if (attested) {
      out.insert(out.end(), 16, 0);  // AAGUID
      out.push_back(static_cast<std::uint8_t>(id_.size() >> 8));
      out.push_back(static_cast<std::uint8_t>(id_.size()));
      out.insert(out.end(), id_.begin(), id_.end());
      auto key = cose_key();
      out.insert(out.end(), key.begin(), key.end());
    }
    return out;
  }

  // navigator.credentials.create: clientDataJSON and the attestation object.
  std::pair<crypto::Bytes, crypto::Bytes> create(std::string_view challenge) const {
    crypto::Bytes att;
    cbor_head(att, 5, 3);
    cbor_text(att, "fmt"); cbor_text(att, "none");
    cbor_text(att, "attStmt"); cbor_head(att, 5, 0);
    cbor_text(att, "authData"); cbor_bytes(att, auth_data(true));
    return {client_data("webauthn.create", challenge), att};
  }

  // navigator.credentials.get.
  SoftAssertion get(std::string_view challenge) {
    SoftAssertion a;
    a.id = id();
    a.client_data_json = client_data("webauthn.get", challenge);
    a.authenticator_data = auth_data(false);
    auto hash = crypto::sha256(a.client_data_json);
    crypto::Bytes message = a.authenticator_data;
    message.insert(message.end(), hash.begin(), hash.end());
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestSignInit(ctx.get(), nullptr, kind_ == Kind::es256 ? EVP_sha256() : nullptr, nullptr, key_.get());
    std::size_t len = 0;
    EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size());
    a.signature.resize(len);
    EVP_DigestSign(ctx.get(), a.signature.data(), &len, message.data(), message.size());
    a.signature.resize(len);
    return a;
  }

 private:
  Kind kind_;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_{nullptr, EVP_PKEY_free};
  crypto::Bytes id_;
};

}  // namespace signalnode::testing
