// The four user roles of a node (BRIEF 3.4) and what each may do.
#pragma once

#include <optional>
#include <string_view>

namespace signalnode::node::auth {

enum class Role { officer, analyst, privacy_officer, admin };

std::string_view to_string(Role role);
std::optional<Role> role_from_string(std::string_view name);

}  // namespace signalnode::node::auth
