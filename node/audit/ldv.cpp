#include "node/audit/ldv.hpp"

#include "crypto/bytes.hpp"
#include "crypto/sha256.hpp"

namespace signalnode::node::audit::ldv {

std::string callee_span_id(std::string_view trace_id, std::string_view caller_span_id) {
  std::string input = "signalnode-ldv-callee-span-v1|" + std::string(trace_id) + "|" + std::string(caller_span_id);
  auto digest = crypto::sha256(crypto::as_bytes(input));
  return crypto::to_hex(crypto::ByteView(digest.data(), 8));
}

std::string external_read_api_id(std::string_view read_api_url, std::string_view oin) {
  if (!read_api_url.empty()) return std::string(read_api_url);
  return "urn:oin:" + std::string(oin);
}

}  // namespace signalnode::node::audit::ldv
