// A partner's list of the records it holds (GET /federation/v1/held), read by
// a node restored from a backup: any bytes either parse into at most a page
// of valid, ordered record ids and categories, or throw runtime_error.
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "node/sharing/reconcile.hpp"
#include "policies/record_fields.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using signalnode::node::sharing::Reconcile;
  try {
    auto page = Reconcile::page_from_json(std::string_view(reinterpret_cast<const char*>(data), size));
    if (page.records.size() > Reconcile::kPage) __builtin_trap();
    for (std::size_t i = 0; i < page.records.size(); ++i) {
      if (!signalnode::policies::valid_record_id(page.records[i].record_id)) __builtin_trap();
      if (i > 0 && page.records[i].record_id <= page.records[i - 1].record_id) __builtin_trap();
    }
    if (!page.next.empty() && page.next != page.records.back().record_id) __builtin_trap();
  } catch (const std::runtime_error&) {
  }
  return 0;
}
