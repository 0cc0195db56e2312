// From a match to action (issue 16), on the four-partner federation over real
// mTLS: at the RIEC a bundle (the same KvK and address reported by the
// municipality and the inspectorate) becomes one case that holds both alerts
// as one graph and grows as new records connect; the case is changed, noted
// (sealed at rest) and audited; and a known identifier is looked up with a
// purpose, within a daily budget, never leaving its value in the log.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "crypto/random.hpp"
#include "node/auth/roles.hpp"
#include "node/auth/users.hpp"
#include "node/config/node_config.hpp"
#include "node/log/log.hpp"
#include "ldv_records.hpp"
#include "sharing_fixture.hpp"

namespace c = signalnode::crypto;
namespace json = boost::json;
using signalnode::testing::wait_until;

namespace {

constexpr std::size_t kMunicipality = 0, kInspectorate = 1, kSnf = 2, kRiec = 3;

// The municipality and the inspectorate report the same agency at the same address.
const std::string kMunicipalitySignal = R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
  "municipality":"GM0358","severity":"high","persons":6,"summary":"Workers of Flex Uitzend BV earn 4 euro an hour",
  "subjects":[{"kind":"organisation","role":"temp_agency","kvk":"12345678","name":"Flex Uitzend BV"},
   {"kind":"address","postcode":"1431 AB","houseNumber":12}]})";
const std::string kInspectorateSignal = R"({"category":"labour.structurally_long_days","observedOn":"2026-11-23",
  "municipality":"GM0358","severity":"medium",
  "subjects":[{"kind":"organisation","kvk":"12345678"},{"kind":"address","postcode":"1431AB","houseNumber":12}]})";

constexpr int kLookupBudget = 3;
const std::string kNoteText = "Eigenaar belt maandag terug; pand Dorpsstraat bezocht (notitie-7c1e)";

json::value parse(const std::string& body) { return json::parse(body); }
std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool names_field(const std::string& problem_body, const std::string& field) {
  json::value doc = parse(problem_body);
  const auto* params = doc.as_object().if_contains("invalidParams");
  if (!params) return false;
  for (const auto& p : params->as_array()) {
    if (str(p.at("name")) == field) return true;
  }
  return false;
}

std::string header(const signalnode::node::http::HttpResponse& r, std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
  for (const auto& [k, v] : r.headers) {
    std::string lower = k;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (lower == name) return v;
  }
  return {};
}

}  // namespace

class CaseTest : public signalnode::testing::SharingFixture {
 protected:
  void SetUp() override {
    c::init();
    dir_ = std::filesystem::temp_directory_path() / ("sn-case-" + c::random_hex_id(6));
    log_path_ = std::filesystem::temp_directory_path() / ("sn-case-" + c::random_hex_id(6) + ".log");
    signalnode::node::log::init(signalnode::node::log::Level::debug, log_path_);
    nodes_ = signalnode::testing::create_test_federation(dir_);
    // A small daily lookup budget at the RIEC (node.json lookups.perUserPerDay).
    const auto config = signalnode::node::config::NodePaths{nodes_[kRiec].dir}.config();
    json::value cfg = parse(file_bytes(config));
    cfg.as_object()["lookups"] = json::object{{"perUserPerDay", kLookupBudget}};
    std::ofstream(config, std::ios::trunc) << json::serialize(cfg);
    for (std::size_t i = 0; i < nodes_.size(); ++i) start(i);
  }
  void TearDown() override {
    FederationFixture::TearDown();
    signalnode::node::log::init(signalnode::node::log::Level::info);
    std::filesystem::remove(log_path_);
  }

