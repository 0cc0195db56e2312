// What a notification is about (issue 17): a topic and nothing else. A notice
// never carries what it concerns (no subject, identifier, category,
// municipality or partner), so a mail or webhook built from notices can only
// say how many of each topic wait, and where to look.
#pragma once

#include <string_view>

#include "node/storage/sql_enum.hpp"

namespace signalnode::node::notify {

enum class Topic {
  // officer
  feedback_received,  // a partner's feedback on one of their signals
  signal_hit,         // a received record concerns a subject of one of their signals
  request_to_decide,  // a partner asks about one of their signals (or the role decides)
  request_overdue,    // a request they were to decide passed its deadline
  // analyst
  alert,              // a bundle alert was opened or grew
  case_opened,
  request_answered,   // a partner answered their request
  feedback_overdue,   // received records past their rule's feedback period
  // privacy officer
  log_unverified,      // the node's own log did not verify
  tree_head_mismatch,  // a partner's signed log state does not fit what was witnessed before
  records_rejected,    // a partner's records or follow-ups were refused
  pa_budget_alarm,     // a partner asked the PA for more than its budget
  // admin
  login_throttled,       // wrong passwords made an account or address wait
  certificate_expiring,  // within 30 days
  outbox_backlog,        // records waiting long for a partner
  configuration_refused, // a signed federation configuration was refused (the last good one stays)
};

// Who hears a topic by default (the role); an audience can also be one user.
std::string_view topic_role(Topic t);

}  // namespace signalnode::node::notify

namespace signalnode::node::storage {

template <>
struct SqlValues<notify::Topic> {
  using E = notify::Topic;
  static constexpr std::string_view column = "notices.topic";
  static constexpr E all[] = {E::feedback_received, E::signal_hit,         E::request_to_decide,
                              E::request_overdue,   E::alert,              E::case_opened,
                              E::request_answered,  E::feedback_overdue,   E::log_unverified,
                              E::tree_head_mismatch, E::records_rejected,  E::pa_budget_alarm,
                              E::login_throttled,   E::certificate_expiring, E::outbox_backlog,
                              E::configuration_refused};
  static constexpr std::string_view name(E e) {
    switch (e) {
      case E::feedback_received: return "feedback_received";
      case E::signal_hit: return "signal_hit";
      case E::request_to_decide: return "request_to_decide";
      case E::request_overdue: return "request_overdue";
      case E::alert: return "alert";
      case E::case_opened: return "case_opened";
      case E::request_answered: return "request_answered";
      case E::feedback_overdue: return "feedback_overdue";
      case E::log_unverified: return "log_unverified";
      case E::tree_head_mismatch: return "tree_head_mismatch";
      case E::records_rejected: return "records_rejected";
      case E::pa_budget_alarm: return "pa_budget_alarm";
      case E::login_throttled: return "login_throttled";
      case E::certificate_expiring: return "certificate_expiring";
      case E::outbox_backlog: return "outbox_backlog";
      case E::configuration_refused: return "configuration_refused";
    }
    return {};
  }
};
static_assert(sql_values_are_complete<notify::Topic>());

}  // namespace signalnode::node::storage
