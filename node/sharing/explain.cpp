#include "node/sharing/explain.hpp"

#include "policies/areas.hpp"

#include <boost/json.hpp>

#include "policies/projection.hpp"

namespace signalnode::node::sharing {
namespace json = boost::json;

namespace {

// The signal as the covenant sees it. No pseudonyms yet: a preview shows
// which would travel, not their values.
policies::SignalFacts facts_of(const signals::Signal& signal) {
  policies::SignalFacts f{signal.category, signal.observed_on, signal.municipality, signal.severity, signal.persons, {}};
  for (std::size_t i = 0; i < signal.subjects.size(); ++i) {
    for (const auto& id : signal.subjects[i].identifiers) {
      f.identifiers.push_back({i, signal.subjects[i].kind, std::string(protocol::to_string(id.kind)), {}});
    }
  }
  return f;
}

json::array identifiers_json(const std::vector<policies::SubjectIdentifier>& ids) {
  json::array out;
  for (const auto& id : ids) {
    out.push_back(json::object{{"subject", id.subject}, {"kind", id.subject_kind}, {"idKind", id.id_kind}});
  }
  return out;
}

}  // namespace

json::object explain(const signals::Signal& signal, const policies::Policy& policy, const federation::Manifest& manifest,
                     const policies::Party& self, std::chrono::sys_days day) {
  const policies::SignalFacts facts = facts_of(signal);
  const std::int64_t day_ms = std::chrono::duration_cast<std::chrono::milliseconds>(day.time_since_epoch()).count();
  json::array partners;
  for (const auto& p : manifest.partners) {
    if (p.org == self.org || p.pseudonymisation_authority) continue;  // a PA receives nothing
    auto decision = policy.decide(self, federation::party_of(p), signal.category, day, signal.municipality.value_or(""));
    json::object o{{"org", p.org}, {"role", p.role}, {"shared", decision.grant.has_value()}, {"reason", decision.reason}};
    // The area decision, where a rule routes by area: in-area, national,
    // outside-area or no-municipality, with the municipality it was about.
    if (!decision.area.empty()) {
      const auto* place = policies::Areas::builtin().find(signal.municipality.value_or(""));
      o["area"] = json::object{{"decision", decision.area},
                               {"municipality", signal.municipality.value_or("")},
                               {"municipalityName", place ? place->name : ""}};
    }
    if (decision.grant) {
      const auto& rule = *decision.grant->rule;
      // The same projection share_ready turns into the queued record.
      const policies::Projection travels = policies::project(rule, facts, day_ms);
      o["rule"] = rule.id;
      o["legalBasis"] = rule.legal_basis;
      o["purpose"] = rule.purpose;
      o["retentionDays"] = rule.retention_days;
      json::object fields{{"category", travels.category}};
      if (travels.week) fields["week"] = *travels.week;
      if (travels.municipality) fields["municipality"] = *travels.municipality;
      if (travels.severity) fields["severity"] = *travels.severity;
      if (travels.persons) fields["persons"] = *travels.persons;
      o["fields"] = std::move(fields);
      o["pseudonyms"] = identifiers_json(travels.sent);
      o["withheld"] = identifiers_json(travels.withheld);
    }
    partners.push_back(std::move(o));
  }
  return json::object{{"policy", json::object{{"name", policy.name()}, {"sha256", policy.sha256_hex()}}},
                      {"sender", json::object{{"org", self.org}, {"role", self.role}}},
                      {"neverShared", json::array{"summary", "names", "plain identifiers", "exact dates"}},
                      {"partners", std::move(partners)}};
}

}  // namespace signalnode::node::sharing
