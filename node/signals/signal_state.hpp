// A signal's typed columns: whether it stands or was withdrawn (status) and
// whether the covenant has been applied to its current content (share_state),
// with their spellings in SQL.
#pragma once

#include <string_view>

#include "node/storage/sql_enum.hpp"

namespace signalnode::node::signals {

enum class SignalStatus { active, withdrawn };

// pending: stored or corrected, not yet decided per partner (waits for its
// pseudonyms); decided: the outbox holds what each partner gets.
enum class ShareState { pending, decided };

using storage::from_sql;
using storage::read_sql;
using storage::to_sql;

}  // namespace signalnode::node::signals

namespace signalnode::node::storage {

template <>
struct SqlValues<signals::SignalStatus> {
  using E = signals::SignalStatus;
  static constexpr std::string_view column = "signals.status";
  static constexpr E all[] = {E::active, E::withdrawn};
  static constexpr std::string_view name(E e) {
    switch (e) {
      case E::active: return "active";
      case E::withdrawn: return "withdrawn";
    }
    return {};
  }
};
static_assert(sql_values_are_complete<signals::SignalStatus>());

template <>
struct SqlValues<signals::ShareState> {
  using E = signals::ShareState;
  static constexpr std::string_view column = "signals.share_state";
  static constexpr E all[] = {E::pending, E::decided};
  static constexpr std::string_view name(E e) {
    switch (e) {
      case E::pending: return "pending";
      case E::decided: return "decided";
    }
    return {};
  }
};
static_assert(sql_values_are_complete<signals::ShareState>());

}  // namespace signalnode::node::storage
