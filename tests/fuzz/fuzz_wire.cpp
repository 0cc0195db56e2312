// The federation wire decoders: every byte a partner (or an attacker holding
// a partner's certificate) can send in a batch or receipt.
#include <cstdint>

#include "protocol/wire.hpp"

namespace w = signalnode::protocol::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  signalnode::crypto::ByteView bytes(data, size);
  std::string error;
  if (auto b = w::decode_batch(bytes, error)) {
    // What decodes must encode back to the same bytes (one canonical form).
    if (w::encode(*b) != signalnode::crypto::Bytes(data, data + size)) __builtin_trap();
  }
  (void)w::decode_receipt(bytes, error);
  if (auto s = w::decode_signed(bytes, error)) (void)w::decode_batch(s->message, error);
  return 0;
}
