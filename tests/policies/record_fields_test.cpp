// The content rules for each field of a received record (docs/protocol.md,
// "Record fields"): good values pass, and what a compromised partner smuggled
// into a field (a name and birth date in the week, a KvK number as the
// municipality, absurd counts) does not.
#include "policies/record_fields.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "policies/projection.hpp"

namespace pol = signalnode::policies;

TEST(RecordFields, RecordIdIs32LowercaseHex) {
  EXPECT_TRUE(pol::valid_record_id("0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(pol::valid_record_id("0123456789ABCDEF0123456789ABCDEF")) << "uppercase";
  EXPECT_FALSE(pol::valid_record_id("0123456789abcdef")) << "short";
  EXPECT_FALSE(pol::valid_record_id("0123456789abcdef0123456789abcdef0")) << "long";
  EXPECT_FALSE(pol::valid_record_id("0123456789abcdef0123456789abcdeg"));
  EXPECT_FALSE(pol::valid_record_id(""));
}

TEST(RecordFields, ObservedWeekIsARealIsoWeekOfItsYear) {
  EXPECT_TRUE(pol::valid_iso_week("2026-W47"));
  EXPECT_TRUE(pol::valid_iso_week("2026-W01"));
  EXPECT_TRUE(pol::valid_iso_week("2026-W53")) << "2026 has 53 ISO weeks";
  EXPECT_TRUE(pol::valid_iso_week("2020-W53"));
  EXPECT_TRUE(pol::valid_iso_week("1999-W52")) << "the week of 2000-01-01";
  EXPECT_FALSE(pol::valid_iso_week("2025-W53")) << "2025 has 52";
  EXPECT_FALSE(pol::valid_iso_week("2026-W00"));
  EXPECT_FALSE(pol::valid_iso_week("2026-W54"));
  EXPECT_FALSE(pol::valid_iso_week("2026-W7"));
  EXPECT_FALSE(pol::valid_iso_week("2026W47"));
  EXPECT_FALSE(pol::valid_iso_week("2026-w47"));
  EXPECT_FALSE(pol::valid_iso_week("2026-11-20"));
  EXPECT_FALSE(pol::valid_iso_week("1998-W10"));
  EXPECT_FALSE(pol::valid_iso_week("+026-W47"));
  EXPECT_FALSE(pol::valid_iso_week("2026-W47 "));
  EXPECT_FALSE(pol::valid_iso_week("Jan de Vries, geb. 1985-03-01, BSN 111222333"));
  EXPECT_FALSE(pol::valid_iso_week("2026-W47, Jan de Vries"));
  // Every week the projection can produce passes.
  for (const char* date : {"2000-01-01", "2024-12-30", "2026-11-20", "2027-01-01", "2020-12-31", "2026-12-28"}) {
    EXPECT_TRUE(pol::valid_iso_week(pol::iso_week(date))) << date;
  }
  EXPECT_EQ(pol::iso_week_monday("2026-W47"), std::chrono::sys_days{std::chrono::year{2026} / 11 / 16});
  EXPECT_EQ(pol::iso_week_monday("2026-W01"), std::chrono::sys_days{std::chrono::year{2025} / 12 / 29});
}

TEST(RecordFields, MunicipalityIsACbsCode) {
  EXPECT_TRUE(pol::valid_municipality_code("GM0358"));
  EXPECT_FALSE(pol::valid_municipality_code("12345678")) << "a KvK number";
  EXPECT_FALSE(pol::valid_municipality_code("KvK 12345678"));
  EXPECT_FALSE(pol::valid_municipality_code("gm0358"));
  EXPECT_FALSE(pol::valid_municipality_code("GM358"));
  EXPECT_FALSE(pol::valid_municipality_code("GM03580"));
  EXPECT_FALSE(pol::valid_municipality_code("GM03a8"));
  EXPECT_FALSE(pol::valid_municipality_code("Aalsmeer"));
}

TEST(RecordFields, SeverityIsOneTheApiAccepts) {
  for (const char* s : {"low", "medium", "high"}) EXPECT_TRUE(pol::valid_severity(s)) << s;
  for (const char* s : {"HIGH", "critical", "", "high ", "Jan de Vries"}) EXPECT_FALSE(pol::valid_severity(s)) << s;
}

TEST(RecordFields, PersonsIsWithinTheApisBound) {
  EXPECT_TRUE(pol::valid_persons(0)) << "the API accepts a signal with 0 persons, so its projection must pass";
  EXPECT_TRUE(pol::valid_persons(1));
  EXPECT_TRUE(pol::valid_persons(100000));
  EXPECT_FALSE(pol::valid_persons(100001));
  EXPECT_FALSE(pol::valid_persons(std::int64_t{1} << 62));
  EXPECT_FALSE(pol::valid_persons(-5));
  EXPECT_FALSE(pol::valid_persons(-1)) << "-1 means not shared; the caller treats it apart";
}

TEST(RecordFields, KindsAndCategoriesComeFromTheTaxonomyAndProtocol) {
  for (const char* k : {"organisation", "person", "address"}) EXPECT_TRUE(pol::valid_subject_kind(k)) << k;
  for (const char* k : {"", "Organisation", "suspect", "Jan de Vries"}) EXPECT_FALSE(pol::valid_subject_kind(k)) << k;
  for (const char* k : {"bsn", "kvk", "iban", "address", "person", "document", "plate", "phone", "email"}) {
    EXPECT_TRUE(pol::valid_id_kind(k)) << k;
  }
  for (const char* k : {"", "BSN", "passport", "111222333"}) EXPECT_FALSE(pol::valid_id_kind(k)) << k;
  EXPECT_TRUE(pol::valid_category("labour.debt_bondage"));
  EXPECT_TRUE(pol::valid_category("housing.overcrowding"));
  for (const char* c : {"", "labour", "labour.*", "labour.debt_bondage ", "Jan de Vries, BSN 111222333"}) {
    EXPECT_FALSE(pol::valid_category(c)) << c;
  }
  EXPECT_FALSE(pol::valid_category(std::string(101, 'a')));
}

TEST(RecordFields, RuleIdsNotesAndOrganisationsAreBounded) {
  EXPECT_TRUE(pol::valid_rule_id("labour-to-inspectorate"));
  EXPECT_TRUE(pol::valid_rule_id("withdrawal"));
  EXPECT_TRUE(pol::valid_rule_id(std::string(64, 'r')));
  EXPECT_FALSE(pol::valid_rule_id(std::string(65, 'r')));
  EXPECT_FALSE(pol::valid_rule_id(""));
  EXPECT_FALSE(pol::valid_rule_id("Jan de Vries, geb. 1985-03-01"));
  EXPECT_TRUE(pol::valid_feedback_note(""));
  EXPECT_TRUE(pol::valid_feedback_note("Inspectie gepland in week 49, ondernemer is geïnformeerd."));
  EXPECT_TRUE(pol::valid_feedback_note(std::string(500, 'n')));
  EXPECT_FALSE(pol::valid_feedback_note(std::string(501, 'n')));
  EXPECT_FALSE(pol::valid_feedback_note("\xff\xfe"));
  EXPECT_TRUE(pol::valid_organisations(1));
  EXPECT_TRUE(pol::valid_organisations(1000));
  EXPECT_FALSE(pol::valid_organisations(0));
  EXPECT_FALSE(pol::valid_organisations(-5));
  EXPECT_FALSE(pol::valid_organisations(1001));
  EXPECT_FALSE(pol::valid_organisations(std::int64_t{1} << 62));
}
