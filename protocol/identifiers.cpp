#include "protocol/identifiers.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <vector>

namespace signalnode::protocol {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
char to_upper_ascii(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

// Removes the given separator characters and upper-cases ASCII letters.
std::string strip_upper(std::string_view s, std::string_view separators) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (separators.find(c) != std::string_view::npos) continue;
    out.push_back(to_upper_ascii(c));
  }
  return out;
}

bool all_of(std::string_view s, bool (*pred)(char)) { return std::all_of(s.begin(), s.end(), pred); }
bool is_upper_alnum(char c) { return is_digit(c) || is_upper(c); }

FieldError error(std::string field, std::string reason) { return {std::move(field), std::move(reason)}; }

// Sorted, so binary_search works. ISO 3166-1 alpha-2 plus XK (Kosovo), which
// travel documents and plates use.
constexpr std::array<std::string_view, 250> kCountries = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "XK", "YE", "YT", "ZA", "ZM", "ZW"};

constexpr std::array<std::string_view, 9> kKindNames = {"bsn",      "kvk",   "iban",  "address", "person",
                                                         "document", "plate", "phone", "email"};

bool is_unicode_space(utf8proc_int32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0x85) return true;
  auto cat = utf8proc_category(cp);
  return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP;
}

}  // namespace

std::string_view to_string(IdKind kind) { return kKindNames[static_cast<std::size_t>(kind)]; }

std::optional<IdKind> id_kind_from_string(std::string_view name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<IdKind>(i);
  }
  return std::nullopt;
}

std::string CanonicalId::oprf_input() const {
  std::string out(to_string(kind));
  out.push_back(':');
  out += canonical;
  return out;
}

bool is_iso_country(std::string_view code) {
  return std::binary_search(kCountries.begin(), kCountries.end(), code);
}

Result<std::string> canonical_bsn(std::string_view input) {
  std::string digits = strip_upper(trim(input), " .");
  if (digits.size() == 8) digits.insert(digits.begin(), '0');
  if (digits.size() != 9 || !all_of(digits, is_digit)) {
    return error("bsn", "must be 9 digits (8 digits get a leading 0)");
  }
  if (digits == "000000000") return error("bsn", "must not be all zeros");
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += (digits[static_cast<std::size_t>(i)] - '0') * (9 - i);
  sum -= digits[8] - '0';
  if (sum % 11 != 0) return error("bsn", "fails the 11-proef check");
  return digits;
}

Result<std::string> canonical_kvk(std::string_view input) {
  std::string digits = strip_upper(trim(input), " ");
  if (digits.size() != 8 || !all_of(digits, is_digit)) return error("kvk", "must be 8 digits");
  return digits;
}

Result<std::string> canonical_iban(std::string_view input) {
  std::string iban = strip_upper(trim(input), " ");
  if (iban.size() < 15 || iban.size() > 34) return error("iban", "must be 15 to 34 characters");
  if (!is_upper(iban[0]) || !is_upper(iban[1]) || !is_digit(iban[2]) || !is_digit(iban[3]) ||
      !all_of(iban, is_upper_alnum)) {
    return error("iban", "must be a country code, two check digits and letters or digits");
  }
  if (!is_iso_country(iban.substr(0, 2))) return error("iban", "has an unknown country code");
  if (iban.starts_with("NL") && iban.size() != 18) return error("iban", "a Dutch IBAN has 18 characters");
  // ISO 13616: move the first four characters to the end, letters become 10..35,
  // and the number mod 97 must be 1. Computed digit by digit to avoid big numbers.
  std::string rearranged = iban.substr(4) + iban.substr(0, 4);
  int remainder = 0;
  for (char c : rearranged) {
    int value = is_digit(c) ? c - '0' : c - 'A' + 10;
    remainder = (value >= 10 ? remainder * 100 : remainder * 10) + value;
    remainder %= 97;
  }
  if (remainder != 1) return error("iban", "has a wrong check digit (mod-97)");
  return iban;
}

Result<std::string> canonical_address(std::string_view postcode, std::string_view house_number,
                                      std::string_view house_letter, std::string_view addition) {
  std::string pc = strip_upper(trim(postcode), " ");
  if (pc.size() != 6 || !is_digit(pc[0]) || pc[0] == '0' || !all_of(pc.substr(1, 3), is_digit) ||
      !is_upper(pc[4]) || !is_upper(pc[5])) {
    return error("postcode", "must be a Dutch postcode: 4 digits, the first not 0, and 2 letters");
  }
  std::string_view number = trim(house_number);
  if (number.empty() || number.size() > 6 || !all_of(number, is_digit)) {
    return error("houseNumber", "must be a whole number from 1 to 99999");
  }
  while (number.size() > 1 && number.front() == '0') number.remove_prefix(1);
  if (number == "0" || number.size() > 5) return error("houseNumber", "must be a whole number from 1 to 99999");
  std::string letter = strip_upper(trim(house_letter), "");
  if (letter.size() > 1 || !all_of(letter, is_upper)) return error("houseLetter", "must be one letter");
  std::string add = strip_upper(trim(addition), " -");
  if (add.size() > 4 || !all_of(add, is_upper_alnum)) {
    return error("addition", "must be at most 4 letters or digits");
  }
  return pc + "|" + std::string(number) + "|" + letter + "|" + add;
}

