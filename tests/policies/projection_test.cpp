// The covenant's projection of a signal (what travels to a partner) and the
// receiver's check of a record: what the projection of a rule lets travel the
// check accepts, and each thing beyond the rule is refused with the reason
// the sender will see in its receipt.
#include "policies/projection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace signalnode::embedded {
std::string_view covenant_toml();
}

namespace pol = signalnode::policies;
namespace wire = signalnode::protocol::wire;
using namespace std::chrono;

namespace {
constexpr std::int64_t kDayMs = 86'400'000;
// 2026-11-24, 10:00 UTC.
const std::int64_t kNow =
    duration_cast<milliseconds>(sys_days{year{2026} / 11 / 24}.time_since_epoch()).count() + 10 * 3'600'000;
const std::vector<pol::Party> kPartners = {{"gemeente-aalsmeer", "municipality"},
                                           {"nla", "labour_inspectorate"},
                                           {"snf", "housing_certifier"},
                                           {"riec-amsterdam", "riec"}};
const pol::Party kGemeente = kPartners[0], kNla = kPartners[1], kSnf = kPartners[2], kRiec = kPartners[3];

pol::Policy covenant() {
  return pol::Policy::parse(signalnode::embedded::covenant_toml(), "covenant.toml", pol::Taxonomy::builtin(), kPartners);
}

// A one-rule policy: the municipality tells the RIEC about housing, with the
// address as pseudonym and only the coarse fields given.
pol::Policy one_rule(const std::string& fields) {
  return pol::Policy::parse(R"(version = 1
name = "t"
[[rules]]
id = "r1"
from = ["role:municipality"]
to = ["role:riec"]
categories = ["housing.*"]
pseudonyms = ["address"]
fields = )" + fields + R"(
legal_basis = "b"
purpose = "p"
retention_days = 30
status = "active"
valid_from = "2026-01-01"
)",
                            "p.toml", pol::Taxonomy::builtin(), kPartners);
}

// One identifier of every idKind, each with a pseudonym of its own: a worker
// (subject 0) known by every personal idKind, an agency, an address, a van
// and an account.
std::vector<pol::SubjectIdentifier> every_id_kind() {
  const std::pair<std::size_t, std::pair<const char*, const char*>> ids[] = {
      {0, {"person", "bsn"}},        {0, {"person", "person"}},    {0, {"person", "document"}},
      {0, {"person", "phone"}},      {0, {"person", "email"}},     {1, {"organisation", "kvk"}},
      {2, {"address", "address"}},   {3, {"vehicle", "plate"}},    {4, {"account", "iban"}}};
  std::vector<pol::SubjectIdentifier> out;
  for (const auto& [subject, kinds] : ids) {
    pol::SubjectIdentifier id{subject, kinds.first, kinds.second, {}};
    id.pseudonym.fill(static_cast<std::uint8_t>(out.size() + 1));
    out.push_back(id);
  }
  return out;
}

pol::SignalFacts facts(const std::string& category) {
  return {category, "2026-11-20", "GM0358", "high", 6, every_id_kind()};
}

std::vector<std::string> id_kinds(const std::vector<pol::SubjectIdentifier>& ids) {
  std::vector<std::string> out;
  for (const auto& id : ids) out.push_back(id.id_kind);
  return out;
}

bool names(const std::vector<std::string>& list, const pol::Party& p) {
  return std::find(list.begin(), list.end(), p.org) != list.end() ||
         std::find(list.begin(), list.end(), "role:" + p.role) != list.end();
}

// A record of `category` the one-rule policy grants from the municipality to
// the RIEC, as the sender would build it.
wire::Record valid_record(const pol::Policy& policy, const std::string& category = "housing.overcrowding") {
  wire::Record r = pol::to_record(pol::project(policy.rules().at(0), facts(category), kNow), policy);
  r.record_id = std::string(32, 'a');
  return r;
}
}  // namespace

TEST(PolicyProjection, IsoWeekIsTheWeekOfTheDaysThursday) {
  EXPECT_EQ(pol::iso_week("2026-11-20"), "2026-W47");
  EXPECT_EQ(pol::iso_week("2027-01-01"), "2026-W53") << "a Friday: its Thursday is still in 2026";
  EXPECT_EQ(pol::iso_week("2024-12-30"), "2025-W01") << "a Monday: its Thursday is in 2025";
  EXPECT_EQ(pol::iso_week("2026-02-30"), "");
  EXPECT_EQ(pol::iso_week("soon"), "");
}