  // The RIEC's bundle alerts by identifier kind (one of each kind expected).
  std::map<std::string, std::string> bundles() {
    std::map<std::string, std::string> out;
    auto r = api(kRiec, "GET", "/api/v1/alerts?kind=bundle", "analyst");
    EXPECT_EQ(r.status, 200) << r.body;
    json::value doc = parse(r.body);
    const auto& items = doc.at("items").as_array();
    for (const auto& a : items) out.emplace(std::string(a.at("subject").at("idKind").as_string()), std::string(a.at("id").as_string()));
    return out;
  }
  std::set<std::string> bundle_ids() {
    std::set<std::string> out;
    json::value doc = parse(api(kRiec, "GET", "/api/v1/alerts?kind=bundle", "analyst").body);
    const auto& items = doc.at("items").as_array();
    for (const auto& a : items) out.insert(std::string(a.at("id").as_string()));
    return out;
  }
  std::size_t events(std::size_t node, const std::string& name) {
    auto r = api(node, "GET", "/api/v1/audit/events?limit=1000&name=" + name, "privacy_officer");
    EXPECT_EQ(r.status, 200) << r.body;
    json::value doc = parse(r.body);
    return signalnode::testing::one_per_operation(doc.at("items").as_array()).size();  // events, not LDV records
  }
  // Every LDV record of the events of that name (one per data subject).
  json::array record_list(std::size_t node, const std::string& name) {
    auto r = api(node, "GET", "/api/v1/audit/events?limit=1000&name=" + name, "privacy_officer");
    EXPECT_EQ(r.status, 200) << r.body;
    json::value doc = parse(r.body);
    return doc.at("items").as_array();
  }
  // One item per event (its first record).
  json::array event_list(std::size_t node, const std::string& name) {
    return signalnode::testing::one_per_operation(record_list(node, name));
  }
  std::string whole_audit_log(std::size_t node) {
    return api(node, "GET", "/api/v1/audit/events?limit=1000", "privacy_officer").body;
  }
  // The RIEC's two bundles, once both records have arrived.
  std::map<std::string, std::string> bundle_at_riec() {
    submit(kMunicipality, kMunicipalitySignal);
    submit(kInspectorate, kInspectorateSignal);
    std::map<std::string, std::string> found;
    EXPECT_TRUE(wait_until([&] {
      found = bundles();
      return found.count("kvk") && found.count("address");
    })) << "no kvk and address bundles at the RIEC";
    return found;
  }
  json::value get_case(const std::string& id) {
    auto r = api(kRiec, "GET", "/api/v1/cases/" + id, "analyst");
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r.body);
  }
  signalnode::node::http::HttpResponse patch(const std::string& id, const std::string& body,
                                             const std::string& role = "analyst") {
    return api(kRiec, "PATCH", "/api/v1/cases/" + id, role, body);
  }

  std::filesystem::path log_path_;
};

