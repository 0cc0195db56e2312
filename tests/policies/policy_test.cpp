#include "policies/policy.hpp"

#include <gtest/gtest.h>

namespace signalnode::embedded {
std::string_view covenant_toml();
}

namespace pol = signalnode::policies;
using namespace std::chrono;

namespace {
const sys_days kDay = sys_days{year{2026} / 11 / 24};
const std::vector<pol::Party> kPartners = {{"gemeente-aalsmeer", "municipality"},
                                           {"nla", "labour_inspectorate"},
                                           {"snf", "housing_certifier"},
                                           {"riec-amsterdam", "riec"}};
const pol::Party kGemeente = kPartners[0], kNla = kPartners[1], kSnf = kPartners[2], kRiec = kPartners[3];

pol::Policy covenant() {
  return pol::Policy::parse(signalnode::embedded::covenant_toml(), "covenant.toml", pol::Taxonomy::builtin(), kPartners);
}

const std::string kRule = R"(
[[rules]]
id = "r1"
from = ["role:municipality"]
to = ["role:riec"]
categories = ["housing.*"]
pseudonyms = ["address"]
fields = ["week"]
legal_basis = "b"
purpose = "p"
retention_days = 30
status = "active"
valid_from = "2026-01-01"
)";

std::string error_of(const std::string& text) {
  try {
    pol::Policy::parse("version = 1\nname = \"t\"\n" + text, "p.toml", pol::Taxonomy::builtin(), kPartners);
    return "<accepted>";
  } catch (const pol::PolicyError& e) {
    return e.what();
  }
}
}  // namespace

TEST(Policy, DefaultCovenantRoutesAsTheDomainSays) {
  auto p = covenant();
  auto nla = p.decide(kGemeente, kNla, "labour.underpaid_or_unpaid", kDay);
  ASSERT_TRUE(nla.grant);
  EXPECT_EQ(nla.grant->rule->id, "labour-to-inspectorate");
  EXPECT_FALSE(nla.grant->rule->pseudonyms.contains("bsn")) << "persons only as a count";
  EXPECT_FALSE(nla.grant->rule->pseudonyms.contains("person"));
  EXPECT_TRUE(nla.grant->rule->fields.contains("persons"));

  EXPECT_FALSE(p.decide(kGemeente, kSnf, "labour.underpaid_or_unpaid", kDay).grant) << "labour signals not to SNF";
  auto snf = p.decide(kGemeente, kSnf, "housing.poor_maintenance", kDay);
  ASSERT_TRUE(snf.grant);
  EXPECT_EQ(snf.grant->rule->pseudonyms, (std::set<std::string>{"address", "kvk"}));

  auto riec = p.decide(kGemeente, kRiec, "labour.underpaid_or_unpaid", kDay);
  ASSERT_TRUE(riec.grant);
  EXPECT_TRUE(riec.grant->rule->pseudonyms.contains("bsn"));
  EXPECT_FALSE(p.decide(kGemeente, kRiec, "labour.addiction_problems", kDay).grant)
      << "a wildcard never covers a health category";

  EXPECT_TRUE(p.decide(kNla, kGemeente, "housing.poor_maintenance", kDay).grant);
  EXPECT_FALSE(p.decide(kGemeente, kNla, "housing.neighbour_complaints", kDay).grant) << "default deny";
  auto suspended = p.decide(kSnf, kGemeente, "housing.snf_norm_noncompliance", kDay);
  EXPECT_FALSE(suspended.grant);
  EXPECT_NE(suspended.reason.find("suspended"), std::string::npos);
  EXPECT_FALSE(p.decide(kGemeente, kNla, "labour.underpaid_or_unpaid", sys_days{year{2025} / 12 / 31}).grant)
      << "not valid before valid_from";
  EXPECT_EQ(p.sha256_hex().size(), 64u);
}

TEST(Policy, HealthCategoriesNeedARuleThatNamesThem) {
  std::string rule = kRule;
  rule.replace(rule.find("[\"housing.*\"]"), 13, "[\"labour.addiction_problems\"]");
  auto p = pol::Policy::parse("version = 1\nname = \"t\"\n" + rule, "p.toml", pol::Taxonomy::builtin(), kPartners);
  EXPECT_TRUE(p.decide(kGemeente, kRiec, "labour.addiction_problems", kDay).grant);
}

