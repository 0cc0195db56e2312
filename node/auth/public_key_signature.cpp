#include "node/auth/public_key_signature.hpp"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

#include "crypto/openssl_handles.hpp"

namespace signalnode::node::auth {

namespace {
using crypto::ossl::EcdsaSig;
using crypto::ossl::MdCtx;
using crypto::ossl::ParamBld;
using crypto::ossl::Params;
using crypto::ossl::PkeyCtx;

std::optional<crypto::Bytes> to_der(EVP_PKEY* key) {
  int len = i2d_PUBKEY(key, nullptr);
  if (len <= 0) return std::nullopt;
  crypto::Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  if (i2d_PUBKEY(key, &p) != len) return std::nullopt;
  return out;
}

crypto::ossl::Pkey from_params(const char* type, OSSL_PARAM* params) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
    return nullptr;
  }
  return crypto::ossl::Pkey(raw);
}

bool public_key_checks(EVP_PKEY* key) {
  PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  return check && EVP_PKEY_public_check(check.get()) == 1;
}

crypto::ossl::Pkey parse_der(crypto::ByteView der) {
  const unsigned char* p = der.data();
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (key && p != der.data() + der.size()) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return crypto::ossl::Pkey(key);
}
}  // namespace

std::optional<SignatureAlgorithm> signature_algorithm_from_cose(std::int64_t alg) {
  switch (alg) {
    case -7: return SignatureAlgorithm::es256;
    case -8: return SignatureAlgorithm::eddsa;
    case -37: return SignatureAlgorithm::ps256;
    case -257: return SignatureAlgorithm::rs256;
    default: return std::nullopt;
  }
}

std::optional<crypto::Bytes> p256_public_key(crypto::ByteView x, crypto::ByteView y) {
  if (x.size() != 32 || y.size() != 32) return std::nullopt;
  crypto::Bytes point{0x04};
  point.insert(point.end(), x.begin(), x.end());
  point.insert(point.end(), y.begin(), y.end());
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size())) {
    return std::nullopt;
  }
  Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return std::nullopt;
  auto key = from_params("EC", params.get());
  if (!key || !public_key_checks(key.get())) return std::nullopt;
  return to_der(key.get());
}

std::optional<crypto::Bytes> ed25519_public_key(crypto::ByteView x) {
  if (x.size() != 32) return std::nullopt;
  crypto::ossl::Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, x.data(), x.size()));
  if (!key) return std::nullopt;
  return to_der(key.get());
}

std::optional<crypto::Bytes> rsa_public_key(crypto::ByteView n, crypto::ByteView e) {
  // 2048 to 4096 bits (leading zero bytes aside); an odd exponent of at
  // least 65537 and at most 32 bits (with e = 1 or 3 a signature is forged
  // or far weaker: RFC 8017 and NIST SP 800-56B want e > 2^16).
  while (!n.empty() && n.front() == 0) n = n.subspan(1);
  while (!e.empty() && e.front() == 0) e = e.subspan(1);
  if (n.size() < 256 || n.size() > 512 || e.empty() || e.size() > 4 || (e.back() & 1) == 0) return std::nullopt;
  std::uint32_t exponent = 0;
  for (std::uint8_t byte : e) exponent = (exponent << 8) | byte;
  if (exponent < 65537) return std::nullopt;
  crypto::ossl::Bignum bn_n(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
  crypto::ossl::Bignum bn_e(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    return std::nullopt;
  }
  Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return std::nullopt;
  auto key = from_params("RSA", params.get());
  if (!key) return std::nullopt;
  return to_der(key.get());
}

bool verify_signature(crypto::ByteView spki_der, SignatureAlgorithm alg, crypto::ByteView message,
                      crypto::ByteView signature) {
  if (signature.empty() || signature.size() > 1024) return false;
  auto key = parse_der(spki_der);
  if (!key) return false;
  const int type = EVP_PKEY_get_base_id(key.get());
  const EVP_MD* md = EVP_sha256();
  switch (alg) {
    case SignatureAlgorithm::es256: {
      if (type != EVP_PKEY_EC || EVP_PKEY_get_bits(key.get()) != 256) return false;
      break;
    }
    case SignatureAlgorithm::eddsa:
      if (type != EVP_PKEY_ED25519) return false;
      md = nullptr;  // Ed25519 hashes itself
      break;
    case SignatureAlgorithm::rs256:
    case SignatureAlgorithm::ps256:
      if (type != EVP_PKEY_RSA || EVP_PKEY_get_bits(key.get()) < 2048) return false;
      break;
  }
  MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key.get()) != 1) return false;
  if (alg == SignatureAlgorithm::ps256) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) <= 0) {
      return false;
    }
  } else if (alg == SignatureAlgorithm::rs256) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0) return false;
  }
  return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
}

std::optional<crypto::Bytes> ecdsa_raw_to_der(crypto::ByteView raw) {
  if (raw.size() != 64) return std::nullopt;
  EcdsaSig sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return std::nullopt;
  crypto::Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  if (i2d_ECDSA_SIG(sig.get(), &p) != len) return std::nullopt;
  return out;
}

}  // namespace signalnode::node::auth
