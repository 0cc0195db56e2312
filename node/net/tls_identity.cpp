#include "node/net/tls_identity.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "crypto/secret_file.hpp"

namespace signalnode::node::net {

std::string read_text_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  if (std::filesystem::file_size(path) > max_bytes) throw std::runtime_error(path.string() + " is too large");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TlsIdentity TlsIdentity::load(const std::filesystem::path& cert, const std::filesystem::path& key) {
  return TlsIdentity{read_text_file(cert), crypto::read_secret_file(key)};
}

}  // namespace signalnode::node::net