TEST(PolicyProjection, LabourToTheInspectorateSendsOrganisationsAndPlacesAndPersonsOnlyAsACount) {
  auto policy = covenant();
  const pol::Rule& rule = *policy.find("labour-to-inspectorate");
  pol::Projection p = pol::project(rule, facts("labour.debt_bondage"), kNow);
  EXPECT_EQ(p.rule_id, "labour-to-inspectorate");
  EXPECT_EQ(p.category, "labour.debt_bondage");
  EXPECT_EQ(p.week, "2026-W47") << "the week, never the date";
  EXPECT_EQ(p.municipality, "GM0358");
  EXPECT_EQ(p.severity, "high");
  EXPECT_EQ(p.persons, 6);
  EXPECT_EQ(id_kinds(p.sent), (std::vector<std::string>{"kvk", "address", "plate", "iban"}));
  EXPECT_EQ(id_kinds(p.withheld), (std::vector<std::string>{"bsn", "person", "document", "phone", "email"}))
      << "workers are not identified to the inspectorate";
  EXPECT_EQ(p.sent.at(0), facts("").identifiers.at(5)) << "subject, kinds and pseudonym travel unchanged";
  EXPECT_EQ(p.expires_at_ms, kNow + 365 * kDayMs);
}

TEST(PolicyProjection, WhatTheRuleDoesNotGrantOrTheSignalLacksDoesNotTravel) {
  auto policy = covenant();
  pol::SignalFacts f = facts("housing.overcrowding");
  f.municipality.reset();
  pol::Projection p = pol::project(*policy.find("housing-quality-to-snf"), f, kNow);
  EXPECT_EQ(p.week, "2026-W47");
  EXPECT_EQ(p.severity, "high");
  EXPECT_FALSE(p.municipality) << "granted, but the signal has none";
  EXPECT_FALSE(p.persons) << "the rule grants no persons";
  EXPECT_EQ(id_kinds(p.sent), (std::vector<std::string>{"kvk", "address"}));
  EXPECT_EQ(p.withheld.size(), 7u);
  EXPECT_EQ(p.expires_at_ms, kNow + 180 * kDayMs);
}

TEST(PolicyProjection, TheRecordCarriesExactlyTheProjection) {
  auto policy = covenant();
  pol::Projection p = pol::project(*policy.find("housing-quality-to-snf"), facts("housing.overcrowding"), kNow);
  wire::Record r = pol::to_record(p, policy);
  EXPECT_EQ(r.kind, wire::RecordKind::shared_signal);
  EXPECT_TRUE(r.record_id.empty() && r.refers_to.empty()) << "the caller's to set";
  EXPECT_EQ(r.category, "housing.overcrowding");
  EXPECT_EQ(r.observed_week, "2026-W47");
  EXPECT_EQ(r.municipality, "GM0358");
  EXPECT_EQ(r.severity, "high");
  EXPECT_EQ(r.persons, -1) << "not shared";
  ASSERT_EQ(r.subjects.size(), 2u);
  for (std::size_t i = 0; i < r.subjects.size(); ++i) {
    EXPECT_EQ(r.subjects[i], (wire::SharedSubject{p.sent[i].subject_kind, p.sent[i].id_kind, p.sent[i].pseudonym}));
  }
  EXPECT_EQ(r.rule_id, "housing-quality-to-snf");
  EXPECT_EQ(r.policy_hash, policy.sha256());
  EXPECT_EQ(r.expires_at_ms, p.expires_at_ms);
  EXPECT_TRUE(r.status.empty() && r.reason.empty() && r.note.empty() && r.organisations < 0 && r.categories.empty());
}