TEST(Policy, ValidationNamesLineAndField) {
  EXPECT_EQ(error_of(kRule), "<accepted>");
  auto with = [&](const std::string& from, const std::string& to) {
    std::string r = kRule;
    r.replace(r.find(from), from.size(), to);
    return error_of(r);
  };
  EXPECT_NE(with("[\"housing.*\"]", "[\"housing.nope\"]").find("p.toml:8:14: rules[r1].categories: 'housing.nope' is not"),
            std::string::npos)
      << with("[\"housing.*\"]", "[\"housing.nope\"]");
  EXPECT_NE(with("[\"role:riec\"]", "[\"politie\"]").find("neither role:<role> nor an organisation in the manifest"),
            std::string::npos);
  EXPECT_NE(with("[\"week\"]", "[\"summary\"]").find("'summary' is not shareable"), std::string::npos);
  EXPECT_NE(with("[\"address\"]", "[\"passport\"]").find("'passport' is not an idKind"), std::string::npos);
  EXPECT_NE(with("\"active\"", "\"maybe\"").find("status: must be active or suspended"), std::string::npos);
  EXPECT_NE(with("retention_days = 30", "retention_days = 0").find("retention_days"), std::string::npos);
  EXPECT_NE(with("purpose = \"p\"", "purpose = \"\"").find("purpose: must not be empty"), std::string::npos);
  EXPECT_NE(with("status", "colour = 1\nstatus").find("rules[0].colour: is not a known field"), std::string::npos);
  EXPECT_NE(error_of(kRule + kRule).find("rules[r1].id: appears twice"), std::string::npos);
  std::string other = kRule;
  other.replace(other.find("\"r1\""), 4, "\"r2\"");
  other.replace(other.find("[\"address\"]"), 11, "[\"address\", \"kvk\"]");
  std::string overlap = error_of(kRule + other);
  EXPECT_NE(overlap.find("rules[r2]: overlaps rules[r1]"), std::string::npos) << overlap;
  EXPECT_NE(error_of("[[rules]\n").find("p.toml:3"), std::string::npos);
  EXPECT_NE(with("status", "feedback_note = \"yes\"\nstatus").find("feedback_note: must be true or false"),
            std::string::npos);
  EXPECT_NE(with("status", "bundle_notices = [\"names\"]\nstatus").find("'names' is not a notice field"),
            std::string::npos);
  EXPECT_EQ(with("status", "bundle_notices = [\"organisations\"]\nfeedback_note = true\nstatus"), "<accepted>");
}

TEST(Policy, FeedbackNotesAndBundleNoticesAreOffUnlessARuleGrantsThem) {
  auto p = covenant();
  EXPECT_TRUE(p.find("labour-to-inspectorate")->feedback_note);
  EXPECT_FALSE(p.find("all-to-riec")->feedback_note);
  EXPECT_EQ(p.find("all-to-riec")->bundle_notices, std::set<std::string>{"organisations"});
  EXPECT_TRUE(p.find("housing-quality-to-snf")->bundle_notices.empty());
}

