// A value or the reason a named input field was rejected. Used wherever
// untrusted input is validated, so errors can name the field (RFC 9457).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace signalnode::protocol {

struct FieldError {
  std::string field;   // JSON-pointer-like path, e.g. "subjects/2/bsn"
  std::string reason;  // what is wrong, never the rejected value itself
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(FieldError error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const FieldError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, FieldError> v_;
};

}  // namespace signalnode::protocol
