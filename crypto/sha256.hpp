// SHA-256 through OpenSSL's EVP interface (token hashes, certificate pins, the
// audit Merkle tree).
#pragma once

#include <memory>

#include "crypto/bytes.hpp"

namespace signalnode::crypto {

using Digest256 = std::array<std::uint8_t, 32>;

Digest256 sha256(ByteView data);

// Incremental hashing; reusable after finish().
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256& update(ByteView data);
  Digest256 finish();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace signalnode::crypto