// Issue 17: a rule's feedback period, 1 to 365 whole days or absent.
TEST(Policy, FeedbackPeriodIsAWholeNumberOfDaysFrom1To365OrAbsent) {
  auto with = [&](const std::string& line) {
    std::string r = kRule;
    r.replace(r.find("status"), 6, line + "\nstatus");
    return error_of(r);
  };
  EXPECT_EQ(with("feedback_period_days = 1"), "<accepted>");
  EXPECT_EQ(with("feedback_period_days = 365"), "<accepted>");
  for (const char* bad : {"feedback_period_days = 0", "feedback_period_days = 366", "feedback_period_days = -3",
                          "feedback_period_days = 30.5", "feedback_period_days = \"30\"",
                          "feedback_period_days = true"}) {
    std::string error = with(bad);
    // The line of the field (kRule's status line is 14; the field sits there).
    EXPECT_NE(error.find("p.toml:14:"), std::string::npos) << bad << ": " << error;
    EXPECT_NE(error.find("rules[r1].feedback_period_days: must be a whole number of days from 1 to 365"),
              std::string::npos)
        << bad << ": " << error;
  }
  auto parsed = pol::Policy::parse("version = 1\nname = \"t\"\n" + kRule, "p.toml", pol::Taxonomy::builtin(), kPartners);
  EXPECT_FALSE(parsed.find("r1")->feedback_period_days) << "absent: no period";

  // Two overlapping rules must agree on the period too.
  std::string other = kRule;
  other.replace(other.find("\"r1\""), 4, "\"r2\"");
  other.replace(other.find("status"), 6, "feedback_period_days = 10\nstatus");
  EXPECT_NE(error_of(kRule + other).find("rules[r2]: overlaps rules[r1]"), std::string::npos);

  // The default covenant: 30 days towards the inspectorate and the RIEC, 14
  // towards SNF, none back to the municipality.
  auto p = covenant();
  EXPECT_EQ(p.find("labour-to-inspectorate")->feedback_period_days, 30);
  EXPECT_EQ(p.find("all-to-riec")->feedback_period_days, 30);
  EXPECT_EQ(p.find("housing-quality-to-snf")->feedback_period_days, 14);
  EXPECT_FALSE(p.find("inspectorate-addresses-to-municipality")->feedback_period_days);
}

TEST(Policy, DefaultCovenantIsValidAgainstTheDemoManifest) { EXPECT_NO_THROW(covenant()); }

// Issue 15: a pseudonymisation authority evaluates for everyone; a rule that
// would send it records (by role or by name), or have it send, is refused.
TEST(Policy, NoRuleMayNameAPseudonymisationAuthority) {
  std::vector<pol::Party> with_pa = kPartners;
  with_pa.push_back({"pa-een", "pseudonymisation_authority"});
  auto error = [&](const std::string& from, const std::string& to) {
    std::string r = kRule;
    r.replace(r.find(from), from.size(), to);
    try {
      pol::Policy::parse("version = 1\nname = \"t\"\n" + r, "p.toml", pol::Taxonomy::builtin(), with_pa);
      return std::string("<accepted>");
    } catch (const pol::PolicyError& e) {
      return std::string(e.what());
    }
  };
  EXPECT_EQ(error("[\"role:riec\"]", "[\"role:riec\"]"), "<accepted>");
  for (const char* to : {"[\"pa-een\"]", "[\"role:pseudonymisation_authority\"]", "[\"role:riec\", \"pa-een\"]"}) {
    SCOPED_TRACE(to);
    EXPECT_NE(error("[\"role:riec\"]", to).find("is a pseudonymisation authority, which neither sends nor receives records"),
              std::string::npos)
        << error("[\"role:riec\"]", to);
  }
}

// Issue 16: disclosure on request, only of kinds the rule shares as
// pseudonyms, decided by a person role at the source.
TEST(Policy, DisclosureIsNoneUnlessARuleListsItsKinds) {
  auto p = covenant();
  EXPECT_EQ(p.find("all-to-riec")->disclosure, (std::set<std::string>{"address", "kvk"}));
  EXPECT_EQ(p.find("all-to-riec")->disclosure_decided_by, "officer");
  EXPECT_EQ(p.find("labour-to-inspectorate")->disclosure, std::set<std::string>{"kvk"});
  EXPECT_TRUE(p.find("housing-quality-to-snf")->disclosure.empty());
  EXPECT_TRUE(p.find("inspectorate-addresses-to-municipality")->disclosure.empty());

  std::string granted = kRule + "disclosure = [\"address\"]\ndisclosure_decided_by = \"privacy_officer\"\n";
  EXPECT_EQ(error_of(granted), "<accepted>");
  std::string not_shared = kRule + "disclosure = [\"bsn\"]\n";
  EXPECT_NE(error_of(not_shared).find("rules[r1].disclosure: 'bsn' is not one of this rule's pseudonyms"), std::string::npos)
      << error_of(not_shared);
  std::string bad_role = kRule + "disclosure = [\"address\"]\ndisclosure_decided_by = \"admin\"\n";
  EXPECT_NE(error_of(bad_role).find("disclosure_decided_by"), std::string::npos) << error_of(bad_role);
}

