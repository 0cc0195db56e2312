#include "protocol/identifiers.hpp"

#include <gtest/gtest.h>

#include "crypto/bytes.hpp"
#include "crypto/oprf.hpp"
#include "protocol/utf8.hpp"

namespace p = signalnode::protocol;
namespace c = signalnode::crypto;
using namespace std::chrono;

namespace {
const sys_days kToday = sys_days{year{2026} / 11 / 24};

std::string ok(const p::Result<std::string>& r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().field + " " + r.error().reason);
  return r.ok() ? r.value() : "";
}
std::string field_of(const p::Result<std::string>& r) { return r.ok() ? "<accepted>" : r.error().field; }
}  // namespace

TEST(Bsn, AcceptsValidWithSeparatorsAndPadsEightDigits) {
  EXPECT_EQ(ok(p::canonical_bsn("123456782")), "123456782");
  EXPECT_EQ(ok(p::canonical_bsn(" 1234.56.782 ")), "123456782");
  EXPECT_EQ(ok(p::canonical_bsn("1234 56 782")), "123456782");
  // 8 digits get a leading zero: 012345672 passes the 11-proef.
  EXPECT_EQ(ok(p::canonical_bsn("12345672")), "012345672");
}

TEST(Bsn, RejectsFailedElevenProefZerosAndWrongLength) {
  EXPECT_EQ(field_of(p::canonical_bsn("123456789")), "bsn");  // fails the 11-proef
  EXPECT_EQ(p::canonical_bsn("123456789").error().reason, "fails the 11-proef check");
  EXPECT_EQ(field_of(p::canonical_bsn("000000000")), "bsn");
  EXPECT_EQ(field_of(p::canonical_bsn("1234567")), "bsn");
  EXPECT_EQ(field_of(p::canonical_bsn("12345678a")), "bsn");
  EXPECT_EQ(field_of(p::canonical_bsn("")), "bsn");
}

TEST(Kvk, EightDigitsOnly) {
  EXPECT_EQ(ok(p::canonical_kvk("12345678")), "12345678");
  EXPECT_EQ(field_of(p::canonical_kvk("1234567")), "kvk");
  EXPECT_EQ(field_of(p::canonical_kvk("1234567X")), "kvk");
}

TEST(Iban, NormalisesAndChecksMod97) {
  EXPECT_EQ(ok(p::canonical_iban("NL91 ABNA 0417 1643 00")), "NL91ABNA0417164300");
  EXPECT_EQ(ok(p::canonical_iban("nl91abna0417164300")), "NL91ABNA0417164300");
  EXPECT_EQ(ok(p::canonical_iban("DE89 3704 0044 0532 0130 00")), "DE89370400440532013000");
  EXPECT_EQ(ok(p::canonical_iban("PL61 1090 1014 0000 0712 1981 2874")), "PL61109010140000071219812874");
  auto wrong_check = p::canonical_iban("NL92ABNA0417164300");
  EXPECT_EQ(field_of(wrong_check), "iban");
  EXPECT_NE(wrong_check.error().reason.find("check digit"), std::string::npos);
  EXPECT_EQ(field_of(p::canonical_iban("NL91ABNA041716430")), "iban");  // NL length 18
  EXPECT_EQ(field_of(p::canonical_iban("XX91ABNA0417164300")), "iban");
}

TEST(Address, CanonicalFormWithEmptyParts) {
  EXPECT_EQ(ok(p::canonical_address("1431 AB", "12", "A", "2")), "1431AB|12|A|2");
  EXPECT_EQ(ok(p::canonical_address("1431ab", "012", "", "")), "1431AB|12||");
  EXPECT_EQ(ok(p::canonical_address("1431AB", "7", "b", "bis")), "1431AB|7|B|BIS");
}

