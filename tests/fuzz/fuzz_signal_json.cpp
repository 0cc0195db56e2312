// The signal body parser: everything an officer's client (or an attacker with
// a stolen token) can send to POST /api/v1/signals.
#include <chrono>
#include <cstdint>
#include <string_view>

#include "node/signals/signal_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace std::chrono;
  static const auto& taxonomy = signalnode::policies::Taxonomy::builtin();
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto result = signalnode::node::signals::parse_signal(body, taxonomy, sys_days{year{2026} / 11 / 24});
  if (result.ok()) {
    // What was accepted must survive its own sealing format.
    signalnode::node::signals::Signal back;
    if (!signalnode::node::signals::open_payload(signalnode::node::signals::sealed_payload(result.value()), back)) {
      __builtin_trap();
    }
  }
  return 0;
}