// Issue 22: routing by area, send-only participants, the new roles.
TEST(Policy, ARuleThatRoutesByAreaReachesOnlyTheRecipientWhoseAreaHoldsTheMunicipality) {
  auto p = covenant();
  pol::Party amsterdam{"riec-amsterdam", "riec", {"GM0358", "GM0362", "GM0363", "GM0384", "GM0437", "GM0451"}};
  pol::Party haaglanden{"riec-den-haag", "riec", {"GM0518", "GM1783"}};
  auto in = p.decide(kGemeente, amsterdam, "housing.poor_maintenance", kDay, "GM0358");
  ASSERT_TRUE(in.grant);
  EXPECT_EQ(in.grant->rule->id, "all-to-riec");
  EXPECT_EQ(in.area, "in-area");
  auto out = p.decide(kGemeente, haaglanden, "housing.poor_maintenance", kDay, "GM0358");
  EXPECT_FALSE(out.grant);
  EXPECT_EQ(out.area, "outside-area");
  EXPECT_EQ(out.reason, "rule all-to-riec routes by area and GM0358 is outside the area of riec-den-haag");
  auto nowhere = p.decide(kGemeente, amsterdam, "housing.poor_maintenance", kDay);
  EXPECT_FALSE(nowhere.grant);
  EXPECT_EQ(nowhere.area, "no-municipality");
  // A recipient without an area serves the whole country.
  auto national = p.decide(kGemeente, kRiec, "housing.poor_maintenance", kDay, "GM0358");
  ASSERT_TRUE(national.grant);
  EXPECT_EQ(national.area, "national");
  // A rule that does not route by area ignores areas.
  pol::Party snf_with_area{"snf", "housing_certifier", {"GM1783"}};
  auto snf = p.decide(kGemeente, snf_with_area, "housing.poor_maintenance", kDay, "GM0358");
  ASSERT_TRUE(snf.grant);
  EXPECT_EQ(snf.area, "");
}

TEST(Policy, ASendOnlyParticipantNeverReceivesAndNoRuleMayNameIt) {
  auto p = covenant();
  pol::Party private_certifier{"keurmerk-x", "housing_certifier", {}, true};
  auto d = p.decide(kGemeente, private_certifier, "housing.poor_maintenance", kDay);
  EXPECT_FALSE(d.grant) << "the role would match housing-quality-to-snf";
  EXPECT_EQ(d.reason, "keurmerk-x only sends and never receives");

  auto partners = kPartners;
  partners.push_back(private_certifier);
  std::string rule = "version = 1\nname = \"t\"\n" + kRule;
  const std::string to = "to = [\"role:riec\"]";
  rule.replace(rule.find(to), to.size(), "to = [\"keurmerk-x\"]");
  try {
    pol::Policy::parse(rule, "p.toml", pol::Taxonomy::builtin(), partners);
    ADD_FAILURE() << "accepted";
  } catch (const pol::PolicyError& e) {
    EXPECT_NE(std::string(e.what()).find("'keurmerk-x' only sends"), std::string::npos) << e.what();
  }
}

TEST(Policy, ARuleThatRoutesByAreaMustShareTheMunicipality) {
  std::string rule = kRule;
  rule += "route_by_area = true\n";
  EXPECT_NE(error_of(rule).find("rules[r1].route_by_area: a rule that routes by area must share the municipality"),
            std::string::npos)
      << error_of(rule);
  std::string shares = kRule;
  shares.replace(shares.find("fields = [\"week\"]"), 17, "fields = [\"week\", \"municipality\"]");
  EXPECT_EQ(error_of(shares + "route_by_area = true\n"), "<accepted>");
  EXPECT_NE(error_of(shares + "route_by_area = \"yes\"\n").find("must be true or false"), std::string::npos);
}