TEST(Address, RejectsPostcodeStartingWithZeroAndBadParts) {
  EXPECT_EQ(field_of(p::canonical_address("0431 AB", "12", "", "")), "postcode");
  EXPECT_EQ(field_of(p::canonical_address("1431 A", "12", "", "")), "postcode");
  EXPECT_EQ(field_of(p::canonical_address("14311AB", "12", "", "")), "postcode");
  EXPECT_EQ(field_of(p::canonical_address("1431AB", "0", "", "")), "houseNumber");
  EXPECT_EQ(field_of(p::canonical_address("1431AB", "123456", "", "")), "houseNumber");
  EXPECT_EQ(field_of(p::canonical_address("1431AB", "12a", "", "")), "houseNumber");
  EXPECT_EQ(field_of(p::canonical_address("1431AB", "12", "AB", "")), "houseLetter");
  EXPECT_EQ(field_of(p::canonical_address("1431AB", "12", "", "TOOLONG")), "addition");
}

TEST(Person, PolishNameKeepsStrokeLetterButFoldsCase) {
  EXPECT_EQ(ok(p::canonical_person("Łukasz Nowak", "1990-02-01", kToday)), "łukasz nowak|1990-02-01");
  // Decomposed and precomposed input give the same canonical form.
  EXPECT_EQ(ok(p::canonical_person("Zofia Wo\xC5\xBAniak", "1985-03-04", kToday)),
            ok(p::canonical_person("Zofia Woz\xCC\x81niak", "1985-03-04", kToday)));
  EXPECT_EQ(ok(p::canonical_person("  ZOFIA   WOŹNIAK ", "1985-03-04", kToday)), "zofia wozniak|1985-03-04");
}

TEST(Person, BulgarianCyrillicNameIsFoldedAndMarksStripped) {
  EXPECT_EQ(ok(p::canonical_person("Иван Петров", "1979-12-31", kToday)), "иван петров|1979-12-31");
  // й is и + combining breve after decomposition; STRIPMARK removes the breve.
  EXPECT_EQ(ok(p::canonical_person("Николай", "1979-12-31", kToday)), "николаи|1979-12-31");
}

TEST(Person, WhiteSpaceOfAnyKindCollapses) {
  EXPECT_EQ(ok(p::canonical_person("Ana\u00A0Maria\t Popescu", "2000-01-01", kToday)),
            "ana maria popescu|2000-01-01");
}

TEST(Person, RejectsBadDatesFutureDatesAndBadNames) {
  EXPECT_EQ(field_of(p::canonical_person("A B", "1990-02-30", kToday)), "birthDate");
  EXPECT_EQ(field_of(p::canonical_person("A B", "1990-2-1", kToday)), "birthDate");
  EXPECT_EQ(field_of(p::canonical_person("A B", "2026-11-25", kToday)), "birthDate");
  EXPECT_EQ(ok(p::canonical_person("A B", "2026-11-24", kToday)), "a b|2026-11-24");
  EXPECT_EQ(field_of(p::canonical_person("   ", "1990-01-01", kToday)), "name");
  EXPECT_EQ(field_of(p::canonical_person("bad \xC3\x28 utf8", "1990-01-01", kToday)), "name");
  EXPECT_EQ(field_of(p::canonical_person("bell\x07", "1990-01-01", kToday)), "name");
  EXPECT_EQ(field_of(p::canonical_person("A B", "2000-02-29", kToday)), "<accepted>");
  EXPECT_EQ(field_of(p::canonical_person("A B", "1900-02-29", kToday)), "birthDate");
}

