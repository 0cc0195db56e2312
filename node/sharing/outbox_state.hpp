// The outbox's typed columns: where a message stands (state) and what it is
// (kind, the wire record's kind), with their spellings in SQL.
#pragma once

#include <string_view>

#include "node/storage/sql_enum.hpp"
#include "protocol/wire.hpp"

namespace signalnode::node::sharing {

// queued -> sending -> delivered | rejected, or back to queued on a failed
// attempt; cancelled while it still waited; voided when the partner refused
// the record a withdrawal or correction follows.
enum class OutboxState { queued, sending, delivered, rejected, cancelled, voided };

using storage::from_sql;
using storage::read_sql;
using storage::to_sql;

}  // namespace signalnode::node::sharing

namespace signalnode::node::storage {

template <>
struct SqlValues<sharing::OutboxState> {
  using E = sharing::OutboxState;
  static constexpr std::string_view column = "outbox.state";
  static constexpr E all[] = {E::queued, E::sending, E::delivered, E::rejected, E::cancelled, E::voided};
  static constexpr std::string_view name(E e) {
    switch (e) {
      case E::queued: return "queued";
      case E::sending: return "sending";
      case E::delivered: return "delivered";
      case E::rejected: return "rejected";
      case E::cancelled: return "cancelled";
      case E::voided: return "void";
    }
    return {};
  }
};
static_assert(sql_values_are_complete<sharing::OutboxState>());

// outbox.kind: the kind of the wire record the row carries.
template <>
struct SqlValues<protocol::wire::RecordKind> {
  using E = protocol::wire::RecordKind;
  static constexpr std::string_view column = "outbox.kind";
  static constexpr E all[] = {E::shared_signal,   E::withdrawal,      E::correction,    E::feedback,
                              E::bundle_notice,   E::contact_request, E::details_request, E::request_answer};
  static constexpr std::string_view name(E e) {
    switch (e) {
      case E::shared_signal: return "shared_signal";
      case E::withdrawal: return "withdrawal";
      case E::correction: return "correction";
      case E::feedback: return "feedback";
      case E::bundle_notice: return "bundle_notice";
      case E::contact_request: return "contact_request";
      case E::details_request: return "details_request";
      case E::request_answer: return "request_answer";
    }
    return {};
  }
};
static_assert(sql_values_are_complete<protocol::wire::RecordKind>());

}  // namespace signalnode::node::storage
