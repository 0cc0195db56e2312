// A certificate chain and its private key, as PEM, for a TLS endpoint.
#pragma once

#include <filesystem>
#include <string>

#include "crypto/bytes.hpp"

namespace signalnode::node::net {

struct TlsIdentity {
  std::string certificate_chain_pem;
  crypto::SecretBytes private_key_pem;

  // The key file must be 0600 (crypto::read_secret_file refuses otherwise).
  static TlsIdentity load(const std::filesystem::path& cert, const std::filesystem::path& key);
};

std::string read_text_file(const std::filesystem::path& path, std::size_t max_bytes = 1 << 20);

}  // namespace signalnode::node::net