// One person, one pseudonym: invisible format characters (Unicode Cf) pasted into
// a name, e.g. from a web page or a PDF, must not give a second pseudonym.
TEST(Person, FormatCharactersAreRemoved) {
  const std::string plain = ok(p::canonical_person("Jan Jansen", "1990-02-01", kToday));
  EXPECT_EQ(plain, "jan jansen|1990-02-01");
  for (const char* hidden : {"Ja\u200Dn Jansen", "Jan\u2060 Jansen", "\uFEFFJan Jansen", "Jan Jan\u00ADsen",
                             "Jan \u200E\u202EJansen\u202C", "Jan Jansen\U000E0041", "Jan \u200B Jansen"}) {
    EXPECT_EQ(ok(p::canonical_person(hidden, "1990-02-01", kToday)), plain) << hidden;
  }
  // Zero-width space between the two words, no visible space: one word.
  EXPECT_EQ(ok(p::canonical_person("Jan\u200BJansen", "1990-02-01", kToday)), "janjansen|1990-02-01");
  EXPECT_EQ(ok(p::canonical_person("JanJansen", "1990-02-01", kToday)), "janjansen|1990-02-01");
  // Only format characters: no name at all.
  EXPECT_EQ(field_of(p::canonical_person("\u200B\u200D\uFEFF", "1990-02-01", kToday)), "name");

  // Same canonical form, so the same OPRF input and the same pseudonym.
  auto a = p::canonicalise(p::IdKind::person, "Jan Jan\u00ADsen|1990-02-01", kToday);
  auto b = p::canonicalise(p::IdKind::person, "jan jansen|1990-02-01", kToday);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a.value().oprf_input(), b.value().oprf_input());
  auto key = c::oprf::generate_key_pair();
  EXPECT_EQ(c::oprf::evaluate(key.secret, c::as_bytes(a.value().oprf_input())),
            c::oprf::evaluate(key.secret, c::as_bytes(b.value().oprf_input())));
}

TEST(Document, CountryAndNumber) {
  EXPECT_EQ(ok(p::canonical_document("nl", "spec-i2345 6")), "NL|SPECI23456");
  EXPECT_EQ(field_of(p::canonical_document("XX", "123")), "documentCountry");
  EXPECT_EQ(field_of(p::canonical_document("PL", "12/3")), "documentNumber");
}

TEST(Plate, DefaultsToNetherlandsAndDropsSeparators) {
  EXPECT_EQ(ok(p::canonical_plate("", "AB-123-C")), "NL|AB123C");
  EXPECT_EQ(ok(p::canonical_plate("pl", "wa 12345")), "PL|WA12345");
  EXPECT_EQ(field_of(p::canonical_plate("", "AB_123")), "plate");
  EXPECT_EQ(field_of(p::canonical_plate("ZZ", "AB123")), "plateCountry");
}

TEST(Phone, E164FromInternationalAndNationalForms) {
  EXPECT_EQ(ok(p::canonical_phone("+48 601 234 567")), "+48601234567");
  EXPECT_EQ(ok(p::canonical_phone("0048 601-234-567")), "+48601234567");
  EXPECT_EQ(ok(p::canonical_phone("06 12345678")), "+31612345678");
  EXPECT_EQ(ok(p::canonical_phone("(020) 123 4567")), "+31201234567");
  // A trunk 0 written after +31 (or 0031) is dropped: one number, one pseudonym.
  EXPECT_EQ(ok(p::canonical_phone("+31 06 12345678")), "+31612345678");
  EXPECT_EQ(ok(p::canonical_phone("+31 (0)6 12345678")), "+31612345678");
  EXPECT_EQ(ok(p::canonical_phone("0031 06-12345678")), "+31612345678");
  EXPECT_EQ(ok(p::canonical_phone("+31 020 123 4567")), "+31201234567");
  EXPECT_EQ(p::canonicalise(p::IdKind::phone, "+31 06 12345678", kToday).value(),
            p::canonicalise(p::IdKind::phone, "06 12345678", kToday).value());
  // Only after the Dutch country code; other countries' numbers are left alone.
  EXPECT_EQ(ok(p::canonical_phone("+39 06 1234 5678")), "+390612345678");
  EXPECT_EQ(field_of(p::canonical_phone("12345")), "phone");
  EXPECT_EQ(field_of(p::canonical_phone("+1234567")), "phone");           // 7 digits
  EXPECT_EQ(field_of(p::canonical_phone("+1234567890123456")), "phone");  // 16 digits
  EXPECT_EQ(field_of(p::canonical_phone("+31 6 abc")), "phone");
  // Two zeros after +31 are no Dutch number; dropping one would leave a form that
  // changes again when canonicalised (a fuzzing find: "+31001 217 5623").
  EXPECT_EQ(field_of(p::canonical_phone("+31001 217 5623")), "phone");
  EXPECT_EQ(field_of(p::canonical_phone("0031 00 6 12345678")), "phone");
}