// For every rule of the default covenant, every sender and recipient it names
// and every category it covers: the receiver accepts what the sender built.
TEST(PolicyReceivedCheck, TheReceiverAcceptsEveryProjectionOfTheDefaultCovenant) {
  auto policy = covenant();
  const auto day = floor<days>(sys_time<milliseconds>(milliseconds(kNow)));
  std::map<std::string, int> checked;
  // The demo's partners and one of each role the national federation adds,
  // the regional ones serving the facts' municipality (GM0358).
  std::vector<pol::Party> parties = kPartners;
  for (const char* role : {"police", "zvh", "trafficking_table"}) parties.push_back({std::string(role) + "-x", role, {"GM0358"}});
  for (const char* role : {"tax_authority", "chamber_of_commerce"}) parties.push_back({std::string(role) + "-x", role});
  for (const pol::Rule& rule : policy.rules()) {
    for (const auto& from : parties) {
      for (const auto& to : parties) {
        if (!names(rule.from, from) || !names(rule.to, to)) continue;
        for (const auto& category : pol::Taxonomy::builtin().categories()) {
          auto decision = policy.decide(from, to, category.id, day, "GM0358");
          if (!rule.active) {
            if (decision.reason != "rule " + rule.id + " applies but is suspended") continue;
            wire::Record r = pol::to_record(pol::project(rule, facts(category.id), kNow), policy);
            r.record_id = std::string(32, 'b');
            EXPECT_EQ(pol::check_received(r, policy, from, to, kNow), "not granted: " + decision.reason);
            ++checked[rule.id];
            continue;
          }
          if (!decision.grant || decision.grant->rule != &rule) continue;
          wire::Record r = pol::to_record(pol::project(rule, facts(category.id), kNow), policy);
          r.record_id = std::string(32, 'b');
          EXPECT_EQ(pol::check_received(r, policy, from, to, kNow), "")
              << rule.id << " " << from.org << " -> " << to.org << " " << category.id;
          ++checked[rule.id];
        }
      }
    }
  }
  for (const pol::Rule& rule : policy.rules()) EXPECT_GT(checked[rule.id], 0) << rule.id << " was not exercised";
}

TEST(PolicyReceivedCheck, RefusesWhatTheRuleDoesNotGrantWithTheReasonTheSenderSees) {
  auto week_only = one_rule(R"(["week"])");
  ASSERT_EQ(pol::check_received(valid_record(week_only), week_only, kGemeente, kRiec, kNow), "");
  auto refused = [&](const pol::Policy& policy, auto change) {
    wire::Record r = valid_record(policy);
    change(r);
    return pol::check_received(r, policy, kGemeente, kRiec, kNow);
  };
  EXPECT_EQ(refused(week_only, [](wire::Record& r) { r.municipality = "GM0358"; }),
            "rule r1 does not grant the municipality");
  EXPECT_EQ(refused(week_only, [](wire::Record& r) { r.severity = "low"; }), "rule r1 does not grant the severity");
  EXPECT_EQ(refused(week_only, [](wire::Record& r) { r.persons = 0; }), "rule r1 does not grant the number of persons");
  auto severity_only = one_rule(R"(["severity"])");
  EXPECT_EQ(refused(severity_only, [](wire::Record& r) { r.observed_week = "2026-W47"; }), "rule r1 does not grant the week");
  EXPECT_EQ(refused(week_only, [](wire::Record& r) { r.subjects.push_back({"person", "bsn", {}}); }),
            "rule r1 does not grant bsn pseudonyms");
  EXPECT_EQ(refused(week_only, [](wire::Record& r) { r.rule_id = "all-to-riec"; }),
            "rule_id names another rule than rule r1, which applies");
  EXPECT_EQ(refused(week_only, [](wire::Record& r) { r.policy_hash.fill(0); }),
            "unknown policy hash (the receiver runs policy " + week_only.sha256_hex() + ")");
  EXPECT_EQ(refused(week_only, [](wire::Record& r) { r.record_id = "abc"; }), "record_id is not 32 lowercase hex digits");
  EXPECT_EQ(refused(week_only, [](wire::Record& r) { r.note = "hi"; }),
            "a shared record carries no feedback or notice fields");
  EXPECT_EQ(refused(week_only, [](wire::Record& r) { r.category = "labour.debt_bondage"; }),
            "not granted: no rule shares labour.debt_bondage from gemeente-aalsmeer to riec-amsterdam");
  // The sender's expiry says nothing the receiver relies on (it keeps a
  // record for the rule's retention from its own receive time): a sender
  // whose clock runs two days fast or slow is not refused for it.
  EXPECT_EQ(refused(week_only, [](wire::Record& r) { r.expires_at_ms = kNow + 32 * kDayMs; }), "");
  EXPECT_EQ(refused(week_only, [](wire::Record& r) { r.expires_at_ms = kNow - 2 * kDayMs; }), "");
  EXPECT_EQ(pol::received_expiry(*week_only.find("r1"), kNow), kNow + 30 * kDayMs);
  wire::Record r = valid_record(week_only);
  const std::int64_t before_valid = kNow - 365 * kDayMs;
  EXPECT_EQ(pol::check_received(r, week_only, kGemeente, kRiec, before_valid),
            "not granted: rule r1 applies but is not valid on this date");
  EXPECT_EQ(pol::check_received(r, week_only, kNla, kRiec, kNow),
            "not granted: no rule shares housing.overcrowding from nla to riec-amsterdam")
      << "only from the senders the rule names";
}