TEST(Policy, TheNewRolesAreRolesAndTheRoemerChannelsRoute) {
  for (const char* role : {"police", "tax_authority", "chamber_of_commerce", "zvh", "trafficking_table"}) {
    EXPECT_TRUE(pol::is_partner_role(role)) << role;
  }
  EXPECT_FALSE(pol::is_partner_role("pseudonymisation_authority"));
  auto p = covenant();
  pol::Party kvk{"kvk", "chamber_of_commerce"};
  pol::Party tax{"belastingdienst", "tax_authority"};
  pol::Party police{"politie-amsterdam", "police", {"GM0358", "GM0363"}};
  pol::Party zvh{"zvh-amsterdam", "zvh", {"GM0358", "GM0363"}};
  pol::Party table{"mensenhandeltafel-amsterdam", "trafficking_table", {"GM0358", "GM0363"}};
  auto deregistration = p.decide(kvk, tax, "company.unjustified_deregistration", kDay, "GM0358");
  ASSERT_TRUE(deregistration.grant);
  EXPECT_EQ(deregistration.grant->rule->id, "kvk-deregistrations");
  EXPECT_EQ(p.decide(kGemeente, police, "labour.debt_bondage", kDay, "GM0363").grant->rule->id, "exploitation-to-police");
  EXPECT_FALSE(p.decide(kGemeente, police, "labour.debt_bondage", kDay, "GM1783").grant) << "another region's police";
  auto care = p.decide(kGemeente, zvh, "labour.addiction_problems", kDay, "GM0358");
  ASSERT_TRUE(care.grant) << "a health category the rule names";
  EXPECT_EQ(care.grant->rule->id, "care-to-zvh");
  EXPECT_EQ(p.decide(police, table, "labour.coercion_or_threats", kDay, "GM0358").grant->rule->id,
            "exploitation-to-trafficking-table");
  EXPECT_FALSE(p.decide(kGemeente, tax, "housing.poor_maintenance", kDay, "GM0358").grant) << "nothing else to the tax authority";
}

TEST(Policy, EveryRuleOfTheDefaultCovenantHasADutchAndAnEnglishTitle) {
  const auto p = covenant();
  for (const auto& r : p.rules()) {
    EXPECT_FALSE(r.title.empty()) << r.id;
    EXPECT_FALSE(r.en.title.empty()) << r.id;
    EXPECT_FALSE(r.en.description.empty()) << r.id;
    EXPECT_FALSE(r.en.purpose.empty()) << r.id;
    EXPECT_FALSE(r.en.legal_basis.empty()) << r.id;
  }
}

// Issue 21: a rule may address a team inside an organisation; the rule then
// applies to that organisation, and inside it only that team sees what it brings.
TEST(Policy, ARuleMayAddressATeamInsideAnOrganisation) {
  std::string r = kRule;
  r.replace(r.find("[\"role:riec\"]"), 13, "[\"riec-amsterdam/handhaving\", \"nla\"]");
  const auto p = pol::Policy::parse("version = 1\nname = \"t\"\n" + r, "p.toml", pol::Taxonomy::builtin(), kPartners);
  const auto d = p.decide(kGemeente, kRiec, "housing.poor_maintenance", kDay);
  ASSERT_TRUE(d.grant) << d.reason;
  EXPECT_EQ(pol::teams_addressed(*d.grant->rule, kRiec), std::set<std::string>{"handhaving"});
  // The organisation named as a whole: everyone there.
  EXPECT_TRUE(pol::teams_addressed(*d.grant->rule, kNla).empty());
  EXPECT_FALSE(p.decide(kGemeente, kSnf, "housing.poor_maintenance", kDay).grant);

  auto with_to = [&](const std::string& to) {
    std::string bad = kRule;
    bad.replace(bad.find("[\"role:riec\"]"), 13, to);
    return error_of(bad);
  };
  EXPECT_NE(with_to("[\"riec-amsterdam/Handhaving\"]").find("a team is named only in `to`"), std::string::npos);
  EXPECT_NE(with_to("[\"role:riec/handhaving\"]").find("a team is named only in `to`"), std::string::npos);
  EXPECT_NE(with_to("[\"politie/handhaving\"]").find("neither role:<role> nor an organisation"), std::string::npos);
  std::string from_team = kRule;
  from_team.replace(from_team.find("[\"role:municipality\"]"), 21, "[\"gemeente-aalsmeer/handhaving\"]");
  EXPECT_NE(error_of(from_team).find("a team is named only in `to`"), std::string::npos);
}
