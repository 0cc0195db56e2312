#include "node/signals/signal_json.hpp"

#include <gtest/gtest.h>

namespace s = signalnode::node::signals;
using namespace std::chrono;

namespace {
const sys_days kToday = sys_days{year{2026} / 11 / 24};

s::Signal parse_ok(const std::string& body) {
  auto r = s::parse_signal(body, signalnode::policies::Taxonomy::builtin(), kToday);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().field + " " + r.error().reason);
  return r.ok() ? r.value() : s::Signal{};
}

std::string rejected_field(const std::string& body) {
  auto r = s::parse_signal(body, signalnode::policies::Taxonomy::builtin(), kToday);
  return r.ok() ? "<accepted>" : r.error().field;
}

std::string with_subject(const std::string& subject) {
  return R"({"category":"housing.overcrowding","observedOn":"2026-11-20","subjects":[)" + subject + "]}";
}
}  // namespace

TEST(SignalJson, ParsesTheBriefExample) {
  auto sig = parse_ok(R"({"category": "housing.overcrowding", "observedOn": "2026-11-20",
   "municipality": "GM0358", "severity": "high", "persons": 14,
   "summary": "free text: stays on this node, is never shared",
   "subjects": [
     {"kind": "organisation", "role": "temp_agency", "kvk": "12345678", "name": "Flex BV"},
     {"kind": "address", "postcode": "1431 AB", "houseNumber": 12, "houseLetter": "A", "addition": "2"},
     {"kind": "person", "role": "worker", "bsn": "123456782"},
     {"kind": "person", "role": "worker", "name": "Łukasz Nowak", "birthDate": "1990-02-01"},
     {"kind": "vehicle", "plate": "AB-123-C"},
     {"kind": "account", "iban": "NL91 ABNA 0417 1643 00"},
     {"kind": "person", "role": "intermediary", "phone": "+48 601 234 567"}]})");
  EXPECT_EQ(sig.category, "housing.overcrowding");
  EXPECT_EQ(sig.municipality, "GM0358");
  EXPECT_EQ(sig.persons, 14);
  ASSERT_EQ(sig.subjects.size(), 7u);
  EXPECT_EQ(sig.subjects[1].identifiers.at(0).canonical, "1431AB|12|A|2");
  EXPECT_EQ(sig.subjects[3].identifiers.at(0).oprf_input(), "person:łukasz nowak|1990-02-01");
  EXPECT_EQ(sig.subjects[4].identifiers.at(0).oprf_input(), "plate:NL|AB123C");
  EXPECT_EQ(sig.subjects[6].identifiers.at(0).canonical, "+48601234567");
}

TEST(SignalJson, SealedPayloadRoundTrips) {
  auto sig = parse_ok(with_subject(R"({"kind":"person","bsn":"123456782","name":"Jan"})"));
  sig.summary = "note";
  s::Signal back;
  ASSERT_TRUE(s::open_payload(s::sealed_payload(sig), back));
  EXPECT_EQ(back.summary, "note");
  ASSERT_EQ(back.subjects.size(), 1u);
  EXPECT_EQ(back.subjects[0].identifiers, sig.subjects[0].identifiers);
  EXPECT_EQ(back.subjects[0].fields, sig.subjects[0].fields);
}

TEST(SignalJson, RejectionsNameTheField) {
  EXPECT_EQ(rejected_field("{not json"), "body");
  EXPECT_EQ(rejected_field("[]"), "body");
  EXPECT_EQ(rejected_field("{\"category\":\"housing.overcrowding\",\"observedOn\":\"2026-11-20\",\"x\":\"\xC3\x28\"}"),
            "body");
  EXPECT_EQ(rejected_field(R"({"observedOn":"2026-11-20"})"), "category");
  EXPECT_EQ(rejected_field(R"({"category":"housing.nope","observedOn":"2026-11-20"})"), "category");
  EXPECT_EQ(rejected_field(R"({"category":12,"observedOn":"2026-11-20"})"), "category");
  EXPECT_EQ(rejected_field(R"({"category":"housing.overcrowding"})"), "observedOn");
  EXPECT_EQ(rejected_field(R"({"category":"housing.overcrowding","observedOn":"2026-11-25"})"), "observedOn");
  EXPECT_EQ(rejected_field(R"({"category":"housing.overcrowding","observedOn":"2026-02-30"})"), "observedOn");
  EXPECT_EQ(rejected_field(R"({"category":"housing.overcrowding","observedOn":"2026-11-20","severity":"x"})"),
            "severity");
  EXPECT_EQ(rejected_field(R"({"category":"housing.overcrowding","observedOn":"2026-11-20","persons":-1})"),
            "persons");
  EXPECT_EQ(rejected_field(R"({"category":"housing.overcrowding","observedOn":"2026-11-20","persons":"3"})"),
            "persons");
  EXPECT_EQ(rejected_field(R"({"category":"housing.overcrowding","observedOn":"2026-11-20","municipality":"0358"})"),
            "municipality");
  EXPECT_EQ(rejected_field(R"({"category":"housing.overcrowding","observedOn":"2026-11-20","colour":"red"})"),
            "colour");
  EXPECT_EQ(rejected_field(R"({"category":"housing.overcrowding","observedOn":"2026-11-20","subjects":{}})"),
            "subjects");
}

