#include "crypto/voprf.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>
#include <string_view>

namespace signalnode::crypto::voprf {

namespace {

void append(Bytes& out, ByteView data) { out.insert(out.end(), data.begin(), data.end()); }
void append(Bytes& out, std::string_view text) { append(out, as_bytes(text)); }
void append_u16(Bytes& out, std::size_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v & 0xff));
}
// I2OSP(len(x), 2) || x, the framing of every transcript field.
void append_framed(Bytes& out, ByteView data) {
  append_u16(out, data.size());
  append(out, data);
}

Bytes dst_with(std::string_view prefix) {
  Bytes dst;
  append(dst, prefix);
  append(dst, context_string());
  return dst;
}

bool is_zero(ByteView bytes) { return sodium_is_zero(bytes.data(), bytes.size()) == 1; }

bool is_canonical(const PublicScalar& s) {
  // Reducing the value (zero-extended to 64 bytes) leaves a canonical one unchanged.
  std::array<std::uint8_t, 64> wide{};
  std::memcpy(wide.data(), s.data(), kScalarBytes);
  PublicScalar reduced{};
  crypto_core_ristretto255_scalar_reduce(reduced.data(), wide.data());
  return reduced == s;
}

PublicScalar hash_to_scalar(ByteView input) {
  static const Bytes dst = dst_with("HashToScalar-");
  Scalar s = oprf::hash_to_scalar(input, dst);
  PublicScalar out{};
  std::memcpy(out.data(), s.data(), kScalarBytes);
  return out;
}

// libsodium refuses an identity result (returns -1); with valid, non-identity
// inputs that only happens for a zero scalar, which the callers treat as failure.
bool mul(Element& out, const std::uint8_t* scalar, const Element& point) {
  return crypto_scalarmult_ristretto255(out.data(), scalar, point.data()) == 0;
}
bool mul_base(Element& out, const std::uint8_t* scalar) {
  return crypto_scalarmult_ristretto255_base(out.data(), scalar) == 0;
}
bool add(Element& out, const Element& a, const Element& b) {
  return crypto_core_ristretto255_add(out.data(), a.data(), b.data()) == 0;
}

bool all_valid(std::span<const Element> elements) {
  for (const auto& e : elements) {
    if (!oprf::is_valid_element(e)) return false;
  }
  return true;
}

// The per-element weights d_i of ComputeComposites(Fast): the seed binds the
// public key, each d_i binds its index and its (C_i, D_i) pair.
std::vector<PublicScalar> composite_weights(const Element& public_key, std::span<const Element> blinded,
                                            std::span<const Element> evaluated) {
  static const Bytes seed_dst = dst_with("Seed-");
  Bytes seed_transcript;
  append_framed(seed_transcript, public_key);
  append_framed(seed_transcript, seed_dst);
  std::array<std::uint8_t, crypto_hash_sha512_BYTES> seed{};
  crypto_hash_sha512(seed.data(), seed_transcript.data(), seed_transcript.size());

  std::vector<PublicScalar> weights(blinded.size());
  for (std::size_t i = 0; i < blinded.size(); ++i) {
    Bytes transcript;
    append_framed(transcript, seed);
    append_u16(transcript, i);
    append_framed(transcript, blinded[i]);
    append_framed(transcript, evaluated[i]);
    append(transcript, std::string_view("Composite"));
    weights[i] = hash_to_scalar(transcript);
  }
  return weights;
}

// sum_i weights[i] * points[i]; false on an identity term or sum.
bool weighted_sum(Element& out, std::span<const PublicScalar> weights, std::span<const Element> points) {
  for (std::size_t i = 0; i < points.size(); ++i) {
    Element term{};
    if (!mul(term, weights[i].data(), points[i])) return false;
    if (i == 0) {
      out = term;
    } else if (!add(out, out, term)) {
      return false;
    }
  }
  return !is_zero(out);
}

PublicScalar challenge(const Element& public_key, const Element& m, const Element& z, const Element& t2,
                       const Element& t3) {
  Bytes transcript;
  for (const Element* e : {&public_key, &m, &z, &t2, &t3}) append_framed(transcript, *e);
  append(transcript, std::string_view("Challenge"));
  return hash_to_scalar(transcript);
}

bool batch_size_ok(std::size_t n) { return n > 0 && n <= kMaxBatch; }

}  // namespace

std::array<std::uint8_t, kProofBytes> serialize(const Proof& proof) {
  std::array<std::uint8_t, kProofBytes> out{};
  std::memcpy(out.data(), proof.c.data(), kScalarBytes);
  std::memcpy(out.data() + kScalarBytes, proof.s.data(), kScalarBytes);
  return out;
}

std::optional<Proof> parse_proof(ByteView bytes) {
  if (bytes.size() != kProofBytes) return std::nullopt;
  Proof proof;
  std::memcpy(proof.c.data(), bytes.data(), kScalarBytes);
  std::memcpy(proof.s.data(), bytes.data() + kScalarBytes, kScalarBytes);
  if (!is_canonical(proof.c) || !is_canonical(proof.s)) return std::nullopt;
  return proof;
}

