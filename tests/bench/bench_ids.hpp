// Row ids as the node makes them, for benchmarks that insert rows the way the
// node's own code would (record_id, alert_id), and the time-ordered layout
// the bare-SQLite bounds use (ordered_id: creation ms as 12 hex, big-endian,
// then 80 random bits).
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
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

// A 64-byte pseudonym for subject n, the same in every run (salt: one stream
// per benchmark), as random-looking as the real ones so index pages fill alike.
inline std::array<std::uint8_t, 64> synthetic_pseudonym(std::uint64_t n, std::uint64_t salt) {
  std::array<std::uint8_t, 64> p{};
  std::mt19937_64 g(n * 0x9E3779B97F4A7C15ULL + salt);
  for (std::size_t i = 0; i < p.size(); i += 8) {
    std::uint64_t v = g();
    std::memcpy(p.data() + i, &v, 8);
  }
  return p;
}

}  // namespace signalnode::bench
