// Identifier canonicalisation: each canonical form must be a fixed point
// (canonicalising it again gives itself), or partners would disagree.
#include <chrono>
#include <cstdint>
#include <string>

#include "protocol/identifiers.hpp"

namespace p = signalnode::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  using namespace std::chrono;
  const sys_days today{year{2026} / 11 / 24};
  auto check_fixed_point = [](const p::Result<std::string>& first, auto again) {
    if (first.ok()) {
      auto second = again(first.value());
      if (!second.ok() || second.value() != first.value()) __builtin_trap();
    }
  };
  switch (data[0] % 8) {
    case 0: check_fixed_point(p::canonical_bsn(input), [](const std::string& s) { return p::canonical_bsn(s); }); break;
    case 1: check_fixed_point(p::canonical_kvk(input), [](const std::string& s) { return p::canonical_kvk(s); }); break;
    case 2: check_fixed_point(p::canonical_iban(input), [](const std::string& s) { return p::canonical_iban(s); }); break;
    case 3: check_fixed_point(p::canonical_phone(input), [](const std::string& s) { return p::canonical_phone(s); }); break;
    case 4: check_fixed_point(p::canonical_email(input), [](const std::string& s) { return p::canonical_email(s); }); break;
    // The (void) casts below discard on purpose: these forms have no fixed
    // point to check here, the fuzzer only looks for crashes and hangs.
    case 5: {
      auto name = p::normalise_name(input);
      if (name && p::normalise_name(*name) != name) __builtin_trap();
      (void)p::canonical_person(input, "1990-01-01", today);
      break;
    }
    case 6: {
      auto half = input.size() / 2;
      (void)p::canonical_address(input.substr(0, half), input.substr(half), "A", "");
      break;
    }
    default: {
      (void)p::canonical_plate(input.substr(0, 2), input);
      (void)p::canonical_document(input.substr(0, 2), input);
      (void)p::parse_date(input);
      break;
    }
  }
  return 0;
}
