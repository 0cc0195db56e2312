// Signals to and from the API's JSON. Parsing validates everything (BRIEF 3.4,
// 3.5) and reports every bad field; it never echoes rejected values.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "node/signals/signal.hpp"
#include "policies/taxonomy.hpp"
#include "protocol/result.hpp"

namespace signalnode::node::signals {

struct SignalLimits {
  std::size_t max_subjects = 64;
  std::size_t max_summary_bytes = 8 * 1024;
  std::size_t max_field_bytes = 300;
  unsigned max_depth = 8;  // the signal body has 3 levels; hostile nesting stops here
};

// Parses and validates a signal body. `today` is the node's local date: the
// observation date and birth dates may not lie after it.
struct SignalParse {
  std::optional<Signal> signal;               // when no field failed
  std::vector<protocol::FieldError> errors;  // every field that failed, in body order
};
// Every failing field (an unreadable body, JSON or unknown field stops at once):
// what a form shows beside its fields.
SignalParse parse_signal_all(std::string_view body, const policies::Taxonomy& taxonomy, std::chrono::sys_days today,
                             const SignalLimits& limits = {});
// The first failing field only.
protocol::Result<Signal> parse_signal(std::string_view body, const policies::Taxonomy& taxonomy,
                                      std::chrono::sys_days today, const SignalLimits& limits = {});

// The full signal as its own officers see it (with identifiers and summary).
boost::json::object signal_to_json(const Signal& signal);
boost::json::object summary_to_json(const SignalSummary& summary);

// The sealed part of a signal (summary and subjects) and back.
std::string sealed_payload(const Signal& signal);
bool open_payload(std::string_view payload, Signal& into);

std::string iso8601_utc(std::int64_t epoch_ms);
std::string iso_date(std::chrono::sys_days day);  // YYYY-MM-DD
boost::json::object subject_to_json(const Subject& subject);

}  // namespace signalnode::node::signals