TEST(Email, TrimmedLowerCasedOneAt) {
  EXPECT_EQ(ok(p::canonical_email("  Jan.Jansen@Example.NL ")), "jan.jansen@example.nl");
  EXPECT_EQ(ok(p::canonical_email("ŁUKASZ@example.pl")), "łukasz@example.pl");
  EXPECT_EQ(field_of(p::canonical_email("a@b@c")), "email");
  EXPECT_EQ(field_of(p::canonical_email("@example.nl")), "email");
  EXPECT_EQ(field_of(p::canonical_email("jan@")), "email");
  EXPECT_EQ(field_of(p::canonical_email("jan jansen@example.nl")), "email");
}

TEST(CanonicalId, OprfInputIsKindColonCanonical) {
  EXPECT_EQ((p::CanonicalId{p::IdKind::bsn, "123456782"}.oprf_input()), "bsn:123456782");
  EXPECT_EQ((p::CanonicalId{p::IdKind::address, "1431AB|12|A|2"}.oprf_input()), "address:1431AB|12|A|2");
  EXPECT_EQ((p::CanonicalId{p::IdKind::plate, "NL|AB123C"}.oprf_input()), "plate:NL|AB123C");
  for (auto kind : {p::IdKind::bsn, p::IdKind::kvk, p::IdKind::iban, p::IdKind::address, p::IdKind::person,
                    p::IdKind::document, p::IdKind::plate, p::IdKind::phone, p::IdKind::email}) {
    EXPECT_EQ(p::id_kind_from_string(p::to_string(kind)), kind);
  }
  EXPECT_FALSE(p::id_kind_from_string("passport"));
}

TEST(Utf8, RejectsMalformedSequences) {
  EXPECT_TRUE(p::is_valid_utf8("plain ascii"));
  EXPECT_TRUE(p::is_valid_utf8("Łukasz Иван"));
  EXPECT_FALSE(p::is_valid_utf8("\xC3\x28"));
  EXPECT_FALSE(p::is_valid_utf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(p::is_valid_utf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(p::is_valid_utf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
}

TEST(Canonicalise, SingleValueFormsForSubjectAccess) {
  auto v = [](p::IdKind k, std::string_view s) {
    auto r = p::canonicalise(k, s, kToday);
    return r.ok() ? r.value().oprf_input() : "error:" + r.error().field;
  };
  EXPECT_EQ(v(p::IdKind::bsn, "1234.56.782"), "bsn:123456782");
  EXPECT_EQ(v(p::IdKind::address, "1431 AB|12|a|2"), "address:1431AB|12|A|2");
  EXPECT_EQ(v(p::IdKind::address, "1431AB|12"), "address:1431AB|12||");
  EXPECT_EQ(v(p::IdKind::person, "Łukasz Nowak|1990-02-01"), "person:łukasz nowak|1990-02-01");
  EXPECT_EQ(v(p::IdKind::plate, "AB-123-C"), "plate:NL|AB123C");
  EXPECT_EQ(v(p::IdKind::plate, "PL|WA 12345"), "plate:PL|WA12345");
  EXPECT_EQ(v(p::IdKind::document, "NL|SPECI2014"), "document:NL|SPECI2014");
  EXPECT_EQ(v(p::IdKind::bsn, "123456789"), "error:value");
  EXPECT_EQ(v(p::IdKind::person, "Jan"), "error:value");
  EXPECT_EQ(v(p::IdKind::address, "1431AB"), "error:value");
  EXPECT_EQ(p::canonicalise(p::IdKind::bsn, "123456789", kToday).error().reason, "bsn fails the 11-proef check");
}
