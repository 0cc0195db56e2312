// What a browser or authenticator hands the node for a passkey (issue 21):
// any bytes as a CBOR item, an attestation object, authenticator data, a
// COSE key and client data JSON either parse within the limits or are
// refused; nothing allocates beyond them, nothing crashes. The first byte
// picks the parser, so one corpus covers all.
#include <cstdint>
#include <string_view>

#include "crypto/bytes.hpp"
#include "node/auth/base64url.hpp"
#include "node/auth/cbor_value.hpp"
#include "node/auth/webauthn.hpp"

namespace {
std::size_t count_items(const signalnode::node::auth::CborValue& v, std::size_t depth) {
  if (depth > signalnode::node::auth::kMaxCborDepth + 1) __builtin_trap();
  std::size_t n = 1;
  for (const auto& item : v.items) n += count_items(item, depth + 1);
  return n;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace au = signalnode::node::auth;
  if (size == 0) return 0;
  const signalnode::crypto::ByteView in(data + 1, size - 1);
  switch (data[0] % 6) {
    case 0: {
      std::size_t used = 0;
      if (auto v = au::read_cbor(in, &used)) {
        if (used == 0 || used > in.size()) __builtin_trap();
        if (count_items(*v, 0) > au::kMaxCborItems) __builtin_trap();
      }
      break;
    }
    case 1:
      if (auto a = au::attestation_auth_data(in); a && a->size() > in.size()) __builtin_trap();
      break;
    case 2:
      if (auto a = au::parse_authenticator_data(in)) {
        if (a->rp_id_hash.size() != 32 || a->credential_id.size() > au::kMaxCredentialIdBytes) __builtin_trap();
        if ((a->flags & au::kFlagAttested) && a->public_key_der.empty()) __builtin_trap();
      }
      break;
    case 3:
      (void)au::parse_cose_key(in);
      break;
    case 4:
      if (auto c = au::parse_client_data(in); c && in.size() > au::kMaxClientDataBytes) __builtin_trap();
      break;
    default: {
      const std::string_view text(reinterpret_cast<const char*>(in.data()), in.size());
      if (auto b = au::from_base64url(text, 64); b && b->size() > 64) __builtin_trap();
      break;
    }
  }
  return 0;
}
