#include "node/auth/roles.hpp"

#include <array>

namespace signalnode::node::auth {

namespace {
constexpr std::array<std::string_view, 5> kNames = {"officer", "analyst", "privacy_officer", "admin", "metrics"};
}

std::string_view to_string(Role role) { return kNames[static_cast<std::size_t>(role)]; }

std::optional<Role> role_from_string(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

}  // namespace signalnode::node::auth
