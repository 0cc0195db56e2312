// Recovery codes: ten single-use codes, shown once when the first second
// factor is enrolled (and when renewed), for a person whose phone or key is
// gone. Each is 10 characters of a 32-letter alphabet without look-alikes
// (50 bits), written xxxxx-xxxxx; the node keeps only a keyed hash
// (SecondFactors), so a database reader cannot use them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signalnode::node::auth {

inline constexpr int kRecoveryCodeCount = 10;

std::vector<std::string> make_recovery_codes();
// The code as stored: lower case without the dash or spaces; nullopt when it
// cannot be a recovery code (wrong length or letters).
std::optional<std::string> normalised_recovery_code(std::string_view typed);

}  // namespace signalnode::node::auth