const Bytes& context_string() {
  static const Bytes context = oprf::context_string(oprf::kModeVoprf);
  return context;
}

KeyPair derive_key_pair(ByteView seed, ByteView info) { return oprf::derive_key_pair(seed, info, context_string()); }

std::optional<Blinded> blind_with(ByteView input, const Scalar& blind_scalar) {
  return oprf::blind_with(input, blind_scalar, context_string());
}

std::optional<Blinded> blind(ByteView input) { return oprf::blind(input, context_string()); }

Evaluation blind_evaluate(const Scalar& key, std::span<const Element> blinded) {
  return blind_evaluate_with(key, blinded, oprf::random_scalar());
}

Evaluation blind_evaluate_with(const Scalar& key, std::span<const Element> blinded, const Scalar& r) {
  Evaluation result;
  if (!batch_size_ok(blinded.size())) {
    result.invalid_index = 0;
    return result;
  }
  for (std::size_t i = 0; i < blinded.size(); ++i) {
    if (!oprf::is_valid_element(blinded[i])) {
      result.invalid_index = i;
      return result;
    }
  }
  // Valid, non-identity inputs with a non-zero key cannot give the identity;
  // a failure below would mean a broken key, not a bad request.
  auto broken = [] { return std::runtime_error("VOPRF evaluation failed: invalid key"); };
  Element public_key{};
  if (!mul_base(public_key, key.data())) throw broken();
  result.evaluated.resize(blinded.size());
  for (std::size_t i = 0; i < blinded.size(); ++i) {
    if (!mul(result.evaluated[i], key.data(), blinded[i])) throw broken();
  }

  // ComputeCompositesFast: the server knows k, so Z = k*M (one multiplication
  // instead of a second weighted sum).
  auto weights = composite_weights(public_key, blinded, result.evaluated);
  Element m{};
  Element z{};
  if (!weighted_sum(m, weights, blinded) || !mul(z, key.data(), m)) throw broken();

  Element t2{};
  Element t3{};
  if (!mul_base(t2, r.data()) || !mul(t3, r.data(), m)) throw std::invalid_argument("VOPRF proof: zero randomness");
  result.proof.c = challenge(public_key, m, z, t2, t3);
  // s = r - c*k; c*k is derived from the key, so it is wiped with it.
  Scalar ck;
  crypto_core_ristretto255_scalar_mul(ck.data(), result.proof.c.data(), key.data());
  crypto_core_ristretto255_scalar_sub(result.proof.s.data(), r.data(), ck.data());
  return result;
}

bool verify_proof(const Element& public_key, std::span<const Element> blinded, std::span<const Element> evaluated,
                  const Proof& proof) {
  if (!batch_size_ok(blinded.size()) || blinded.size() != evaluated.size()) return false;
  if (!oprf::is_valid_element(public_key) || !all_valid(blinded) || !all_valid(evaluated)) return false;
  if (!is_canonical(proof.c) || !is_canonical(proof.s)) return false;

  // ComputeComposites: the verifier has no k, so Z is the same weighted sum
  // over the evaluated elements.
  auto weights = composite_weights(public_key, blinded, evaluated);
  Element m{};
  Element z{};
  if (!weighted_sum(m, weights, blinded) || !weighted_sum(z, weights, evaluated)) return false;

  // t2 = s*G + c*pk, t3 = s*M + c*Z; an identity term only arises for a zero
  // scalar (probability 2^-252 for an honest proof), so refusing it is safe.
  Element s_g{};
  Element c_pk{};
  Element s_m{};
  Element c_z{};
  Element t2{};
  Element t3{};
  if (!mul_base(s_g, proof.s.data()) || !mul(c_pk, proof.c.data(), public_key) || !add(t2, s_g, c_pk) ||
      !mul(s_m, proof.s.data(), m) || !mul(c_z, proof.c.data(), z) || !add(t3, s_m, c_z)) {
    return false;
  }
  auto expected = challenge(public_key, m, z, t2, t3);
  return sodium_memcmp(expected.data(), proof.c.data(), kScalarBytes) == 0;
}

std::optional<std::vector<Output>> finalize(std::span<const ByteView> inputs, std::span<const Scalar> blinds,
                                            std::span<const Element> evaluated, std::span<const Element> blinded,
                                            const Element& public_key, const Proof& proof) {
  if (inputs.size() != blinds.size() || inputs.size() != evaluated.size()) return std::nullopt;
  if (!verify_proof(public_key, blinded, evaluated, proof)) return std::nullopt;
  std::vector<Output> outputs;
  outputs.reserve(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    auto out = finalize_verified(inputs[i], blinds[i], evaluated[i]);
    if (!out) return std::nullopt;
    outputs.push_back(*out);
  }
  return outputs;
}

std::optional<Output> finalize_verified(ByteView input, const Scalar& blind_scalar, const Element& evaluated) {
  // Finalize hashes input and unblinded element only; the mode is not in it,
  // so mode 0x00's code is exactly RFC 9497's VOPRF Finalize after the proof.
  return oprf::finalize(input, blind_scalar, evaluated);
}

}  // namespace signalnode::crypto::voprf
