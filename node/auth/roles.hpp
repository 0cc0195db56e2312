// The four user roles of a node (BRIEF 3.4) and what each may do, plus `metrics`:
// a token-only role for a Prometheus scraper that may read GET /metrics and
// nothing else (no web account can hold it).
#pragma once

#include <optional>
#include <string_view>

namespace signalnode::node::auth {

enum class Role { officer, analyst, privacy_officer, admin, metrics };

// The roles a person holds (web accounts, and API routes open to "any
// authenticated role"); false for the scraper role `metrics`.
constexpr bool is_person_role(Role role) { return role != Role::metrics; }

std::string_view to_string(Role role);
std::optional<Role> role_from_string(std::string_view name);

}  // namespace signalnode::node::auth
