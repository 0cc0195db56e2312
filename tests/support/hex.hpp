// Test vectors are written in hex: bytes and 32-byte group elements from
// hex strings, failing the test (not crashing it) on a typo.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "crypto/bytes.hpp"

namespace signalnode::testing {

inline crypto::Bytes hex(std::string_view s) {
  auto b = crypto::from_hex(s);
  EXPECT_TRUE(b) << s;
  return b.value_or(crypto::Bytes{});
}

inline std::array<std::uint8_t, 32> element(std::string_view s) {
  std::array<std::uint8_t, 32> e{};
  auto b = hex(s);
  EXPECT_EQ(b.size(), e.size()) << s;
  std::copy_n(b.begin(), std::min(b.size(), e.size()), e.begin());
  return e;
}

}  // namespace signalnode::testing
