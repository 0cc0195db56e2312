#include "policies/projection.hpp"

#include <chrono>
#include <cstdio>
#include <iterator>

#include "policies/record_fields.hpp"
#include "protocol/identifiers.hpp"

namespace signalnode::policies {
namespace wire = protocol::wire;
using namespace std::chrono;

namespace {

constexpr std::int64_t kDayMs = 86'400'000;

// The coarse fields of a record, each with the grant it needs (its name in a
// rule's `fields`), how a refusal names it, and whether a record carries it.
// The projection sets a field only under its grant and the check refuses a
// carried field without it: both read this one table.
enum class Coarse { week, municipality, severity, persons };
struct CoarseField {
  Coarse field;
  std::string_view grant;
  std::string_view named;
  bool (*carried)(const wire::Record&);
};
constexpr CoarseField kCoarseFields[] = {
    {Coarse::week, "week", "the week", [](const wire::Record& r) { return !r.observed_week.empty(); }},
    {Coarse::municipality, "municipality", "the municipality",
     [](const wire::Record& r) { return !r.municipality.empty(); }},
    {Coarse::severity, "severity", "the severity", [](const wire::Record& r) { return !r.severity.empty(); }},
    {Coarse::persons, "persons", "the number of persons", [](const wire::Record& r) { return r.persons != -1; }},
};
static_assert(std::size(kCoarseFields) == kShareableFields.size(), "every shareable field needs its row");

bool grants(const Rule& rule, const CoarseField& f) { return rule.fields.contains(std::string(f.grant)); }
bool grants(const Rule& rule, Coarse f) { return grants(rule, kCoarseFields[static_cast<std::size_t>(f)]); }
bool grants_pseudonym(const Rule& rule, std::string_view id_kind) {
  return rule.pseudonyms.contains(std::string(id_kind));
}
std::int64_t retention_ms(const Rule& rule) { return static_cast<std::int64_t>(rule.retention_days) * kDayMs; }

sys_days day_of(std::int64_t ms) { return floor<days>(sys_time<milliseconds>(milliseconds(ms))); }

}  // namespace

std::string iso_week(std::string_view date) {
  auto d = protocol::parse_date(date);
  if (!d) return {};
  weekday wd{*d};
  int iso_wd = static_cast<int>(wd.iso_encoding());  // Monday 1 .. Sunday 7
  // The ISO year and week are those of the week's Thursday.
  sys_days thursday = *d + days(4 - iso_wd);
  year y = year_month_day{thursday}.year();
  int week = static_cast<int>((thursday - sys_days{y / January / 1}).count() / 7 + 1);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", static_cast<int>(y), week);
  return buf;
}

Projection project(const Rule& rule, const SignalFacts& facts, std::int64_t now_ms) {
  Projection p;
  p.rule_id = rule.id;
  p.category = facts.category;
  if (grants(rule, Coarse::week)) p.week = iso_week(facts.observed_on);
  if (grants(rule, Coarse::municipality)) p.municipality = facts.municipality;
  if (grants(rule, Coarse::severity)) p.severity = facts.severity;
  if (grants(rule, Coarse::persons)) p.persons = facts.persons;
  for (const auto& id : facts.identifiers) (grants_pseudonym(rule, id.id_kind) ? p.sent : p.withheld).push_back(id);
  p.expires_at_ms = now_ms + retention_ms(rule);
  return p;
}

wire::Record to_record(const Projection& p, const Policy& policy) {
  wire::Record r;
  r.category = p.category;
  r.observed_week = p.week.value_or("");
  r.municipality = p.municipality.value_or("");
  r.severity = p.severity.value_or("");
  r.persons = p.persons.value_or(-1);
  for (const auto& id : p.sent) r.subjects.push_back({id.subject_kind, id.id_kind, id.pseudonym});
  r.rule_id = p.rule_id;
  r.policy_hash = policy.sha256();
  r.expires_at_ms = p.expires_at_ms;
  return r;
}

std::string check_fields(const wire::Record& r) {
  // Each field by its content (policies/record_fields.hpp); a reason names
  // the field and never repeats what it held.
  if (!valid_record_id(r.record_id)) return "record_id is not 32 lowercase hex digits";
  if (!r.refers_to.empty() && !valid_record_id(r.refers_to)) return "refers_to is not 32 lowercase hex digits";
  if (!valid_category(r.category)) return "category is not a category of the taxonomy";
  if (!r.observed_week.empty() && !valid_iso_week(r.observed_week)) {
    return "observed_week is not an ISO week YYYY-Www of that year";
  }
  if (!r.municipality.empty() && !valid_municipality_code(r.municipality)) {
    return "municipality is not a CBS code GM and 4 digits";
  }
  if (!r.severity.empty() && !valid_severity(r.severity)) return "severity is not low, medium or high";
  if (r.persons != -1 && !valid_persons(r.persons)) return "persons is not from 0 to 100000";
  for (const auto& s : r.subjects) {
    if (!valid_subject_kind(s.kind)) return "a subject kind is not a subject kind of the taxonomy";
    if (!valid_id_kind(s.id_kind)) return "a subject id_kind is not an identifier kind";
  }
  if (!valid_rule_id(r.rule_id)) return "rule_id is not a rule id";
  return {};
}

namespace {
// Refusal texts the sender recognises as temporary (is_temporary_refusal).
constexpr std::string_view kUnknownPolicy = "unknown policy hash";
constexpr std::string_view kFutureWeek = "observed_week is in the future";
constexpr std::string_view kNotOnThisDate = "applies but is not valid on this date";
}  // namespace

std::string check_received(const wire::Record& r, const Policy& policy, const Party& sender, const Party& self,
                           std::int64_t now_ms) {
  if (std::string why = check_fields(r); !why.empty()) return why;
  if (r.policy_hash != policy.sha256()) {
    return std::string(kUnknownPolicy) + " (the receiver runs policy " + policy.sha256_hex() + ")";
  }
  if (!r.status.empty() || !r.reason.empty() || !r.note.empty() || r.organisations != -1 || !r.categories.empty()) {
    return "a shared record carries no feedback or notice fields";
  }
  auto decision = policy.decide(sender, self, r.category, day_of(now_ms), r.municipality);
  if (!decision.grant) return "not granted: " + decision.reason;
  const Rule& rule = *decision.grant->rule;
  if (rule.id != r.rule_id) return "rule_id names another rule than rule " + rule.id + ", which applies";
  for (const auto& s : r.subjects) {
    if (!grants_pseudonym(rule, s.id_kind)) return "rule " + rule.id + " does not grant " + s.id_kind + " pseudonyms";
  }
  for (const auto& f : kCoarseFields) {
    if (f.carried(r) && !grants(rule, f)) return "rule " + rule.id + " does not grant " + std::string(f.named);
  }
  // A day of slack, so the two nodes' clocks need not agree to the millisecond.
  if (!r.observed_week.empty() && *iso_week_monday(r.observed_week) > day_of(now_ms) + days(1)) {
    return std::string(kFutureWeek);
  }
  // No check of the sender's expires_at: the receiver keeps a record for the
  // rule's retention from its own receive time (received_expiry), so a sender
  // whose clock runs fast or slow is neither refused nor trusted.
  return {};
}

bool is_temporary_refusal(std::string_view reason) {
  return reason.starts_with(kUnknownPolicy) || reason == kFutureWeek ||
         (reason.starts_with("not granted: ") && reason.ends_with(kNotOnThisDate));
}

std::int64_t received_expiry(const Rule& rule, std::int64_t received_at_ms) {
  return received_at_ms + retention_ms(rule);
}

}  // namespace signalnode::policies
