// Growing delays after wrong passwords, instead of a hard lock-out (issue 14).
// A lock that anyone can trigger by typing a name is a way to keep a colleague
// out; so the waits are kept apart by where the attempt comes from:
// - a name tried from an address where it logged in before (the owner's own
//   office or laptop) waits only on what was tried from that address;
// - a name tried from anywhere else waits on what was tried from anywhere
//   else: a guesser elsewhere slows itself, never the owner at their desk;
// - an address waits on all wrong passwords given from it (per /64 for IPv6).
// The name is counted whether or not an account has it, and a success never
// resets the count of "anywhere else", so a known and an unknown name answer
// alike. Live sessions are never touched. Counters live in the node's
// database (login_throttle, login_known_clients), so the CLI can clear them
// (`signalnode user unlock`) and a restart does not.
#pragma once

#include <cstdint>
#include <string>

#include "node/storage/sqlite.hpp"

namespace signalnode::node::auth {

struct ThrottleRule {
  int free_failures;            // wrong passwords in a row before any delay
  std::int64_t first_delay_ms;  // after the first counted one; doubles per failure
  std::int64_t max_delay_ms;
  std::int64_t memory_ms;       // a counter without a new failure for this long starts again
};

// A name: five mistakes are free, then 15 s, 30 s, 1 min ... at most 15 min
// per guess (~100 guesses a day against a 12+ character password).
inline constexpr ThrottleRule kAccountRule{5, 15'000, 15 * 60'000, 24 * 3'600'000};
// An address: offices share one behind NAT, so more are free, and an hour
// without a wrong password forgets them (a few typos a day never add up).
inline constexpr ThrottleRule kAddressRule{20, 5'000, 15 * 60'000, 3'600'000};
// An address where a name logged in is known for it this long after.
inline constexpr std::int64_t kKnownClientMs = 90LL * 24 * 3'600'000;

// The delay after `failures` wrong passwords in a row under `rule`.
[[nodiscard]] std::int64_t throttle_delay_ms(const ThrottleRule& rule, std::int64_t failures);

// The address as counted: an IPv4-mapped IPv6 address as IPv4, an IPv6
// address as its /64 (one client holds a whole /64), anything else as given.
std::string normalised_client(std::string_view client);
std::string address_key(std::string_view client);
// The counter a wrong password for `username` from `client` goes to.
std::string name_key(storage::Database& db, std::string_view username, std::string_view client, std::int64_t now_ms);

struct ThrottleState {
  std::int64_t failures = 0;
  std::int64_t wait_until_ms = 0;  // no attempt is checked before this
};

[[nodiscard]] ThrottleState throttle_state(storage::Database& db, const std::string& key, const ThrottleRule& rule,
                                           std::int64_t now_ms);
// One more wrong password for `key`; returns its new state.
ThrottleState count_failure(storage::Database& db, const std::string& key, const ThrottleRule& rule,
                            std::int64_t now_ms);
// After a successful log-in: the address becomes known for the name, and the
// name's count at that address starts again.
void remember_client(storage::Database& db, std::string_view username, std::string_view client, std::int64_t now_ms);
// Every wait of a name (from anywhere); true when there was one.
bool clear_name(storage::Database& db, std::string_view username);
// The wait of an address; true when there was one.
bool clear_address(storage::Database& db, std::string_view client);
// The latest wait of a name from anywhere, 0 when none (the admin's view).
std::int64_t name_wait_until(storage::Database& db, std::string_view username, std::int64_t now_ms);
// Drops counters and known addresses past their memory (bounded work per call).
void forget_old_throttles(storage::Database& db, std::int64_t now_ms);

}  // namespace signalnode::node::auth
