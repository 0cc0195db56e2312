#include "policies/record_fields.hpp"

#include "policies/taxonomy.hpp"
#include "protocol/identifiers.hpp"
#include "protocol/utf8.hpp"

namespace signalnode::policies {
using namespace std::chrono;

namespace {
bool digits(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }
int number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}
// The Monday of ISO week 1 of ISO year y: the week holding 4 January.
sys_days week_one_monday(int y) {
  sys_days jan4{year{y} / January / 4};
  return jan4 - days(static_cast<int>(weekday{jan4}.iso_encoding()) - 1);
}
}  // namespace

bool valid_record_id(std::string_view id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::optional<sys_days> iso_week_monday(std::string_view week) {
  if (week.size() != 8 || week[4] != '-' || week[5] != 'W') return std::nullopt;
  if (!digits(week.substr(0, 4)) || !digits(week.substr(6, 2))) return std::nullopt;
  const int y = number(week.substr(0, 4)), w = number(week.substr(6, 2));
  if (y < 1999 || w < 1) return std::nullopt;
  const sys_days first = week_one_monday(y);
  const auto weeks_in_year = (week_one_monday(y + 1) - first).count() / 7;  // 52 or 53
  if (w > weeks_in_year) return std::nullopt;
  return first + days(7 * (w - 1));
}

bool valid_iso_week(std::string_view week) { return iso_week_monday(week).has_value(); }

bool valid_municipality_code(std::string_view code) {
  return code.size() == 6 && code.starts_with("GM") && digits(code.substr(2));
}

bool valid_severity(std::string_view severity) {
  return severity == "low" || severity == "medium" || severity == "high";
}

bool valid_persons(std::int64_t persons) { return persons >= 0 && persons <= kMaxPersons; }

bool valid_category(std::string_view category) {
  return !category.empty() && category.size() <= kMaxCategoryBytes && Taxonomy::builtin().find(category) != nullptr;
}

bool valid_subject_kind(std::string_view kind) {
  return !kind.empty() && kind.size() <= kMaxSubjectKindBytes && Taxonomy::builtin().is_subject_kind(kind);
}

bool valid_id_kind(std::string_view id_kind) { return protocol::id_kind_from_string(id_kind).has_value(); }

bool valid_rule_id(std::string_view rule_id) {
  constexpr std::string_view allowed =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
  return !rule_id.empty() && rule_id.size() <= kMaxRuleIdBytes &&
         rule_id.find_first_not_of(allowed) == std::string_view::npos;
}

bool valid_feedback_note(std::string_view note) {
  return note.size() <= kMaxFeedbackNoteBytes && protocol::is_valid_utf8(note);
}

bool valid_organisations(std::int64_t organisations) {
  return organisations >= 1 && organisations <= kMaxOrganisations;
}

}  // namespace signalnode::policies
