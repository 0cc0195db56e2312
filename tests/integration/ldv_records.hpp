// Logboek Dataverwerkingen writes one record per data subject: an event about
// three subjects is three records, child spans of one operation (the same
// parentSpanId) under one trace. Tests that count what happened count
// operations; these group the items of GET /api/v1/audit/events by theirs.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace signalnode::testing {

// The operation a record belongs to: its parentSpanId, or its own span.
inline std::string operation_of(const boost::json::value& item) {
  const auto& e = item.as_object().contains("event") ? item.at("event") : item;
  const auto* parent = e.as_object().if_contains("parentSpanId");
  return std::string((parent ? *parent : e.at("spanId")).as_string()) + "/" + std::string(e.at("name").as_string());
}

// One item per operation (its first in the list), in list order.
inline boost::json::array one_per_operation(const boost::json::array& items) {
  boost::json::array out;
  std::vector<std::string> seen;
  for (const auto& item : items) {
    auto key = operation_of(item);
    bool known = false;
    for (const auto& s : seen) known = known || s == key;
    if (known) continue;
    seen.push_back(key);
    out.push_back(item);
  }
  return out;
}

// The data subjects the records of `item`'s operation name (dpl.core.data_subject_id).
inline std::vector<std::string> subjects_of_operation(const boost::json::array& items, const boost::json::value& item) {
  std::vector<std::string> out;
  const auto key = operation_of(item);
  for (const auto& other : items) {
    if (operation_of(other) != key) continue;
    const auto& e = other.as_object().contains("event") ? other.at("event") : other;
    if (const auto* s = e.at("attributes").as_object().if_contains("dpl.core.data_subject_id")) {
      out.emplace_back(s->as_string());
    }
  }
  return out;
}

}  // namespace signalnode::testing
