// Feedback's typed columns: what a partner's message about one of our records
// is (signal_feedback.kind) and the status code an analyst reports back
// (inbox.feedback_status, signal_feedback.status; the codes of
// docs/protocol.md), with their spellings in SQL.
#pragma once

#include <string_view>

#include "node/storage/sql_enum.hpp"

namespace signalnode::node::sharing {

enum class FeedbackKind { feedback, bundle_notice };

enum class FeedbackStatus {
  received,
  assessed,
  investigation_started,
  inspection_planned,
  action_taken,
  no_follow_up,
  forwarded,
  // Feedback deliberately withheld, with a required withholding reason
  // (kWithheldReasons in types.hpp): an answer, though not the content.
  withheld
};

using storage::from_sql;
using storage::read_sql;
using storage::to_sql;

}  // namespace signalnode::node::sharing

namespace signalnode::node::storage {

template <>
struct SqlValues<sharing::FeedbackKind> {
  using E = sharing::FeedbackKind;
  static constexpr std::string_view column = "signal_feedback.kind";
  static constexpr E all[] = {E::feedback, E::bundle_notice};
  static constexpr std::string_view name(E e) {
    switch (e) {
      case E::feedback: return "feedback";
      case E::bundle_notice: return "bundle_notice";
    }
    return {};
  }
};
static_assert(sql_values_are_complete<sharing::FeedbackKind>());

template <>
struct SqlValues<sharing::FeedbackStatus> {
  using E = sharing::FeedbackStatus;
  static constexpr std::string_view column = "inbox.feedback_status";
  static constexpr E all[] = {E::received,     E::assessed,     E::investigation_started, E::inspection_planned,
                              E::action_taken, E::no_follow_up, E::forwarded,          E::withheld};
  static constexpr std::string_view name(E e) {
    switch (e) {
      case E::received: return "received";
      case E::assessed: return "assessed";
      case E::investigation_started: return "investigation_started";
      case E::inspection_planned: return "inspection_planned";
      case E::action_taken: return "action_taken";
      case E::no_follow_up: return "no_follow_up";
      case E::forwarded: return "forwarded";
      case E::withheld: return "withheld";
    }
    return {};
  }
};
static_assert(sql_values_are_complete<sharing::FeedbackStatus>());

}  // namespace signalnode::node::storage
