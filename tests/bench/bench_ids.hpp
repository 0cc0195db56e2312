// Row ids as the node makes them, for benchmarks that insert rows the way the
// node's own code would (record_id, alert_id), and the time-ordered layout
// the bare-SQLite bounds use (ordered_id: creation ms as 12 hex, big-endian,
// then 80 random bits).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "crypto/random.hpp"

namespace signalnode::bench {

inline std::string ordered_id(std::int64_t ms) {
  char prefix[13];
  std::snprintf(prefix, sizeof prefix, "%012llx", static_cast<unsigned long long>(ms));
  return prefix + crypto::random_hex_id(10);
}

// What node/sharing/receiver.cpp and node/alerts/matching.cpp use (before
// issue 19: crypto::random_hex_id(16)).
inline std::string record_id(std::int64_t ms) { return crypto::time_ordered_hex_id(ms); }
inline std::string alert_id(std::int64_t ms) { return crypto::time_ordered_hex_id(ms); }

}  // namespace signalnode::bench
