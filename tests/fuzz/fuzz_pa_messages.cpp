// The PA's request parser (bodies from partners) and the client's answer
// parser (bodies from the PA): both cross the network.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "crypto/random.hpp"
#include "node/pseudonyms/oprf_keyring.hpp"
#include "node/pseudonyms/pa_service.hpp"

namespace ps = signalnode::node::pseudonyms;

namespace {
ps::PaService& service() {
  static const std::unique_ptr<ps::PaService> pa = [] {
    signalnode::crypto::init();
    auto dir = std::filesystem::temp_directory_path() / ("sn-fuzz-pa-" + signalnode::crypto::random_hex_id(6));
    ps::OprfKeyring::create_next_epoch(dir);
    auto ring = ps::OprfKeyring::load(dir);
    std::filesystem::remove_all(dir);
    return std::make_unique<ps::PaService>(
        std::move(ring),
        ps::PaLimits{.max_batch = 1000, .elements_per_second = 1e12, .burst = 1e12, .budget = ps::kNoPaBudget, .partner_budgets = {}});
  }();
  return *pa;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto result = service().evaluate_json("fuzzer", body);
  if (auto* answer = std::get_if<ps::PaAnswer>(&result)) {
    auto back = ps::parse_pa_answer(ps::pa_answer_json(*answer), answer->evaluated.size());
    if (!back || back->evaluated != answer->evaluated) __builtin_trap();
  }
  for (std::size_t expected : {std::size_t{1}, std::size_t{2}, std::size_t{1000}}) {
    (void)ps::parse_pa_answer(body, expected);
  }
  return 0;
}
