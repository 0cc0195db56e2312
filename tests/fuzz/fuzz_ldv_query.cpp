// The body of a Logboek Dataverwerkingen read query (POST
// /api/v1/ldv/processing-activities): hostile JSON from an API client.
// Whatever it is, the parser answers a query or field problems, never more
// than a few, with bounded names, and a query only ever carries well-formed
// selectors (so nothing unchecked reaches SQL).
#include <cstdint>
#include <string_view>
#include <variant>

#include "node/audit/ldv_query.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = signalnode::node::audit::parse_ldv_query(input);
  if (const auto* errors = std::get_if<std::vector<signalnode::protocol::FieldError>>(&parsed)) {
    if (errors->empty() || errors->size() > 16) __builtin_trap();
    for (const auto& e : *errors) {
      if (e.field.size() > 64 || e.reason.empty()) __builtin_trap();
    }
    return 0;
  }
  const auto& q = std::get<signalnode::node::audit::LdvQuery>(parsed);
  if (!q.trace_id && !q.activity_uri && !q.data_subject) __builtin_trap();
  if (q.trace_id && q.trace_id->size() != 32) __builtin_trap();
  if (q.data_subject && q.data_subject->size() != 128) __builtin_trap();
  if (q.activity_uri && q.activity_uri->size() > 200) __builtin_trap();
  if (size > signalnode::node::audit::kMaxLdvQueryBytes) __builtin_trap();
  return 0;
}
