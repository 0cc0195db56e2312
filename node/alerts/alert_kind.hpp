// alerts.kind, typed: a bundle (records from several organisations about one
// subject) or a hit (a received record about a subject of an own signal).
#pragma once

#include <string_view>

#include "node/storage/sql_enum.hpp"

namespace signalnode::node::alerts {

enum class AlertKind { bundle, hit };

using storage::from_sql;
using storage::read_sql;
using storage::to_sql;

}  // namespace signalnode::node::alerts

namespace signalnode::node::storage {

template <>
struct SqlValues<alerts::AlertKind> {
  using E = alerts::AlertKind;
  static constexpr std::string_view column = "alerts.kind";
  static constexpr E all[] = {E::bundle, E::hit};
  static constexpr std::string_view name(E e) {
    switch (e) {
      case E::bundle: return "bundle";
      case E::hit: return "hit";
    }
    return {};
  }
};
static_assert(sql_values_are_complete<alerts::AlertKind>());

}  // namespace signalnode::node::storage
