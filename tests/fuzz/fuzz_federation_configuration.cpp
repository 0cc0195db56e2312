// A signed federation configuration as a partner serves it (GET
// /federation/v1/configuration): any bytes either parse into a document
// whose canonical form parses back to the same version, or are refused with
// ConfigurationError; verifying what parsed (as a first version, and after a
// fixed previous one) refuses or accepts, never anything else.
#include <cstdint>
#include <string_view>

#include "crypto/random.hpp"
#include "node/federation/signed_configuration.hpp"

namespace f = signalnode::node::federation;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = [] {
    signalnode::crypto::init();
    return true;
  }();
  (void)ready;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto doc = f::parse_configuration(text);
    auto again = f::parse_configuration(doc.to_json());
    if (again.sha256() != doc.sha256() || again.signatures.size() != doc.signatures.size()) __builtin_trap();
    if (doc.threshold < 1 || doc.threshold > doc.signers.size()) __builtin_trap();
    try {
      f::verify_configuration(doc, nullptr, "gemeente-aalsmeer");
    } catch (const f::ConfigurationError&) {
    }
    try {
      f::verify_configuration(doc, &again, "gemeente-aalsmeer");  // never newer than itself
      __builtin_trap();
    } catch (const f::ConfigurationError& e) {
      if (e.refusal.kind != f::ConfigurationRefusal::Kind::not_newer) __builtin_trap();
    }
  } catch (const f::ConfigurationError&) {
  }
  return 0;
}
