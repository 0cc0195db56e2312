// Clearing every second factor of an account (issue 21): for someone who lost
// their phone, passkeys and recovery codes. Their sessions end; a role that
// needs a factor sets one up at the next log-in. Audited
// (second_factor.removed, method "all"). Used by the users page (an admin)
// and by `signalnode user reset-factors` (break-glass, on the node itself).
#pragma once

#include <cstdint>
#include <string>

#include "node/storage/store.hpp"

namespace signalnode::node::auth {

// False when there is no such account (nothing is written then).
bool reset_second_factors(storage::Store& store, const std::string& username, std::int64_t now_ms, const std::string& by);

}  // namespace signalnode::node::auth