TEST_F(CaseTest, ABundleBecomesOneCaseThatGrowsIsChangedNotedAndAudited) {
  auto alerts = bundle_at_riec();
  ASSERT_EQ(alerts.size(), 2u);

  // Opened from the KvK alert: one case with both alerts.
  auto opened = api(kRiec, "POST", "/api/v1/cases", "analyst", R"({"alertId":")" + alerts["kvk"] + R"("})");
  ASSERT_EQ(opened.status, 201) << opened.body;
  json::value o = parse(opened.body);
  const std::string id(o.at("id").as_string());
  const std::string reference(o.at("reference").as_string());
  EXPECT_TRUE(std::regex_match(reference, std::regex("ZAAK-[0-9]{4}-0001"))) << reference;

  json::value doc = get_case(id);
  EXPECT_EQ(str(doc.at("reference")), reference);
  EXPECT_EQ(doc.at("status"), "open");
  EXPECT_TRUE(doc.at("assignee").is_null());
  std::set<std::string> in_case;
  for (const auto& a : doc.at("alerts").as_array()) in_case.insert(std::string(a.at("id").as_string()));
  EXPECT_EQ(in_case, (std::set<std::string>{alerts["kvk"], alerts["address"]}));
  const auto& graph = doc.at("graph").as_object();
  const auto& subjects = graph.at("subjects").as_array();
  ASSERT_EQ(subjects.size(), 2u) << json::serialize(graph);
  std::set<std::string> kinds;
  for (const auto& s : subjects) {
    kinds.insert(std::string(s.at("idKind").as_string()));
    EXPECT_EQ(s.at("organisations").as_int64(), 2);
    EXPECT_EQ(s.at("key").as_string().size(), 12u);
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"kvk", "address"}));
  const auto& records = graph.at("records").as_array();
  ASSERT_EQ(records.size(), 2u);
  std::set<std::string> sources;
  for (const auto& r : records) {
    EXPECT_EQ(r.at("kind"), "received");
    sources.insert(std::string(r.at("source").at("org").as_string()));
  }
  EXPECT_EQ(sources, (std::set<std::string>{"gemeente-aalsmeer", "nla"}));
  EXPECT_EQ(graph.at("links").as_array().size(), 4u) << "each record names both subjects";
  EXPECT_FALSE(graph.at("truncated").as_bool());
  // Subjects by opaque key only: no pseudonym (128 hex) in the case.
  EXPECT_FALSE(std::regex_search(json::serialize(doc), std::regex("[0-9a-f]{128}")));
  EXPECT_TRUE(doc.at("notes").as_array().empty());
  EXPECT_TRUE(doc.at("requests").as_array().empty());

  // The address alert is part of the same case.
  auto again = api(kRiec, "POST", "/api/v1/cases", "analyst", R"({"alertId":")" + alerts["address"] + R"("})");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(str(parse(again.body).at("id")), id);
  EXPECT_TRUE(parse(again.body).at("existing").as_bool());

  // Refusals of opening.
  auto unknown = api(kRiec, "POST", "/api/v1/cases", "analyst", R"({"alertId":")" + c::random_hex_id(16) + R"("})");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  auto malformed = api(kRiec, "POST", "/api/v1/cases", "analyst", R"({"alertId":"KvK 12345678"})");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_TRUE(names_field(malformed.body, "alertId")) << malformed.body;
  EXPECT_EQ(api(kRiec, "POST", "/api/v1/cases", "officer", R"({"alertId":")" + alerts["kvk"] + R"("})").status, 403);
  EXPECT_EQ(api(kRiec, "GET", "/api/v1/cases", "officer").status, 403);
  EXPECT_EQ(api(kRiec, "GET", "/api/v1/cases/" + c::random_hex_id(16), "analyst").status, 404);

  // The list.
  auto list = api(kRiec, "GET", "/api/v1/cases", "analyst");
  ASSERT_EQ(list.status, 200) << list.body;
  json::value listed = parse(list.body);
  ASSERT_EQ(listed.at("items").as_array().size(), 1u);
  const auto& item = listed.at("items").as_array()[0];
  EXPECT_EQ(str(item.at("reference")), reference);
  EXPECT_EQ(item.at("counts").at("alerts").as_int64(), 2);
  EXPECT_EQ(item.at("counts").at("records").as_int64(), 2);

  // The case grows: SNF reports the same address with another agency, which
  // the municipality reports too; that agency's bundle joins the case.
  submit(kSnf, R"({"category":"housing.overcrowding","observedOn":"2026-11-25","municipality":"GM0358",
    "subjects":[{"kind":"organisation","kvk":"87654321"},{"kind":"address","postcode":"1431AB","houseNumber":12}]})");
  submit(kMunicipality, R"({"category":"recruitment.false_promises","observedOn":"2026-11-26",
    "subjects":[{"kind":"organisation","kvk":"87654321"}]})");
  ASSERT_TRUE(wait_until([&] { return bundle_ids().size() == 3; })) << "no bundle for the second agency";
  std::string second_agency;
  for (const auto& alert : bundle_ids()) {
    if (alert != alerts["kvk"] && alert != alerts["address"]) second_agency = alert;
  }
  json::value grown = get_case(id);
  in_case.clear();
  for (const auto& a : grown.at("alerts").as_array()) in_case.insert(std::string(a.at("id").as_string()));
  EXPECT_EQ(in_case, (std::set<std::string>{alerts["kvk"], alerts["address"], second_agency}));
  EXPECT_EQ(grown.at("graph").at("subjects").as_array().size(), 3u);
  EXPECT_EQ(grown.at("graph").at("records").as_array().size(), 4u);
  auto joined = event_list(kRiec, "case.updated");
  ASSERT_EQ(joined.size(), 1u);
  EXPECT_EQ(joined[0].at("event").at("attributes").at("changed").at("alerts").as_array().size(), 1u);
  // Opening from the new alert finds the case too.
  auto third = api(kRiec, "POST", "/api/v1/cases", "analyst", R"({"alertId":")" + second_agency + R"("})");
  EXPECT_EQ(third.status, 200) << third.body;
  EXPECT_EQ(str(parse(third.body).at("id")), id);

  // Changing status, assignee and due date.
  apps_[kRiec]->users().create("anna.analist", signalnode::node::auth::Role::analyst, "correct horse battery", 1, "test");
  apps_[kRiec]->users().create("otto.officier", signalnode::node::auth::Role::officer, "correct horse battery", 1, "test");
  auto changed = patch(id, R"({"status":"in_progress","assignee":"anna.analist","dueDate":"2026-12-31"})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  json::value ch = parse(changed.body);
  EXPECT_EQ(ch.at("status"), "in_progress");
  EXPECT_EQ(ch.at("assignee"), "anna.analist");
  EXPECT_EQ(ch.at("dueDate"), "2026-12-31");
  json::value after = get_case(id);
  EXPECT_EQ(after.at("status"), "in_progress");
  EXPECT_EQ(after.at("assignee"), "anna.analist");
  EXPECT_EQ(after.at("dueDate"), "2026-12-31");

  auto bad_status = patch(id, R"({"status":"done"})");
  EXPECT_EQ(bad_status.status, 400);
  EXPECT_TRUE(names_field(bad_status.body, "status")) << bad_status.body;
  // In the reader's language: Dutch when asked (the web, a Dutch browser),
  // English for a client that names none.
  EXPECT_EQ(parse(bad_status.body).at("detail"), "Status: must be open, in_progress or closed");
  auto dutch = api(kRiec, "PATCH", "/api/v1/cases/" + id, "analyst", R"({"status":"done"})", "nl-NL,nl;q=0.9,en;q=0.8");
  EXPECT_EQ(parse(dutch.body).at("detail"), "Status: moet open, in_progress of closed zijn") << dutch.body;
  EXPECT_EQ(parse(dutch.body).at("title"), "Niet alles is goed ingevuld");
  auto officer = patch(id, R"({"assignee":"otto.officier"})");
  EXPECT_EQ(officer.status, 400);
  EXPECT_TRUE(names_field(officer.body, "assignee")) << officer.body;
  auto nobody = patch(id, R"({"assignee":"niemand"})");
  EXPECT_EQ(nobody.status, 400);
  EXPECT_TRUE(names_field(nobody.body, "assignee")) << nobody.body;
  for (const char* date : {R"({"dueDate":"2026-02-30"})", R"({"dueDate":"31-12-2026"})", R"({"dueDate":20261231})"}) {
    auto bad_date = patch(id, date);
    EXPECT_EQ(bad_date.status, 400) << date;
    EXPECT_TRUE(names_field(bad_date.body, "dueDate")) << bad_date.body;
  }
  auto unknown_field = patch(id, R"({"colour":"red"})");
  EXPECT_EQ(unknown_field.status, 400);
  EXPECT_TRUE(names_field(unknown_field.body, "colour")) << unknown_field.body;
  EXPECT_EQ(patch(c::random_hex_id(16), R"({"status":"closed"})").status, 404);
  EXPECT_EQ(patch(id, R"({"status":"closed"})", "officer").status, 403);
  EXPECT_EQ(patch(id, R"({"status":"closed"})", "privacy_officer").status, 403);
  // Nothing of the refused changes took.
  EXPECT_EQ(get_case(id).at("status"), "in_progress");
  // Clearing the assignee.
  auto cleared = patch(id, R"({"assignee":null,"status":"closed"})");
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(parse(cleared.body).at("assignee").is_null());
  EXPECT_EQ(parse(cleared.body).at("status"), "closed");

  // Notes: round trip, never plain at rest, never in the audit log.
  auto note = api(kRiec, "POST", "/api/v1/cases/" + id + "/notes", "analyst", json::serialize(json::object{{"text", kNoteText}}));
  ASSERT_EQ(note.status, 201) << note.body;
  EXPECT_EQ(parse(note.body).at("position").as_int64(), 1);
  const std::string utf8 = "Één zin met ç en — streepje";
  auto second = api(kRiec, "POST", "/api/v1/cases/" + id + "/notes", "analyst", json::serialize(json::object{{"text", utf8}}));
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(parse(second.body).at("position").as_int64(), 2);
  auto empty = api(kRiec, "POST", "/api/v1/cases/" + id + "/notes", "analyst", R"({"text":""})");
  EXPECT_EQ(empty.status, 400);
  EXPECT_TRUE(names_field(empty.body, "text")) << empty.body;
  auto too_long = api(kRiec, "POST", "/api/v1/cases/" + id + "/notes", "analyst",
                      json::serialize(json::object{{"text", std::string(4001, 'x')}}));
  EXPECT_EQ(too_long.status, 400);
  EXPECT_TRUE(names_field(too_long.body, "text")) << too_long.body;
  EXPECT_EQ(api(kRiec, "POST", "/api/v1/cases/" + id + "/notes", "analyst",
                json::serialize(json::object{{"text", std::string(4000, 'x')}})).status, 201);
  EXPECT_EQ(api(kRiec, "POST", "/api/v1/cases/" + c::random_hex_id(16) + "/notes", "analyst", R"({"text":"x"})").status, 404);
  EXPECT_EQ(api(kRiec, "POST", "/api/v1/cases/" + id + "/notes", "officer", R"({"text":"x"})").status, 403);
  json::value noted = get_case(id);
  const auto& notes = noted.at("notes").as_array();
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_EQ(str(notes[0].at("text")), kNoteText);
  EXPECT_EQ(str(notes[1].at("text")), utf8);
  EXPECT_EQ(notes[0].at("author"), notes[1].at("author"));
  const auto db = signalnode::node::config::NodePaths{nodes_[kRiec].dir}.database();
  std::string at_rest = file_bytes(db);
  if (std::filesystem::exists(db.string() + "-wal")) at_rest += file_bytes(db.string() + "-wal");
  EXPECT_GT(at_rest.size(), 0u);
  EXPECT_EQ(at_rest.find("notitie-7c1e"), std::string::npos) << "a note is plain in the database";
  EXPECT_EQ(at_rest.find("streepje"), std::string::npos) << "a note is plain in the database";

  // Audited: opened once, every change, every note, never a note's text.
  EXPECT_EQ(events(kRiec, "case.opened"), 1u);
  auto opened_events = event_list(kRiec, "case.opened");
  const auto& attrs = opened_events[0].at("event").at("attributes");
  EXPECT_EQ(str(attrs.at("reference")), reference);
  EXPECT_EQ(attrs.at("alerts").as_array().size(), 2u);
  EXPECT_EQ(signalnode::testing::subjects_of_operation(record_list(kRiec, "case.opened"), opened_events[0]).size(), 2u)
      << "one LDV record per data subject of the case";
  EXPECT_EQ(events(kRiec, "case.updated"), 3u);  // the grown alert, the change, the clearing
  EXPECT_EQ(events(kRiec, "case.note_added"), 3u);
  const std::string log = whole_audit_log(kRiec);
  EXPECT_EQ(log.find("notitie-7c1e"), std::string::npos);
  EXPECT_EQ(log.find("streepje"), std::string::npos);
  EXPECT_NE(log.find("\"assignee\":\"anna.analist\""), std::string::npos) << "the change is named with its value";
}

