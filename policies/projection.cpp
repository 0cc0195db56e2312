#include "policies/projection.hpp"

#include <chrono>
#include <cstdio>
#include <iterator>

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
    {Coarse::persons, "persons", "the number of persons", [](const wire::Record& r) { return r.persons >= 0; }},
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

std::string check_received(const wire::Record& r, const Policy& policy, const Party& sender, const Party& self,
                           std::int64_t now_ms) {
  if (r.record_id.size() != 32) return "malformed record id";
  if (r.policy_hash != policy.sha256()) return "unknown policy hash (the receiver runs policy " + policy.sha256_hex() + ")";
  if (!r.status.empty() || !r.reason.empty() || !r.note.empty() || r.organisations >= 0 || !r.categories.empty()) {
    return "a shared record carries no feedback or notice fields";
  }
  auto decision = policy.decide(sender, self, r.category, day_of(now_ms));
  if (!decision.grant) return "not granted: " + decision.reason;
  const Rule& rule = *decision.grant->rule;
  if (rule.id != r.rule_id) return "record names rule " + r.rule_id + " but rule " + rule.id + " applies";
  for (const auto& s : r.subjects) {
    if (!grants_pseudonym(rule, s.id_kind)) return "rule " + rule.id + " does not grant " + s.id_kind + " pseudonyms";
  }
  for (const auto& f : kCoarseFields) {
    if (f.carried(r) && !grants(rule, f)) return "rule " + rule.id + " does not grant " + std::string(f.named);
  }
  // A day of slack, so the two nodes' clocks need not agree to the millisecond.
  if (r.expires_at_ms > now_ms + retention_ms(rule) + kDayMs) return "expiry beyond the rule's retention";
  return {};
}

}  // namespace signalnode::policies
