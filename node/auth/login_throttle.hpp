// Growing delays after wrong passwords, per account name and per client
// address, instead of a hard lock-out (issue 14). A lock that anyone can
// trigger by typing a name is a way to keep a colleague out; a delay is not:
// the owner waits seconds, a guesser waits ever longer per guess, and live
// sessions are never touched. The name is counted whether or not an account
// has it, so a known and an unknown name answer alike. Counters live in the
// node's database (table login_throttle), so the CLI can clear them
// (`signalnode user unlock`) and a restart does not.
#pragma once

#include <cstdint>
#include <string>

#include "node/storage/sqlite.hpp"

namespace signalnode::node::auth {

struct ThrottleRule {
  int free_failures;           // wrong passwords in a row before any delay
  std::int64_t first_delay_ms;  // after the first counted one; doubles per failure
  std::int64_t max_delay_ms;
};

// An account: five mistakes are free, then 15 s, 30 s, 1 min ... at most 15 min
// per guess (~100 guesses a day against a 12+ character password).
inline constexpr ThrottleRule kAccountRule{5, 15'000, 15 * 60'000};
// An address: offices share one behind NAT, so more are free; then 5 s doubling.
inline constexpr ThrottleRule kAddressRule{20, 5'000, 15 * 60'000};
// Counters a day old are forgotten; a successful log-in clears its account's.
inline constexpr std::int64_t kThrottleMemoryMs = 24 * 3'600'000;

// The delay after `failures` wrong passwords in a row under `rule`.
[[nodiscard]] std::int64_t throttle_delay_ms(const ThrottleRule& rule, std::int64_t failures);

std::string account_key(std::string_view username);
std::string address_key(std::string_view client);

struct ThrottleState {
  std::int64_t failures = 0;
  std::int64_t wait_until_ms = 0;  // no attempt is checked before this
};

// The counter behind `key` now (zero when unknown or forgotten).
[[nodiscard]] ThrottleState throttle_state(storage::Database& db, const std::string& key, std::int64_t now_ms);
// One more wrong password for `key`; returns its new state.
ThrottleState count_failure(storage::Database& db, const std::string& key, const ThrottleRule& rule,
                            std::int64_t now_ms);
// Forgets `key`; true when there was something to forget.
bool clear_throttle(storage::Database& db, const std::string& key);
// Drops counters not touched for kThrottleMemoryMs (bounded work per call).
void forget_old_throttles(storage::Database& db, std::int64_t now_ms);

}  // namespace signalnode::node::auth
