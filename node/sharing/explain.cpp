#include "node/sharing/explain.hpp"

#include <boost/json.hpp>

#include "node/sharing/sharing.hpp"

namespace signalnode::node::sharing {
namespace json = boost::json;

json::object explain(const signals::Signal& signal, const policies::Policy& policy, const federation::Manifest& manifest,
                     const policies::Party& self, std::chrono::sys_days day) {
  json::array partners;
  for (const auto& p : manifest.partners) {
    if (p.org == self.org) continue;
    auto decision = policy.decide(self, {p.org, p.role}, signal.category, day);
    json::object o{{"org", p.org}, {"role", p.role}, {"shared", decision.grant.has_value()}, {"reason", decision.reason}};
    if (decision.grant) {
      const auto& rule = *decision.grant->rule;
      o["rule"] = rule.id;
      o["legalBasis"] = rule.legal_basis;
      o["purpose"] = rule.purpose;
      o["retentionDays"] = rule.retention_days;
      json::object fields{{"category", signal.category}};
      if (rule.fields.contains("week")) fields["week"] = iso_week(signal.observed_on);
      if (rule.fields.contains("municipality") && signal.municipality) fields["municipality"] = *signal.municipality;
      if (rule.fields.contains("severity")) fields["severity"] = signal.severity;
      if (rule.fields.contains("persons") && signal.persons) fields["persons"] = *signal.persons;
      o["fields"] = std::move(fields);
      json::array sent, withheld;
      for (std::size_t i = 0; i < signal.subjects.size(); ++i) {
        for (const auto& id : signal.subjects[i].identifiers) {
          std::string kind(protocol::to_string(id.kind));
          json::object entry{{"subject", i}, {"kind", signal.subjects[i].kind}, {"idKind", kind}};
          (rule.pseudonyms.contains(kind) ? sent : withheld).push_back(std::move(entry));
        }
      }
      o["pseudonyms"] = std::move(sent);
      o["withheld"] = std::move(withheld);
    }
    partners.push_back(std::move(o));
  }
  return json::object{{"policy", json::object{{"name", policy.name()}, {"sha256", policy.sha256_hex()}}},
                      {"sender", json::object{{"org", self.org}, {"role", self.role}}},
                      {"neverShared", json::array{"summary", "names", "plain identifiers", "exact dates"}},
                      {"partners", std::move(partners)}};
}

}  // namespace signalnode::node::sharing