// Issue 14: a partner with a valid key smuggles identifying text into the
// coarse fields. Each field is checked by its content before the covenant,
// and the reason names the field without repeating what it held.
TEST(PolicyReceivedCheck, RefusesSmuggledContentInEveryFieldNamingTheField) {
  auto all = one_rule(R"(["week", "municipality", "severity", "persons"])");
  ASSERT_EQ(pol::check_received(valid_record(all), all, kGemeente, kRiec, kNow), "");
  const std::string smuggled = "Jan de Vries, geb. 1985-03-01, BSN 111222333";
  auto refused = [&](auto change) {
    wire::Record r = valid_record(all);
    change(r);
    std::string why = pol::check_received(r, all, kGemeente, kRiec, kNow);
    EXPECT_EQ(why.find("Jan"), std::string::npos) << why;
    EXPECT_EQ(why.find("1985"), std::string::npos) << why;
    EXPECT_EQ(why.find("12345678"), std::string::npos) << why;
    EXPECT_LE(why.size(), 120u) << why;
    return why;
  };
  EXPECT_EQ(refused([&](wire::Record& r) { r.observed_week = smuggled; }),
            "observed_week is not an ISO week YYYY-Www of that year");
  EXPECT_EQ(refused([](wire::Record& r) { r.observed_week = "2025-W53"; }),
            "observed_week is not an ISO week YYYY-Www of that year");
  EXPECT_EQ(refused([](wire::Record& r) { r.observed_week = "2027-W10"; }), "observed_week is in the future");
  EXPECT_EQ(refused([](wire::Record& r) { r.municipality = "KvK 12345678"; }),
            "municipality is not a CBS code GM and 4 digits");
  EXPECT_EQ(refused([](wire::Record& r) { r.municipality = "12345678"; }),
            "municipality is not a CBS code GM and 4 digits");
  EXPECT_EQ(refused([&](wire::Record& r) { r.severity = smuggled; }), "severity is not low, medium or high");
  EXPECT_EQ(refused([](wire::Record& r) { r.persons = std::int64_t{1} << 62; }), "persons is not from 0 to 100000");
  EXPECT_EQ(refused([](wire::Record& r) { r.persons = -5; }), "persons is not from 0 to 100000");
  EXPECT_EQ(refused([&](wire::Record& r) { r.subjects.at(0).kind = smuggled; }),
            "a subject kind is not a subject kind of the taxonomy");
  EXPECT_EQ(refused([](wire::Record& r) { r.subjects.at(0).kind = "suspect"; }),
            "a subject kind is not a subject kind of the taxonomy");
  EXPECT_EQ(refused([](wire::Record& r) { r.subjects.at(0).id_kind = "passport"; }),
            "a subject id_kind is not an identifier kind");
  EXPECT_EQ(refused([](wire::Record& r) { r.record_id = std::string(32, 'A'); }),
            "record_id is not 32 lowercase hex digits");
  EXPECT_EQ(refused([](wire::Record& r) { r.record_id = std::string(31, 'a'); }),
            "record_id is not 32 lowercase hex digits");
  EXPECT_EQ(refused([](wire::Record& r) { r.refers_to = "xyz"; }), "refers_to is not 32 lowercase hex digits");
  EXPECT_EQ(refused([&](wire::Record& r) { r.category = smuggled; }), "category is not a category of the taxonomy");
  EXPECT_EQ(refused([&](wire::Record& r) { r.rule_id = smuggled; }), "rule_id is not a rule id");
  EXPECT_EQ(refused([](wire::Record& r) { r.rule_id = std::string(65, 'r'); }), "rule_id is not a rule id");
  EXPECT_EQ(refused([](wire::Record& r) { r.organisations = -5; }),
            "a shared record carries no feedback or notice fields");
  // Persons 0 is what the API accepts for a signal, so it travels.
  EXPECT_EQ(refused([](wire::Record& r) { r.persons = 0; }), "");
}