std::optional<std::chrono::sys_days> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!is_digit(text[i])) return std::nullopt;
  }
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  std::chrono::year_month_day ymd{std::chrono::year{num(0, 4)},
                                  std::chrono::month{static_cast<unsigned>(num(5, 2))},
                                  std::chrono::day{static_cast<unsigned>(num(8, 2))}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd};
}

std::optional<std::string> normalise_name(std::string_view name) {
  // BRIEF 3.5: format characters (Unicode Cf: zero-width space and joiners,
  // word joiner, BOM, soft hyphen, bidi controls, tags) are removed. They go
  // before NFKC so that what they separated composes as it would without them;
  // "Jan\u200BJansen" and "JanJansen" are one person, one pseudonym.
  std::string visible;
  visible.reserve(name.size());
  {
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(name.data());
    const auto* end = p + name.size();
    while (p < end) {
      utf8proc_int32_t cp = 0;
      utf8proc_ssize_t n = utf8proc_iterate(p, end - p, &cp);
      if (n <= 0) return std::nullopt;
      if (utf8proc_category(cp) != UTF8PROC_CATEGORY_CF) {
        visible.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
      }
      p += n;
    }
  }
  utf8proc_uint8_t* mapped = nullptr;
  auto options = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                                UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_REJECTNA);
  utf8proc_ssize_t len = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(visible.data()),
                                      static_cast<utf8proc_ssize_t>(visible.size()), &mapped, options);
  if (len < 0) return std::nullopt;
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);

  // Collapse every run of Unicode white space to one ASCII space; trim; refuse
  // control characters, which no name contains.
  std::string out;
  out.reserve(static_cast<std::size_t>(len));
  bool pending_space = false;
  const utf8proc_uint8_t* p = mapped;
  const utf8proc_uint8_t* end = mapped + len;
  while (p < end) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, end - p, &cp);
    if (n <= 0) return std::nullopt;
    if (is_unicode_space(cp)) {
      pending_space = !out.empty();
    } else if (utf8proc_category(cp) == UTF8PROC_CATEGORY_CF) {
      // none should be left after the pass above; never let one through
    } else {
      if (utf8proc_category(cp) == UTF8PROC_CATEGORY_CC) return std::nullopt;
      if (pending_space) out.push_back(' ');
      pending_space = false;
      out.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
    }
    p += n;
  }
  return out;
}

Result<std::string> canonical_person(std::string_view name, std::string_view birth_date,
                                     std::chrono::sys_days today) {
  if (name.size() > 300) return error("name", "must be at most 300 bytes");
  auto normal = normalise_name(name);
  if (!normal) return error("name", "must be valid UTF-8 text without control characters");
  if (normal->empty()) return error("name", "must not be empty");
  auto date = parse_date(birth_date);
  if (!date) return error("birthDate", "must be a real calendar date written YYYY-MM-DD");
  if (*date > today) return error("birthDate", "must not be in the future");
  if (*date < std::chrono::sys_days{std::chrono::year{1900} / 1 / 1}) {
    return error("birthDate", "must not be before 1900-01-01");
  }
  return *normal + "|" + std::string(birth_date);
}

Result<std::string> canonical_document(std::string_view country, std::string_view number) {
  std::string cc = strip_upper(trim(country), "");
  if (!is_iso_country(cc)) return error("documentCountry", "must be an ISO 3166 alpha-2 country code");
  std::string num = strip_upper(trim(number), " -");
  if (num.empty() || num.size() > 30 || !all_of(num, is_upper_alnum)) {
    return error("documentNumber", "must be 1 to 30 letters or digits");
  }
  return cc + "|" + num;
}

Result<std::string> canonical_plate(std::string_view country, std::string_view plate) {
  std::string cc = strip_upper(trim(country), "");
  if (cc.empty()) cc = "NL";
  if (!is_iso_country(cc)) return error("plateCountry", "must be an ISO 3166 alpha-2 country code");
  std::string p = strip_upper(trim(plate), " -.");
  if (p.empty() || p.size() > 12 || !all_of(p, is_upper_alnum)) {
    return error("plate", "must be 1 to 12 letters or digits (separators are ignored)");
  }
  return cc + "|" + p;
}

