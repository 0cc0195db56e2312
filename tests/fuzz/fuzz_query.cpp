// The parts of an API request the router reads itself: the query string and
// the Cookie header (the web session).
#include <cstdint>
#include <string_view>

#include "node/api/router.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto q = signalnode::node::api::parse_query(input);
  if (q) {
    for (const auto& [k, v] : *q) {
      if (k.size() > size || v.size() > size) __builtin_trap();
    }
  }
  signalnode::node::http::HttpRequest request;
  request.headers.emplace_back("cookie", std::string(input));
  std::string_view session = signalnode::node::api::session_cookie(request);
  // The value is a view into the header, never past it.
  const std::string_view header = request.headers.front().second;
  if (!session.empty() && (session.data() < header.data() || session.data() + session.size() > header.data() + header.size())) {
    __builtin_trap();
  }
  return 0;
}