TEST_F(CaseTest, ALookupFindsWhatTheNodeReceivedWithAPurposeWithinTheBudgetAndLeavesNoIdentifier) {
  auto alerts = bundle_at_riec();
  const std::string purpose = "Telefoontje van de gemeente over dit uitzendbureau";
  auto lookup = [&](const std::string& kind, const std::string& value, const std::string& why,
                    const std::string& role = "analyst") {
    json::object body{{"idKind", kind}, {"value", value}};
    if (!why.empty()) body["purpose"] = why;
    return api(kRiec, "POST", "/api/v1/lookups", role, json::serialize(body));
  };

  auto found = lookup("kvk", "12345678", purpose);
  ASSERT_EQ(found.status, 200) << found.body;
  json::value doc = parse(found.body);
  EXPECT_EQ(doc.at("remaining").as_int64(), kLookupBudget - 1);
  std::set<std::string> sources, alert_ids;
  for (const auto& item : doc.at("items").as_array()) {
    if (item.at("type") == "record") {
      sources.insert(std::string(item.at("source").at("org").as_string()));
      EXPECT_TRUE(item.as_object().contains("receivedAt"));
      EXPECT_TRUE(item.as_object().contains("category"));
    } else {
      EXPECT_EQ(item.at("type"), "alert");
      alert_ids.insert(std::string(item.at("id").as_string()));
      EXPECT_EQ(item.at("kind"), "bundle");
      EXPECT_EQ(item.at("organisations").as_array().size(), 2u);
    }
  }
  EXPECT_EQ(sources, (std::set<std::string>{"gemeente-aalsmeer", "nla"}));
  EXPECT_EQ(alert_ids, (std::set<std::string>{alerts["kvk"]}));

  // The PA cannot be reached: 503, nothing looked up, nothing of the budget used.
  for (std::size_t holder = 4; holder < nodes_.size(); ++holder) {
    ASSERT_TRUE(nodes_[holder].pseudonymisation_authority);
    apps_[holder].reset();
  }
  auto away = lookup("kvk", "11112222", purpose);
  EXPECT_EQ(away.status, 503) << away.body;
  EXPECT_EQ(away.body.find("11112222"), std::string::npos);
  for (std::size_t holder = 4; holder < nodes_.size(); ++holder) start(holder);

  // Without a purpose, or with one that says nothing: refused, on record, not charged.
  auto no_purpose = lookup("kvk", "12345678", "");
  EXPECT_EQ(no_purpose.status, 400);
  EXPECT_TRUE(names_field(no_purpose.body, "purpose")) << no_purpose.body;
  auto short_purpose = lookup("kvk", "12345678", "kijken");
  EXPECT_EQ(short_purpose.status, 400);
  EXPECT_TRUE(names_field(short_purpose.body, "purpose")) << short_purpose.body;
  EXPECT_EQ(events(kRiec, "lookup.refused"), 2u);
  // A value that is no identifier: named, never echoed.
  auto bad_value = lookup("kvk", "98AB7654", purpose);
  EXPECT_EQ(bad_value.status, 400);
  EXPECT_TRUE(names_field(bad_value.body, "value")) << bad_value.body;
  EXPECT_EQ(bad_value.body.find("98AB7654"), std::string::npos);
  EXPECT_EQ(lookup("kvk", "12345678", purpose, "officer").status, 403);

  // Someone the node received nothing about, and an address.
  auto nothing = lookup("kvk", "55554444", purpose);
  ASSERT_EQ(nothing.status, 200) << nothing.body;
  EXPECT_TRUE(parse(nothing.body).at("items").as_array().empty());
  EXPECT_EQ(parse(nothing.body).at("remaining").as_int64(), kLookupBudget - 2);
  auto address = lookup("address", "1431AB|12||", purpose);
  ASSERT_EQ(address.status, 200) << address.body;
  json::value at_address = parse(address.body);
  EXPECT_EQ(at_address.at("items").as_array().size(), 3u) << address.body;  // two records, the address bundle
  EXPECT_EQ(at_address.at("remaining").as_int64(), 0);

  // The budget is spent: 429, on record, nothing looked up.
  auto spent = lookup("kvk", "12345678", purpose);
  EXPECT_EQ(spent.status, 429) << spent.body;
  EXPECT_EQ(spent.content_type, "application/problem+json");
  EXPECT_FALSE(header(spent, "Retry-After").empty());
  EXPECT_EQ(spent.body.find("12345678"), std::string::npos);
  EXPECT_EQ(events(kRiec, "lookup.refused"), 3u);
  auto performed = event_list(kRiec, "lookup.performed");
  ASSERT_EQ(performed.size(), 3u);
  // The first lookup's event (the log lists the newest first).
  const auto& first = performed[2].at("event").at("attributes");
  EXPECT_EQ(first.at("idKind"), "kvk");
  EXPECT_EQ(str(first.at("purpose")), purpose);
  EXPECT_EQ(first.at("found").as_int64(), 3);
  EXPECT_EQ(first.at("dpl.core.data_subject_id").as_string().size(), 128u) << "the pseudonym, never the identifier";

  // The identifiers looked up appear nowhere in the audit log or the node log.
  const std::string audit = whole_audit_log(kRiec);
  const std::string log = file_bytes(log_path_);
  EXPECT_NE(log.find("\"event\""), std::string::npos) << "the log was written";
  for (const std::string secret : {"12345678", "55554444", "98AB7654", "11112222", "1431AB", "1431 AB"}) {
    EXPECT_EQ(audit.find(secret), std::string::npos) << secret;
    EXPECT_EQ(log.find(secret), std::string::npos) << secret;
  }
}
