// What the password step (users.cpp) and the second step of a log-in and
// step-up (second_step_login.cpp) share. Internal to node/auth.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/sha256.hpp"
#include "node/audit/events.hpp"
#include "node/auth/login_throttle.hpp"
#include "node/storage/sqlite.hpp"

namespace signalnode::node::auth::detail {

crypto::Digest256 token_hash(std::string_view token);
void audit_login(storage::Database& db, audit::EventName name, const char* status, const std::string& username,
                 const std::string& client, std::int64_t now, const std::string& reason = {},
                 std::string_view method = {});
// One more wrong password (or code) for the name and the address; returns
// the earliest time the next attempt is checked.
std::int64_t count_wrong_password(storage::Database& db, const std::string& username, const std::string& client,
                                  const std::optional<ThrottleRule>& address_rule, std::int64_t now_ms);
// The earliest time an attempt for this name from this address is checked (0: now).
std::int64_t must_wait_until(storage::Database& db, const std::string& username, const std::string& client,
                             const std::optional<ThrottleRule>& address_rule, std::int64_t now_ms);

}  // namespace signalnode::node::auth::detail
