// Query strings of API requests.
#include <cstdint>
#include <string_view>

#include "node/api/router.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto q = signalnode::node::api::parse_query(std::string_view(reinterpret_cast<const char*>(data), size));
  if (q) {
    for (const auto& [k, v] : *q) {
      if (k.size() > size || v.size() > size) __builtin_trap();
    }
  }
  return 0;
}
