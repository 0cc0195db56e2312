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

TEST(JsonKeys, AReportedKeyIsShortAndPrintable) {
  std::string long_key(500, 'k');
  auto dup = first_duplicate_key("{\"" + long_key + "\":1,\"" + long_key + "\":2}");
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->size(), 64u);
  auto odd = first_duplicate_key("{\"a\\u0007\\u00e9\":1,\"a\\u0007\\u00e9\":2}");
  ASSERT_TRUE(odd);
  for (char c : *odd) EXPECT_TRUE(c >= 0x20 && c <= 0x7e) << "byte " << static_cast<int>(static_cast<unsigned char>(c));
}