Result<std::string> canonical_phone(std::string_view input) {
  std::string s = strip_upper(trim(input), " -.()/");
  std::string digits;
  if (s.starts_with("+")) {
    digits = s.substr(1);
  } else if (s.starts_with("00")) {
    digits = s.substr(2);
  } else if (s.starts_with("0")) {
    digits = "31" + s.substr(1);  // Dutch national number: 06... becomes +316...
  } else {
    return error("phone", "must start with +, 00 or a national 0");
  }
  if (!all_of(digits, is_digit) || digits.empty() || digits[0] == '0') {
    return error("phone", "must be a country code and digits");
  }
  // BRIEF 3.5: a trunk 0 written after +31 is dropped: "+31 06 1234 5678" is
  // the same number as "06 1234 5678" and "+31 6 1234 5678".
  if (digits.starts_with("310")) digits.erase(2, 1);
  // No Dutch subscriber number starts with 0; "+31 00..." would otherwise lose one
  // 0 per canonicalisation and never reach a fixed point (found by fuzzing).
  if (digits.starts_with("310")) return error("phone", "a Dutch number has at most one 0 after +31");
  if (digits.size() < 8 || digits.size() > 15) return error("phone", "must have 8 to 15 digits (E.164)");
  return "+" + digits;
}

Result<std::string> canonical_email(std::string_view input) {
  std::string_view s = trim(input);
  if (s.empty() || s.size() > 254) return error("email", "must be 1 to 254 characters");
  std::string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, end - p, &cp);
    if (n <= 0) return error("email", "must be valid UTF-8");
    if (is_unicode_space(cp) || utf8proc_category(cp) == UTF8PROC_CATEGORY_CC) {
      return error("email", "must not contain white space or control characters");
    }
    utf8proc_uint8_t buf[4];
    utf8proc_ssize_t w = utf8proc_encode_char(utf8proc_tolower(cp), buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(w));
    p += n;
  }
  auto at = out.find('@');
  if (at == std::string::npos || out.find('@', at + 1) != std::string::npos) {
    return error("email", "must contain exactly one @");
  }
  if (at == 0 || at + 1 == out.size()) return error("email", "must have text before and after the @");
  return out;
}

}  // namespace signalnode::protocol

namespace signalnode::protocol {

namespace {
std::vector<std::string_view> split_bar(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    auto bar = s.find('|', start);
    parts.push_back(s.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (bar == std::string_view::npos) return parts;
    start = bar + 1;
  }
}
}  // namespace

Result<CanonicalId> canonicalise(IdKind kind, std::string_view value, std::chrono::sys_days today) {
  if (value.size() > 400) return FieldError{"value", "must be at most 400 bytes"};
  auto parts = split_bar(value);
  auto wrap = [&](Result<std::string> r) -> Result<CanonicalId> {
    if (!r) return FieldError{"value", r.error().field + " " + r.error().reason};
    return CanonicalId{kind, std::move(r).value()};
  };
  auto need = [&](std::size_t lo, std::size_t hi, const char* shape) -> std::optional<FieldError> {
    if (parts.size() < lo || parts.size() > hi) return FieldError{"value", std::string("must be written ") + shape};
    return std::nullopt;
  };
  switch (kind) {
    case IdKind::bsn: return wrap(canonical_bsn(value));
    case IdKind::kvk: return wrap(canonical_kvk(value));
    case IdKind::iban: return wrap(canonical_iban(value));
    case IdKind::phone: return wrap(canonical_phone(value));
    case IdKind::email: return wrap(canonical_email(value));
    case IdKind::address:
      if (auto e = need(2, 4, "postcode|number|letter|addition")) return *e;
      return wrap(canonical_address(parts[0], parts[1], parts.size() > 2 ? parts[2] : "",
                                    parts.size() > 3 ? parts[3] : ""));
    case IdKind::person:
      if (auto e = need(2, 2, "name|YYYY-MM-DD")) return *e;
      return wrap(canonical_person(parts[0], parts[1], today));
    case IdKind::document:
      if (auto e = need(2, 2, "CC|NUMBER")) return *e;
      return wrap(canonical_document(parts[0], parts[1]));
    case IdKind::plate:
      if (auto e = need(1, 2, "[CC|]PLATE")) return *e;
      return parts.size() == 1 ? wrap(canonical_plate("", parts[0])) : wrap(canonical_plate(parts[0], parts[1]));
  }
  return FieldError{"idKind", "is not a known identifier kind"};
}

}  // namespace signalnode::protocol
