#include "protocol/json_keys.hpp"

#include <gtest/gtest.h>

using signalnode::protocol::first_duplicate_key;

TEST(JsonKeys, FindsADuplicateAtAnyDepth) {
  EXPECT_EQ(first_duplicate_key(R"({"a":1,"b":2})"), std::nullopt);
  EXPECT_EQ(first_duplicate_key(R"({"a":1,"a":2})"), "a");
  EXPECT_EQ(first_duplicate_key(R"({"a":{"x":1,"y":{"z":1,"z":[]}}})"), "z");
  EXPECT_EQ(first_duplicate_key(R"({"s":[{"k":1},{"k":2,"k":3}]})"), "k");
  // The same key in sibling or nested objects is no duplicate.
  EXPECT_EQ(first_duplicate_key(R"({"k":{"k":{"k":1}},"s":[{"k":1},{"k":2}]})"), std::nullopt);
  // Escapes are compared decoded: "\u0061" is "a".
  EXPECT_EQ(first_duplicate_key(R"({"a":1,"\u0061":2})"), "a");
  EXPECT_EQ(first_duplicate_key("[1,2]"), std::nullopt);
  EXPECT_EQ(first_duplicate_key("{not json"), std::nullopt);
}
