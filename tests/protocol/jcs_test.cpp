#include "protocol/jcs.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace json = boost::json;
using signalnode::protocol::jcs;

TEST(Jcs, SortsKeysAndDropsWhitespace) {
  EXPECT_EQ(jcs(json::parse(R"({ "b": 2, "a": [true, null, "x"], "c": {"z": -1, "y": 0} })")),
            R"({"a":[true,null,"x"],"b":2,"c":{"y":0,"z":-1}})");
}

TEST(Jcs, EscapesLikeEcmaScript) {
  EXPECT_EQ(jcs(json::value("a\"b\\c\n\t\x01/€")), "\"a\\\"b\\\\c\\n\\t\\u0001/€\"");
}

TEST(Jcs, SortsByUtf16CodeUnits) {
  // RFC 8785 3.2.3: U+20AC (euro, 0x20AC) sorts before U+1F600 (surrogates 0xD83D...), after "a".
  json::object o;
  o["\xF0\x9F\x98\x80"] = 1;  // U+1F600
  o["\xE2\x82\xAC"] = 2;      // U+20AC
  o["a"] = 3;
  EXPECT_EQ(jcs(o), "{\"a\":3,\"\xE2\x82\xAC\":2,\"\xF0\x9F\x98\x80\":1}");
}

TEST(Jcs, RefusesFloats) { EXPECT_THROW(jcs(json::parse(R"({"x": 1.5})")), std::invalid_argument); }