TEST(SignalJson, SubjectRejectionsNameIndexAndField) {
  EXPECT_EQ(rejected_field(with_subject(R"({"kind":"person","bsn":"123456789"})")), "subjects[0].bsn");
  EXPECT_EQ(rejected_field(with_subject(R"({"kind":"person","bsn":"123456782"},{"kind":"organisation","kvk":"1"})")),
            "subjects[1].kvk");
  EXPECT_EQ(rejected_field(with_subject(R"({"kind":"account","iban":"NL92ABNA0417164300"})")), "subjects[0].iban");
  EXPECT_EQ(rejected_field(with_subject(R"({"kind":"address","postcode":"0431AB","houseNumber":1})")),
            "subjects[0].postcode");
  EXPECT_EQ(rejected_field(with_subject(R"({"kind":"address","postcode":"1431AB"})")), "subjects[0].houseNumber");
  EXPECT_EQ(rejected_field(with_subject(R"({"kind":"person","name":"A","birthDate":"2027-01-01"})")),
            "subjects[0].birthDate");
  EXPECT_EQ(rejected_field(with_subject(R"({"kind":"person","birthDate":"1990-01-01"})")), "subjects[0].name");
  EXPECT_EQ(rejected_field(with_subject(R"({"kind":"alien","bsn":"123456782"})")), "subjects[0].kind");
  EXPECT_EQ(rejected_field(with_subject(R"({"bsn":"123456782"})")), "subjects[0].kind");
  EXPECT_EQ(rejected_field(with_subject(R"({"kind":"person","role":"Worker!","bsn":"123456782"})")),
            "subjects[0].role");
  EXPECT_EQ(rejected_field(with_subject(R"({"kind":"person","nickname":"x"})")), "subjects[0].nickname");
  EXPECT_EQ(rejected_field(with_subject(R"({"kind":"person"})")), "subjects[0]");
  EXPECT_EQ(rejected_field(with_subject(R"({"kind":"area","bsn":"123456782"})")), "subjects[0].bsn");
  EXPECT_EQ(rejected_field(with_subject(R"(42)")), "subjects[0]");
}

TEST(SignalJson, LimitsSubjectsSummaryAndDepth) {
  std::string many;
  for (int i = 0; i < 65; ++i) many += std::string(i ? "," : "") + R"({"kind":"organisation","kvk":"12345678"})";
  EXPECT_EQ(rejected_field(with_subject(many)), "subjects");
  std::string sixty_four;
  for (int i = 0; i < 64; ++i) sixty_four += std::string(i ? "," : "") + R"({"kind":"organisation","kvk":"12345678"})";
  EXPECT_EQ(rejected_field(with_subject(sixty_four)), "<accepted>");
  std::string long_summary(8193, 'x');
  EXPECT_EQ(rejected_field(R"({"category":"housing.overcrowding","observedOn":"2026-11-20","summary":")" +
                           long_summary + "\"}"),
            "summary");
  std::string deep = R"({"category":"housing.overcrowding","observedOn":"2026-11-20","subjects":)" +
                     std::string(100, '[') + std::string(100, ']') + "}";
  auto r = s::parse_signal(deep, signalnode::policies::Taxonomy::builtin(), kToday);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "body");
  EXPECT_NE(r.error().reason.find("nested"), std::string::npos);
}

TEST(SignalJson, ErrorsNeverEchoTheRejectedValue) {
  auto r = s::parse_signal(with_subject(R"({"kind":"person","bsn":"987654321"})"),
                           signalnode::policies::Taxonomy::builtin(), kToday);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason.find("987654321"), std::string::npos);
}

// Two values for one key would be read differently by different parsers (Boost.JSON
// keeps one silently): a submitter could show a reviewer one category and file
// another. Refused, naming the key.
TEST(SignalJson, DuplicateKeysAreRefused) {
  EXPECT_EQ(rejected_field(
                R"({"category":"housing.overcrowding","category":"general.external_report","observedOn":"2026-11-20"})"),
            "category");
  EXPECT_EQ(rejected_field(with_subject(R"({"kind":"person","bsn":"123456782","bsn":"111222333"})")), "bsn");
  auto r = s::parse_signal(R"({"category":"housing.overcrowding","observedOn":"2026-11-20","observedOn":"2026-11-21"})",
                           signalnode::policies::Taxonomy::builtin(), kToday);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().reason.find("more than once"), std::string::npos);
}
