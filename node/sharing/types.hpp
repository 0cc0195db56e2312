// What the sharing jobs tell their callers: states of records and follow-ups
// as the officer sees them, feedback received, and the outcomes of requests.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node/sharing/feedback_state.hpp"
#include "policies/projection.hpp"

namespace signalnode::node::sharing {

using NowMs = std::function<std::int64_t()>;

// Feedback an analyst sets on a received record; codes, so that no free text
// travels unless a rule allows a note (docs/protocol.md). The status codes are
// FeedbackStatus (feedback_state.hpp).
inline constexpr std::string_view kFeedbackReasons[] = {
    "insufficient_information", "outside_mandate", "already_known", "no_violation_found",
    "no_capacity", "forwarded_to_police", "forwarded_to_partner"};
inline constexpr std::size_t kMaxFeedbackNote = 500;
// Why feedback is deliberately withheld (status `withheld`): one of these is
// required with that status, and none of them goes with another status.
// investigation_interest: het belang van het onderzoek (an investigation would
// be harmed if the source learnt more); legal_restriction: een wettelijke
// geheimhoudingsplicht (e.g. tax or criminal-records secrecy) forbids saying
// more; source_protection: bescherming van een bron (the answer would reveal
// who else reported).
inline constexpr std::string_view kWithheldReasons[] = {"investigation_interest", "legal_restriction",
                                                        "source_protection"};

bool is_feedback_status(std::string_view s);
// A reason code of either list (kFeedbackReasons, kWithheldReasons).
bool is_feedback_reason(std::string_view s);
bool is_withheld_reason(std::string_view s);

// What is wrong with a feedback status and reason code together: the field,
// and why in Dutch and English (the API answers both; a receipt carries
// "<field> <en>"). nullopt when they fit.
struct FeedbackCodeProblem {
  std::string field;  // status | reason
  std::string nl;
  std::string en;
};
std::optional<FeedbackCodeProblem> check_feedback_codes(std::string_view status, std::string_view reason);

// Whether feedback with this status answers a record (every status but
// `received`: an acknowledgement is no answer; `withheld` is one).
bool answers_record(std::string_view status);

// When feedback on a record is due under its rule's feedback_period_days,
// counted from `from_ms` (the recipient: its receipt of the record; the
// source: the receipt acknowledging its delivery). nullopt: the rule has no
// period, or is not in the covenant in force.
std::optional<std::int64_t> feedback_due_at(const policies::Rule* rule, std::int64_t from_ms);

// A withdrawal or correction sent after a record, as the officer sees it.
struct FollowUp {
  std::string kind;   // withdrawal | correction
  std::string state;  // queued | failing | applied | rejected | void
  std::string reason;
};

struct PartnerState {
  std::string partner;
  std::string state;  // not_shared | queued | failing | delivered | rejected | cancelled
  std::string rule_id;
  std::string reason;  // why not shared, why rejected, or the last delivery error
  std::int64_t attempts = 0;
  std::optional<std::int64_t> delivered_at_ms;
  std::optional<FollowUp> follow_up;  // the latest withdrawal or correction
  bool answered = false;  // the partner sent feedback other than `received`
};

// What partners told the source about one of its signals.
struct FeedbackItem {
  std::string kind;  // feedback | bundle_notice
  std::string partner;
  std::string status, reason, note;  // feedback
  std::int64_t organisations = -1;   // notice, where granted
  std::vector<std::string> categories;
  std::int64_t received_at_ms = 0;
};

// What became of an officer's or analyst's request: a domain outcome, which
// the adapters (the API, the CLI) render in their own terms.
struct [[nodiscard]] Outcome {
  enum class Kind { done, queued, invalid, not_found, conflict, forbidden };
  Kind kind = Kind::done;
  std::string field;  // the offending field of an invalid request
  std::string detail;
  boost::json::object body;  // what was done or queued

  static Outcome queued(boost::json::object body) { return {Kind::queued, {}, {}, std::move(body)}; }
  static Outcome invalid(std::string field, std::string detail) {
    return {Kind::invalid, std::move(field), std::move(detail), {}};
  }
  static Outcome not_found(std::string detail) { return {Kind::not_found, {}, std::move(detail), {}}; }
  static Outcome conflict(std::string detail) { return {Kind::conflict, {}, std::move(detail), {}}; }
  static Outcome forbidden(std::string detail) { return {Kind::forbidden, {}, std::move(detail), {}}; }
  static Outcome done(boost::json::object body) { return {Kind::done, {}, {}, std::move(body)}; }
};

// A list row's view of an own signal: where it is per partner, and how many
// partners answered.
struct SignalProgress {
  std::vector<PartnerState> sharing;
  std::int64_t feedback = 0;
};

struct OutboxStats {
  std::int64_t depth = 0;
  std::int64_t oldest_ms = 0;
};

// The answer to a partner's batch: a signed receipt, or why the batch as a
// whole was refused (nothing in it was applied).
struct [[nodiscard]] ReceiveOutcome {
  enum class Kind { receipt, malformed, not_from_peer, over_budget };
  Kind kind = Kind::receipt;
  std::string receipt;  // the signed receipt's bytes
  std::string reason;   // why it was refused
  double retry_after_seconds = 0;  // over_budget: when the records would fit

  static ReceiveOutcome receipt_of(std::string bytes) { return {Kind::receipt, std::move(bytes), {}, 0}; }
  static ReceiveOutcome refused(Kind kind, std::string reason) { return {kind, {}, std::move(reason), 0}; }
};

// ISO 8601 week of a YYYY-MM-DD date, e.g. "2026-W47" (coarse time).
using policies::iso_week;

}  // namespace signalnode::node::sharing
