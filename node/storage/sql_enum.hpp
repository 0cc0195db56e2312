// Enums stored as TEXT: one spelling per value, in one place, instead of
// string literals spread through SQL. An enum E takes part by specialising
// SqlValues<E> with the column it is stored in (for errors), every value (for
// from_sql), and name(E), a switch, so -Wswitch names a value without a
// spelling:
//
//   template <> struct storage::SqlValues<E> {
//     static constexpr std::string_view column = "outbox.state";
//     static constexpr E all[] = {E::queued, ...};
//     static constexpr std::string_view name(E e) { switch (e) { ... } }
//   };
//   static_assert(sql_values_are_complete<E>());  // `all` lists every value
//
// The CHECK constraints in schema.cpp hold the same spellings, frozen in the
// migration that added them; tests insert every value of every enum to show
// that they agree.
#pragma once

#include <concepts>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace signalnode::node::storage {

template <typename E>
struct SqlValues;

template <typename E>
concept SqlEnum = std::is_enum_v<E> && requires {
  { SqlValues<E>::column } -> std::convertible_to<std::string_view>;
  SqlValues<E>::all;
  { SqlValues<E>::name(E{}) } -> std::convertible_to<std::string_view>;
};

// A value read from the database that no enumerator spells: the schema's CHECK
// keeps them out, so this is a damaged or foreign database, never a default.
class UnknownValue : public std::runtime_error {
 public:
  UnknownValue(std::string_view column, std::string_view value)
      : std::runtime_error(std::string(column) + " holds an unknown value '" + std::string(value.substr(0, 64)) + "'") {}
};

// The value's spelling in the database.
template <SqlEnum E>
constexpr std::string_view to_sql(E value) {
  return SqlValues<E>::name(value);
}

template <SqlEnum E>
constexpr std::optional<E> from_sql(std::string_view text) {
  for (E e : SqlValues<E>::all) {
    if (to_sql(e) == text) return e;
  }
  return std::nullopt;
}

// from_sql for a value read back from `column` (default: the enum's own):
// an unknown value is an error naming the column and the value.
template <SqlEnum E>
E read_sql(std::string_view text, std::string_view column = SqlValues<E>::column) {
  if (auto e = from_sql<E>(text)) return *e;
  throw UnknownValue(column, text);
}

// The value as an SQL string literal, for statements whose text is fixed
// (a partial index is only used when its WHERE term is spelled out). The
// spellings are [a-z_] only (checked below), so nothing needs escaping.
template <SqlEnum E>
std::string sql_literal(E value) {
  return "'" + std::string(to_sql(value)) + "'";
}

// "('queued', 'sending')", for IN.
template <SqlEnum E, typename... More>
std::string sql_list(E first, More... more) {
  std::string out = "(" + sql_literal(first);
  ((out += ", " + sql_literal(more)), ...);
  return out + ")";
}

// Concatenates SQL text and enum values (as literals) into one statement.
// Built once into a function-local static, the text is stable, as
// Database::cached needs.
template <typename... Parts>
std::string sql(const Parts&... parts) {
  std::string out;
  auto add = [&out](const auto& part) {
    if constexpr (SqlEnum<std::decay_t<decltype(part)>>) {
      out += sql_literal(part);
    } else {
      out += part;
    }
  };
  (add(parts), ...);
  return out;
}

// What the enum's header asserts at compile time: every spelling is a
// non-empty [a-z_] word, no two values share one, and every value of the
// underlying type that to_sql names (probed up to 255) is listed in `all`.
template <SqlEnum E>
constexpr bool sql_values_are_complete() {
  auto word = [](std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
      if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
    }
    return true;
  };
  std::size_t listed = 0;
  for (E e : SqlValues<E>::all) {
    if (!word(to_sql(e))) return false;
    for (E other : SqlValues<E>::all) {
      if (other != e && to_sql(other) == to_sql(e)) return false;
    }
    ++listed;
  }
  std::size_t named = 0;
  for (int v = 0; v <= 255; ++v) {
    if (!to_sql(static_cast<E>(v)).empty()) ++named;
  }
  return listed == named;
}

}  // namespace signalnode::node::storage
