// Sharing on a real four-partner federation in-process: what each partner
// receives, what none may store, and everything the receiver must refuse.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include <boost/json.hpp>

#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "sharing_fixture.hpp"
#include "tests/support/whole_key.hpp"
#include "node/federation/manifest.hpp"
#include "node/pseudonyms/key_ceremony.hpp"
#include "tests/support/test_federation.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_file.hpp"
#include "node/app/demo_federation.hpp"
#include "node/app/node_app.hpp"
#include "node/federation/federation.hpp"
#include "node/net/https_client.hpp"
#include "node/audit/audit_log.hpp"
#include "node/sharing/sharing.hpp"
#include "node/sharing/records.hpp"
#include "node/storage/sqlite.hpp"
#include "protocol/wire.hpp"

namespace fs = std::filesystem;
namespace c = signalnode::crypto;
namespace w = signalnode::protocol::wire;
namespace json = boost::json;
using signalnode::node::app::DemoNode;
using signalnode::node::app::NodeApp;

namespace {
using signalnode::testing::free_port;
using signalnode::testing::wait_until;



std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string kLabourSignal = R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
  "municipality":"GM0358","severity":"high","persons":6,"summary":"Workers of Flex Uitzend BV earn 4 euro an hour",
  "subjects":[{"kind":"person","role":"worker","bsn":"123456782"},
   {"kind":"person","role":"worker","name":"Łukasz Nowak","birthDate":"1990-02-01"},
   {"kind":"organisation","role":"temp_agency","kvk":"12345678","name":"Flex Uitzend BV"},
   {"kind":"address","postcode":"1431 AB","houseNumber":12},
   {"kind":"account","iban":"NL91 ABNA 0417 1643 00"}]})";

}  // namespace

class SharingTest : public signalnode::testing::SharingFixture {};

TEST_F(SharingTest, ALabourSignalReachesExactlyTheEntitledPartnersAndNothingIdentifyingLeaves) {
  std::string id = submit(0, kLabourSignal);
  ASSERT_TRUE(wait_until([&] {
    auto s = sharing_states(id);
    return s["nla"] == "delivered" && s["riec-amsterdam"] == "delivered";
  })) << api(0, "GET", "/api/v1/signals/" + id, "officer").body;
  EXPECT_EQ(sharing_states(id)["snf"], "not_shared");

  auto kinds = [](const json::array& items) {
    std::set<std::string> out;
    for (const auto& s : items.at(0).at("subjects").as_array()) out.insert(std::string(s.at("idKind").as_string()));
    return out;
  };
  auto nla = inbox(1);
  ASSERT_EQ(nla.size(), 1u);
  EXPECT_EQ(kinds(nla), (std::set<std::string>{"kvk", "address", "iban"})) << "no person pseudonym for the NLA";
  EXPECT_EQ(nla.at(0).at("persons").as_int64(), 6) << "persons only as a count";
  EXPECT_EQ(nla.at(0).at("source").at("org").as_string(), "gemeente-aalsmeer");
  EXPECT_EQ(nla.at(0).at("subjects").at(0).at("pseudonym").as_string().size(), 128u);
  auto riec = inbox(3);
  ASSERT_EQ(riec.size(), 1u);
  EXPECT_EQ(kinds(riec), (std::set<std::string>{"bsn", "person", "kvk", "address", "iban"}));
  EXPECT_TRUE(inbox(2).empty()) << "SNF gets no labour signal";

  // Same identifier, two receivers, two unlinkable pseudonyms (BRIEF 3.8):
  // the inspectorate and the RIEC cannot join their inboxes.
  std::string kvk_nla, kvk_riec;
  for (const auto& s : nla.at(0).at("subjects").as_array()) {
    if (s.at("idKind") == "kvk") kvk_nla = std::string(s.at("pseudonym").as_string());
  }
  for (const auto& s : riec.at(0).at("subjects").as_array()) {
    if (s.at("idKind") == "kvk") kvk_riec = std::string(s.at("pseudonym").as_string());
  }
  EXPECT_EQ(kvk_nla.size(), 128u);
  EXPECT_EQ(kvk_riec.size(), 128u);
  EXPECT_NE(kvk_nla, kvk_riec);

  // Both sides account for the exchange, and their logs verify.
  auto events_named = [&](std::size_t node, const std::string& name) {
    std::vector<json::object> out;
    std::ostringstream exported;
    apps_[node]->audit().export_jsonl(exported);
    std::istringstream lines(exported.str());
    for (std::string line; std::getline(lines, line);) {
      json::object o = json::parse(line).as_object();
      if (o.at("type") == "entry" && o.at("event").at("name").as_string() == name) out.push_back(o.at("event").as_object());
    }
    return out;
  };
  // Logboek Dataverwerkingen: one record per data subject (3 subjects, 2
  // partners), child spans of one operation under one trace.
  auto sent = events_named(0, "record.sent");
  std::size_t to_nla = 0;
  for (const auto& r : sent) to_nla += r.at("attributes").at("partner") == "nla" ? 1 : 0;
  EXPECT_EQ(to_nla, 3u) << "to the inspectorate, one record per subject of what it receives";
  EXPECT_GT(sent.size(), to_nla) << "and to the RIEC";
  auto received = events_named(1, "record.received");
  ASSERT_EQ(received.size(), 3u) << "one record per subject";
  std::set<std::string> subjects;
  for (const auto& r : received) {
    EXPECT_EQ(r.at("traceId"), received[0].at("traceId"));
    EXPECT_EQ(r.at("parentSpanId"), received[0].at("parentSpanId")) << "children of one operation";
    EXPECT_NE(r.at("spanId"), r.at("parentSpanId"));
    const auto& a = r.at("attributes").as_object();
    subjects.insert(std::string(a.at("dpl.core.data_subject_id").as_string()));
    EXPECT_EQ(a.at("dpl.core.data_subject_id_type"), "urn:signalnode:pseudonym");
    EXPECT_EQ(a.at("rule").as_string(), "labour-to-inspectorate");
    EXPECT_TRUE(a.at("dpl.core.processing_activity_id").as_string().starts_with(
        "urn:signalnode:processing-activity:labour-to-inspectorate."));
    EXPECT_FALSE(a.at("legalBasis").as_string().empty());
    EXPECT_FALSE(a.contains("dataSubjects"));
    EXPECT_EQ(r.at("foreignOperation").at("entity").as_string(), "urn:oin:" + nodes_[0].oin);
  }
  EXPECT_EQ(subjects.size(), 3u) << "each record names its own subject";
  // Both sides point at each other's operation: the receiver at the call the
  // sender made, the sender at the operation the receiver logged for it.
  std::size_t linked = 0;
  for (const auto& s : sent) {
    if (s.at("traceId") != received[0].at("traceId")) continue;
    ++linked;
    EXPECT_EQ(s.at("parentSpanId"), received[0].at("foreignOperation").at("spanId"));
    EXPECT_EQ(s.at("foreignOperation").at("spanId"), received[0].at("parentSpanId"));
    EXPECT_EQ(s.at("foreignOperation").at("entity").as_string(), "urn:oin:" + nodes_[1].oin);
    EXPECT_EQ(s.at("attributes").at("dpl.core.processing_activity_id"),
              received[0].at("attributes").at("dpl.core.processing_activity_id"))
        << "both sides name the same version of the rule";
    EXPECT_TRUE(s.at("attributes").at("dpl.read.externalReadAPI_id").as_string().ends_with(
        "/api/v1/ldv/processing-activities"));
  }
  EXPECT_EQ(linked, 3u) << "sender and receiver record one trace";

  // The privacy officer's Dutch processing record names each rule by the title
  // people know it by and each partner by its name, never by an id.
  std::map<std::string, std::string> titles;
  const json::value policy = json::parse(api(0, "GET", "/api/v1/policy", "officer").body);
  for (const auto& r : policy.at("rules").as_array()) {
    titles[std::string(r.at("id").as_string())] = std::string(r.at("title").as_string());
  }
  auto csv = api(0, "GET", "/api/v1/audit/report.csv", "privacy_officer");
  ASSERT_EQ(csv.status, 200) << csv.body;
  std::size_t sent_rows = 0;
  for (std::size_t at = csv.body.find("\r\n") + 2; at < csv.body.size();) {
    const std::size_t end = csv.body.find("\r\n", at);
    const std::string row = csv.body.substr(at, end - at);
    at = end + 2;
    if (row.find(";\"record.sent\";") == std::string::npos) continue;
    ++sent_rows;
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (char c : row) {  // RFC 4180 with ';': a quoted cell may hold ';' ("" is a quote)
      if (c == '"') quoted = !quoted;
      if (c == ';' && !quoted) cells.emplace_back();
      else if (c != '"') cells.back() += c;
    }
    ASSERT_EQ(cells.size(), 12u) << row;
    EXPECT_TRUE(cells[2] == "wintertijd (UTC+1)" || cells[2] == "zomertijd (UTC+2)") << row;
    EXPECT_TRUE(cells[6] == "Nederlandse Arbeidsinspectie" || cells[6].starts_with("RIEC")) << "partner by name: " << row;
    bool titled = false;
    for (const auto& [rule_id, title] : titles) {
      EXPECT_NE(cells[8], rule_id) << "rule by its id: " << row;
      titled = titled || cells[8] == title;
    }
    EXPECT_TRUE(titled) << "rule by its title: " << row;
  }
  EXPECT_GE(sent_rows, 2u) << csv.body.substr(0, 2000);

  for (std::size_t i = 0; i < apps_.size(); ++i) {
    signalnode::node::storage::Database db(nodes_[i].dir / "signalnode.db", signalnode::node::storage::Database::Mode::read_only);
    auto key = key_of(i);
    auto r = signalnode::node::audit::AuditLog::verify(db, key.public_key());
    EXPECT_TRUE(r.ok) << nodes_[i].org << ": " << r.message;
  }

  apps_.clear();  // flush everything to disk
  for (const auto& n : nodes_) {
    std::string stored;
    for (const auto& entry : fs::recursive_directory_iterator(n.dir)) {
      if (entry.is_regular_file()) stored += slurp(entry.path());
    }
    for (const char* secret : {"123456782", "12345678", "Nowak", "owak", "Flex Uitzend", "4 euro", "NL91ABNA", "1431AB"}) {
      EXPECT_EQ(stored.find(secret), std::string::npos) << secret << " found in " << n.org;
    }
  }
}

TEST_F(SharingTest, ASuspendedRuleSharesNothing) {
  std::string id = submit(2, R"({"category":"housing.snf_norm_noncompliance","observedOn":"2026-11-20","municipality":"GM0358",
    "subjects":[{"kind":"address","postcode":"1431AB","houseNumber":12}]})");
  // SNF's node: the municipality rule is suspended; the RIEC rule applies.
  auto states = [&] {
    std::map<std::string, std::string> out;
    auto r = api(2, "GET", "/api/v1/signals/" + id, "officer");
    json::value doc = json::parse(r.body);
    for (const auto& p : doc.at("sharing").as_array()) {
      out[std::string(p.at("partner").as_string())] =
          std::string(p.at("state").as_string()) + ":" +
          (p.as_object().contains("reason") ? std::string(p.at("reason").as_string()) : "");
    }
    return out;
  };
  ASSERT_TRUE(wait_until([&] { return states()["riec-amsterdam"].starts_with("delivered"); }));
  EXPECT_NE(states()["gemeente-aalsmeer"].find("not_shared:rule snf-findings-to-municipality applies but is suspended"),
            std::string::npos)
      << states()["gemeente-aalsmeer"];
  EXPECT_TRUE(inbox(0).empty());
}

TEST_F(SharingTest, TheReceiverChecksEveryRecordAgainstTheCovenant) {
  auto key = key_of(0);
  // A well-formed record the covenant grants: accepted.
  auto good = valid_batch();
  auto r = post_batch(bytes(w::encode(w::sign_batch(good, key))));
  ASSERT_EQ(r.status, 200) << r.body;
  std::string err;
  auto receipt = w::decode_receipt(w::decode_signed(c::Bytes(r.body.begin(), r.body.end()), err)->message, err);
  ASSERT_TRUE(receipt);
  EXPECT_TRUE(receipt->outcomes.at(0).accepted);

  // More than the rule grants (a BSN pseudonym to the inspectorate): rejected.
  auto greedy = valid_batch();
  greedy.records[0].subjects.push_back({"person", "bsn", {}});
  r = post_batch(bytes(w::encode(w::sign_batch(greedy, key))));
  receipt = w::decode_receipt(w::decode_signed(c::Bytes(r.body.begin(), r.body.end()), err)->message, err);
  ASSERT_TRUE(receipt);
  EXPECT_FALSE(receipt->outcomes.at(0).accepted);
  EXPECT_NE(receipt->outcomes.at(0).reason.find("does not grant bsn"), std::string::npos);

  // Under an unknown policy: rejected.
  auto foreign = valid_batch();
  foreign.records[0].policy_hash.fill(9);
  r = post_batch(bytes(w::encode(w::sign_batch(foreign, key))));
  receipt = w::decode_receipt(w::decode_signed(c::Bytes(r.body.begin(), r.body.end()), err)->message, err);
  EXPECT_NE(receipt->outcomes.at(0).reason.find("unknown policy hash"), std::string::npos);
  EXPECT_EQ(inbox(1).size(), 1u) << "only the granted record was stored";
}

TEST_F(SharingTest, ForgedTamperedReplayedAndMalformedBatchesChangeNothing) {
  auto key = key_of(0);
  auto batch = valid_batch();
  auto signed_batch = w::sign_batch(batch, key);
  std::string body = bytes(w::encode(signed_batch));

  auto first = post_batch(body);
  ASSERT_EQ(first.status, 200);
  auto replay = post_batch(body);
  EXPECT_EQ(replay.status, 200);
  EXPECT_EQ(replay.body, first.body) << "a replayed batch gets its original receipt";
  EXPECT_EQ(inbox(1).size(), 1u) << "and is stored once";

  // The same record in a new batch (a retry after a lost receipt): stored once.
  auto retry = batch;
  retry.batch_id = c::random_hex_id(16);
  EXPECT_EQ(post_batch(bytes(w::encode(w::sign_batch(retry, key)))).status, 200);
  EXPECT_EQ(inbox(1).size(), 1u);

  // A field added in transit: the signature no longer verifies.
  auto grown = batch;
  grown.batch_id = c::random_hex_id(16);
  auto sig = w::sign_batch(grown, key).signature;
  grown.records[0].persons = 40;
  EXPECT_EQ(post_batch(bytes(w::encode(w::Signed{w::encode(grown), sig}))).status, 400);

  // Signed by another key (the RIEC's), sent over the municipality's TLS.
  auto other = batch;
  other.batch_id = c::random_hex_id(16);
  EXPECT_EQ(post_batch(bytes(w::encode(w::sign_batch(other, key_of(3))))).status, 400);

  // A batch naming another partner as its sender.
  auto impostor = batch;
  impostor.batch_id = c::random_hex_id(16);
  impostor.sender = "snf";
  auto r = post_batch(bytes(w::encode(w::sign_batch(impostor, key_of(2)))));
  EXPECT_EQ(r.status, 403) << r.body;

  // Garbage after a valid envelope, a truncated one, and an oversize body.
  EXPECT_EQ(post_batch(body + "x").status, 400);
  EXPECT_EQ(post_batch(body.substr(0, body.size() / 2)).status, 400);
  EXPECT_EQ(post_batch(std::string(9 * 1024 * 1024, 'x')).status, 413);
  EXPECT_EQ(inbox(1).size(), 1u) << "nothing of the above was stored";
}

TEST_F(SharingTest, APartnerOfflineQueuesVisiblyAndReceivesWhenBack) {
  apps_[1].reset();  // the inspectorate goes offline
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(submit(0, kLabourSignal));
  ASSERT_TRUE(wait_until([&] { return sharing_states(ids.back())["nla"] == "failing"; }));
  auto metrics = api(0, "GET", "/metrics", "admin").body;
  EXPECT_NE(metrics.find("signalnode_outbox{partner=\"nla\",measure=\"depth\"} 3"), std::string::npos) << metrics;
  auto detail = json::parse(api(0, "GET", "/api/v1/signals/" + ids[0], "officer").body);
  for (const auto& p : detail.at("sharing").as_array()) {
    if (p.at("partner") == "nla") {
      EXPECT_FALSE(p.at("reason").as_string().empty()) << "failing with a reason";
    }
  }
  start(1);
  ASSERT_TRUE(wait_until([&] {
    for (const auto& id : ids) {
      if (sharing_states(id)["nla"] != "delivered") return false;
    }
    return true;
  }, 20000));
  EXPECT_EQ(inbox(1).size(), 3u);
}

// An outbox row that no longer decodes (damaged in storage) is set aside as
// rejected with its reason; delivery to that partner goes on with the rest.
TEST_F(SharingTest, ADamagedOutboxRowIsSetAsideAndDeliveryGoesOn) {
  apps_[1].reset();  // the inspectorate is offline while the records queue
  std::string bad = submit(0, kLabourSignal);
  std::string good = submit(0, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return sharing_states(good)["nla"] == "failing"; }));
  {
    signalnode::node::storage::Database db(nodes_[0].dir / "signalnode.db",
                                           signalnode::node::storage::Database::Mode::read_write);
    auto st = db.prepare("UPDATE outbox SET record = X'DEADBEEF' WHERE signal_id = ? AND recipient = 'nla'");
    st.bind(1, std::string_view(bad)).run();
    ASSERT_EQ(db.changes(), 1);
  }
  start(1);
  ASSERT_TRUE(wait_until([&] {
    return sharing_states(good)["nla"] == "delivered" && sharing_states(bad)["nla"] == "rejected" &&
           sharing_states(bad)["riec-amsterdam"] == "delivered";
  }, 20000)) << "the damaged row does not stop delivery to the partner";
  auto detail = json::parse(api(0, "GET", "/api/v1/signals/" + bad, "officer").body);
  bool seen = false;
  for (const auto& p : detail.at("sharing").as_array()) {
    if (p.at("partner") == "nla") {
      seen = true;
      EXPECT_EQ(p.at("state"), "rejected");
      EXPECT_EQ(p.at("reason"), "damaged in storage (set aside)");
    } else if (p.at("partner") == "riec-amsterdam") {
      EXPECT_EQ(p.at("state"), "delivered") << "its copy for another partner was not damaged";
    }
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(inbox(1).size(), 1u) << "only the good record reached the inspectorate";
  auto metrics = api(0, "GET", "/metrics", "admin").body;
  EXPECT_EQ(metrics.find("signalnode_outbox{partner=\"nla\""), std::string::npos) << "nothing left waiting: " << metrics;
}

TEST_F(SharingTest, PolicyChangesTakeEffectAndAnInvalidPolicyKeepsTheLastGoodOne) {
  auto* fed = apps_[0]->federation();
  auto path = nodes_[0].dir / "policy.toml";
  std::string original = signalnode::node::net::read_text_file(path);
  auto good = fed->policy()->sha256();
  c::write_file_atomically(path, original + "\n[[rules]]\nid = \"broken\"\n");
  fs::last_write_time(path, fs::file_time_type::clock::now() + std::chrono::seconds(1));
  EXPECT_FALSE(fed->reload_if_changed());
  EXPECT_EQ(fed->policy()->sha256(), good) << "the invalid policy is refused, the last good one kept";

  // Suspend the inspectorate's rule in a new covenant version that every
  // partner installs (the federation shares one policy document).
  std::string suspended = original;
  auto at = suspended.find("status = \"active\"");  // the first rule is labour-to-inspectorate
  suspended.replace(at, 17, "status = \"suspended\"");
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    auto p = nodes_[i].dir / "policy.toml";
    c::write_file_atomically(p, suspended);
    fs::last_write_time(p, fs::file_time_type::clock::now() + std::chrono::seconds(2));
    apps_[i]->federation()->reload_if_changed();
  }
  EXPECT_NE(fed->policy()->sha256(), good);
  std::string id = submit(0, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return sharing_states(id)["riec-amsterdam"] == "delivered"; }));
  EXPECT_EQ(sharing_states(id)["nla"], "not_shared");
}

// Issue 18, revoke-then-reinstate: a signal decided while the inspectorate
// was not granted it (its rule suspended; then absent from the manifest)
// reaches it once the covenant or the manifest grants it again, and only it:
// the RIEC, which had the record all along, gets no correction.
TEST_F(SharingTest, ASignalDecidedWhileAPartnerWasRevokedReachesItOnceReinstated) {
  auto replace_on_all = [&](const std::string& file, const std::string& text, int bump) {
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      auto p = nodes_[i].dir / file;
      c::write_file_atomically(p, text);
      fs::last_write_time(p, fs::file_time_type::clock::now() + std::chrono::seconds(bump));
      apps_[i]->federation()->reload_if_changed();
    }
  };
  auto riec_copies = [&](const std::string& category) {
    std::size_t n = 0;
    for (const auto& item : inbox(3)) n += item.at("category").as_string() == category ? 1 : 0;
    return n;
  };
  // 1. The rule suspended, then active again.
  const std::string original = signalnode::node::net::read_text_file(nodes_[0].dir / "policy.toml");
  std::string suspended = original;
  auto at = suspended.find("status = \"active\"");  // the first rule is labour-to-inspectorate
  suspended.replace(at, 17, "status = \"suspended\"");
  replace_on_all("policy.toml", suspended, 2);
  std::string id = submit(0, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return sharing_states(id)["riec-amsterdam"] == "delivered"; }));
  EXPECT_EQ(sharing_states(id)["nla"], "not_shared");
  EXPECT_TRUE(inbox(1).empty());
  ASSERT_EQ(riec_copies("labour.underpaid_or_unpaid"), 1u);

  replace_on_all("policy.toml", original, 4);
  ASSERT_TRUE(wait_until([&] { return sharing_states(id)["nla"] == "delivered"; }, 20000))
      << "the signal decided under the suspension reaches the inspectorate once the rule is back";
  ASSERT_EQ(inbox(1).size(), 1u);
  EXPECT_EQ(inbox(1).at(0).at("category"), "labour.underpaid_or_unpaid");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // a maintenance pass or more
  EXPECT_EQ(riec_copies("labour.underpaid_or_unpaid"), 1u) << "the RIEC's copy is neither repeated nor corrected";
  EXPECT_EQ(inbox(1).size(), 1u) << "sent once";

  // 2. The inspectorate out of the municipality's manifest, then back.
  const auto manifest_file = nodes_[0].dir / "manifest.toml";
  const std::string full_manifest = signalnode::node::net::read_text_file(manifest_file);
  auto without = *apps_[0]->federation()->manifest();
  std::erase_if(without.partners, [](const auto& p) { return p.org == "nla"; });
  c::write_file_atomically(manifest_file, signalnode::node::federation::manifest_to_toml(without));
  fs::last_write_time(manifest_file, fs::file_time_type::clock::now() + std::chrono::seconds(6));
  ASSERT_TRUE(apps_[0]->federation()->reload_if_changed());
  std::string second = submit(0, R"({"category":"labour.debt_bondage","observedOn":"2026-11-21",
    "subjects":[{"kind":"organisation","role":"employer","kvk":"87654321"}]})");
  ASSERT_TRUE(wait_until([&] { return sharing_states(second)["riec-amsterdam"] == "delivered"; }));
  EXPECT_FALSE(sharing_states(second).contains("nla")) << "not decided for a partner outside the manifest";

  c::write_file_atomically(manifest_file, full_manifest);
  fs::last_write_time(manifest_file, fs::file_time_type::clock::now() + std::chrono::seconds(8));
  ASSERT_TRUE(apps_[0]->federation()->reload_if_changed());
  ASSERT_TRUE(wait_until([&] { return sharing_states(second)["nla"] == "delivered"; }, 20000))
      << "reinstated in the manifest, the inspectorate gets what was decided without it";
  EXPECT_EQ(inbox(1).size(), 2u);
  EXPECT_EQ(riec_copies("labour.debt_bondage"), 1u);
}

// Issue 18, honesty: with the PA away (two of its three share holders down)
// the officer's signal page says the signal waits for its pseudonyms and
// that the PA does not answer, /healthz and the metrics say so too; once it
// is back the signal is shared and both say so.
TEST_F(SharingTest, WithThePaAwayTheSignalPageAndTheHealthCheckSaySo) {
  apps_[4].reset();
  apps_[5].reset();
  std::string id = submit(0, kLabourSignal);
  auto health = [&] { return json::parse(api(0, "GET", "/healthz", "officer").body); };
  ASSERT_TRUE(wait_until([&] {
    auto h = health();
    return h.as_object().contains("pseudonymisation") && h.at("pseudonymisation").at("status") == "unreachable";
  }, 30000)) << json::serialize(health());
  auto h = health();
  EXPECT_EQ(h.at("status"), "ok") << "a PA away holds up sharing, not this node";
  EXPECT_GE(h.at("pseudonymisation").at("waiting").as_int64(), 1);
  auto doc = json::parse(api(0, "GET", "/api/v1/signals/" + id, "officer").body);
  EXPECT_TRUE(doc.at("sharing").as_array().empty());
  ASSERT_TRUE(doc.as_object().contains("sharingWaits")) << json::serialize(doc);
  EXPECT_EQ(doc.at("sharingWaits").at("for"), "pseudonyms");
  EXPECT_EQ(doc.at("sharingWaits").at("paReachable"), false);
  EXPECT_TRUE(doc.at("sharingWaits").as_object().contains("unreachableSince"));
  auto metrics = api(0, "GET", "/metrics", "admin").body;
  EXPECT_NE(metrics.find("signalnode_pa_reachable{measure=\"reachable\"} 0"), std::string::npos) << metrics;

  start(4);
  start(5);
  ASSERT_TRUE(wait_until([&] { return sharing_states(id)["riec-amsterdam"] == "delivered"; }, 60000));
  EXPECT_EQ(health().at("pseudonymisation").at("status"), "ok");
  doc = json::parse(api(0, "GET", "/api/v1/signals/" + id, "officer").body);
  EXPECT_FALSE(doc.as_object().contains("sharingWaits"));
  metrics = api(0, "GET", "/metrics", "admin").body;
  EXPECT_NE(metrics.find("signalnode_pa_reachable{measure=\"reachable\"} 1"), std::string::npos) << metrics;
}

// The pages name partners by the manifest's names (issue 20), for the
// logged-in only: whom a node exchanges with is not for anyone at the door.
TEST_F(SharingTest, PartnersByNameForTheLoggedInOnly) {
  auto r = api(0, "GET", "/api/v1/partners", "officer");
  ASSERT_EQ(r.status, 200) << r.body;
  std::map<std::string, std::string> names;
  const json::value list = json::parse(r.body);
  for (const auto& p : list.at("items").as_array()) {
    names[std::string(p.at("org").as_string())] = std::string(p.at("name").as_string());
  }
  EXPECT_FALSE(names["nla"].empty());
  EXPECT_NE(names["nla"], "nla") << "a name, not the org id";
  signalnode::node::net::ClientOptions options;
  options.trust_anchors_pem = signalnode::node::net::read_text_file(dir_ / "ca" / "ca.crt");
  signalnode::node::net::HttpsClient anonymous("127.0.0.1", nodes_[0].api_port, std::move(options));
  EXPECT_EQ(anonymous.request("GET", "/api/v1/partners").status, 401);
  auto about = json::parse(anonymous.request("GET", "/api/v1/about").body);
  EXPECT_FALSE(about.as_object().contains("partners"));
  EXPECT_EQ(about.at("name"), "Gemeente Aalsmeer");
  EXPECT_EQ(about.at("municipality"), "GM0358");
}

TEST_F(SharingTest, SubjectAccessFindsTheExchangesOnBothSides) {
  std::string id = submit(0, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return sharing_states(id)["nla"] == "delivered"; }));
  auto ask = [&](std::size_t node, const std::string& body) {
    return api(node, "POST", "/api/v1/audit/subject-access", "privacy_officer", body);
  };
  // At the inspectorate (not the PA: its pseudonym comes from the RIEC over mTLS).
  auto r = ask(1, R"({"idKind":"kvk","value":"12345678"})");
  ASSERT_EQ(r.status, 200) << r.body;
  json::value v = json::parse(r.body);
  ASSERT_EQ(v.at("exchanges").as_array().size(), 1u);
  EXPECT_EQ(v.at("exchanges").at(0).at("event").at("name").as_string(), "record.received");
  // What is held now, beside what happened (issue 20).
  ASSERT_EQ(v.at("held").at("received").as_array().size(), 1u) << r.body;
  EXPECT_EQ(v.at("held").at("received").at(0).at("partner"), "gemeente-aalsmeer");
  EXPECT_EQ(v.at("held").at("received").at(0).at("category"), "labour.underpaid_or_unpaid");
  EXPECT_EQ(v.at("held").at("signals"), 0);
  // At the municipality: sent to the inspectorate and the RIEC.
  r = ask(0, R"({"idKind":"kvk","value":"12345678"})");
  ASSERT_EQ(r.status, 200) << r.body;
  v = json::parse(r.body);
  EXPECT_EQ(v.at("exchanges").as_array().size(), 2u);
  EXPECT_EQ(v.at("held").at("signals"), 1) << "the municipality's own signal names the company";
  EXPECT_TRUE(v.at("held").at("received").as_array().empty());
  // The BSN went to the RIEC only.
  r = ask(0, R"({"idKind":"bsn","value":"123456782"})");
  v = json::parse(r.body);
  ASSERT_EQ(v.at("exchanges").as_array().size(), 1u);
  EXPECT_EQ(v.at("exchanges").at(0).at("event").at("attributes").at("partner").as_string(), "riec-amsterdam");

  // Invalid input names the field; the wrong role is refused.
  r = ask(0, R"({"idKind":"bsn","value":"123456789"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body).at("invalidParams").at(0).at("name").as_string(), "value");
  EXPECT_EQ(ask(0, R"({"idKind":"passport","value":"x"})").status, 400);
  EXPECT_EQ(api(0, "POST", "/api/v1/audit/subject-access", "officer", R"({"idKind":"kvk","value":"12345678"})").status, 403);

  // The lookup itself is in the log, without the identifier.
  auto events = api(0, "GET", "/api/v1/audit/events?name=subject_access.performed", "privacy_officer");
  ASSERT_EQ(events.status, 200);
  EXPECT_EQ(json::parse(events.body).at("items").as_array().size(), 2u);
  EXPECT_EQ(events.body.find("123456782"), std::string::npos);
  EXPECT_EQ(events.body.find("12345678\""), std::string::npos);
}

TEST_F(SharingTest, ReceiptsCarryTheReceiversSignedTreeHead) {
  ASSERT_TRUE(apps_[1]->audit().sign_tree_head(true));
  std::string id = submit(0, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return sharing_states(id)["nla"] == "delivered"; }));
  auto r = api(0, "GET", "/api/v1/audit/events?name=record.sent&partner=nla", "privacy_officer");
  json::value v = json::parse(r.body);
  ASSERT_EQ(v.at("items").as_array().size(), 3u) << "one LDV record per data subject: " << r.body;
  const auto& head = v.at("items").at(0).at("event").at("attributes").at("receiverTreeHead");
  EXPECT_TRUE(head.at("signatureValid").as_bool());
  EXPECT_GT(head.at("treeSize").as_int64(), 0);
}

TEST_F(SharingTest, ReceivedRecordsExpireWithTheirRulesRetention) {
  std::string id = submit(0, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return sharing_states(id)["nla"] == "delivered"; }));
  ASSERT_EQ(inbox(1).size(), 1u);
  // The inspectorate restarts with a clock 366 days ahead: past the 365 days of
  // labour-to-inspectorate, its received record is deleted and the deletion logged.
  apps_[1].reset();
  auto later = [] { return std::chrono::system_clock::now() + std::chrono::hours(24 * 366); };
  apps_[1] = std::make_unique<NodeApp>(signalnode::node::app::NodeOptions{nodes_[1].dir, std::nullopt, later});
  EXPECT_EQ(apps_[1]->sharing().retention.expire_received(), 1);
  apps_[1]->start();
  EXPECT_TRUE(inbox(1).empty());
  auto events = api(1, "GET", "/api/v1/audit/events?name=record.expired", "privacy_officer");
  EXPECT_NE(events.body.find("\"count\":1"), std::string::npos) << events.body;
}

TEST_F(SharingTest, RecordsFromSeveralOrganisationsAboutOneSubjectBecomeOneBundleAlert) {
  // The municipality reports underpayment by an agency; SNF reports the same
  // agency's housing below norm: the RIEC receives both and sees one bundle.
  std::string a = submit(0, kLabourSignal);
  std::string b = submit(2, R"({"category":"housing.snf_norm_noncompliance","observedOn":"2026-11-21","municipality":"GM0358",
    "subjects":[{"kind":"organisation","kvk":"12345678"},{"kind":"address","postcode":"1431AB","houseNumber":12}]})");
  auto alerts = [&] {
    auto r = api(3, "GET", "/api/v1/alerts", "analyst");
    return json::parse(r.body).at("items").as_array();
  };
  ASSERT_TRUE(wait_until([&] { return alerts().size() >= 2; })) << "kvk and address bundles";
  for (const auto& alert : alerts()) {
    EXPECT_EQ(alert.at("kind").as_string(), "bundle");
    EXPECT_EQ(alert.at("organisations").as_array().size(), 2u);
    EXPECT_EQ(alert.at("subject").at("pseudonym").as_string().size(), 128u);
  }
  // A third partner's record about the same agency updates the alert instead of adding one.
  submit(1, R"({"category":"labour.debt_bondage","observedOn":"2026-11-22","municipality":"GM0358","subjects":[{"kind":"organisation","kvk":"12345678"}]})");
  ASSERT_TRUE(wait_until([&] {
    for (const auto& alert : alerts()) {
      if (alert.at("subject").at("idKind") == "kvk" && alert.at("organisations").as_array().size() == 3) return true;
    }
    return false;
  }));
  EXPECT_EQ(alerts().size(), 2u);
  EXPECT_EQ(api(3, "GET", "/api/v1/alerts", "officer").status, 403);
  (void)a;
  (void)b;
}

// Issue 18: a partner that returns gets its backlog at once. A record that
// failed four times waits 16 s or more for its next try; the first success
// towards that partner makes it due, so it arrives within seconds of the
// partner's return, not when its backoff runs out.
TEST_F(SharingTest, APartnerThatReturnsGetsItsBacklogAtOnce) {
  auto outbox_row = [&](const std::string& id) {
    signalnode::node::storage::Database db(nodes_[0].dir / "signalnode.db",
                                           signalnode::node::storage::Database::Mode::read_only);
    auto st = db.prepare("SELECT attempts, next_attempt_at_ms FROM outbox WHERE signal_id = ? AND recipient = 'nla'");
    st.bind(1, std::string_view(id));
    return st.step() ? std::make_pair(st.int64(0), st.int64(1)) : std::make_pair(std::int64_t{-1}, std::int64_t{0});
  };
  apps_[1].reset();  // the inspectorate is away
  std::string first = submit(0, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return outbox_row(first).first >= 4; }, 30000)) << "four failed attempts";
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  const auto waits_ms = outbox_row(first).second - now_ms;
  ASSERT_GT(waits_ms, 8000) << "the record is in a long backoff";
  // The officer reads why in plain words, not a library's source location.
  auto detail = api(0, "GET", "/api/v1/signals/" + first, "officer").body;
  EXPECT_NE(detail.find("Connection refused"), std::string::npos) << detail;
  EXPECT_EQ(detail.find(".hpp"), std::string::npos) << detail;
  EXPECT_EQ(detail.find("boost"), std::string::npos) << detail;
  start(1);
  const auto back = std::chrono::steady_clock::now();
  std::string second = submit(0, R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
    "subjects":[{"kind":"organisation","kvk":"87654321"}]})");
  ASSERT_TRUE(wait_until([&] { return sharing_states(first)["nla"] == "delivered"; }, 15000));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - back).count();
  EXPECT_LT(seconds * 1000, static_cast<double>(waits_ms) - 3000) << "delivered well before its backoff ran out";
  EXPECT_TRUE(wait_until([&] { return sharing_states(second)["nla"] == "delivered"; }));
}

// Issue 15, epochs: the federation moves to a new key. The share holders take
// the new epoch's shares, the manifest names it (signalnode pa publish), every
// node pseudonymises its own signals again and shares its live records again,
// and the RIEC's bundle holds together under the new pseudonym, the old one
// gone from its alerts.
TEST_F(SharingTest, AKeyRotationKeepsABundleTogether) {
  namespace ps = signalnode::node::pseudonyms;
  submit(0, kLabourSignal);
  submit(2, R"({"category":"housing.snf_norm_noncompliance","observedOn":"2026-11-21","municipality":"GM0358",
    "subjects":[{"kind":"organisation","kvk":"12345678"}]})");
  const std::string riec_oin = nodes_[3].oin;
  auto kvk_alert = [&]() -> std::optional<std::pair<std::string, std::size_t>> {
    auto r = api(3, "GET", "/api/v1/alerts", "analyst");
    const json::value doc = json::parse(r.body);  // alive for the whole loop
    for (const auto& alert : doc.at("items").as_array()) {
      if (alert.at("subject").at("idKind") == "kvk") {
        return std::make_pair(std::string(alert.at("subject").at("pseudonym").as_string()),
                              alert.at("organisations").as_array().size());
      }
    }
    return std::nullopt;
  };
  auto pseudonym_in_epoch = [&](int epoch) {
    std::vector<std::filesystem::path> shares;
    for (std::size_t i : {4u, 6u}) shares.push_back(signalnode::testing::share_file_of(nodes_[i].dir, epoch));
    return c::to_hex(signalnode::testing::voprf_output(signalnode::testing::whole_key_from(shares),
                                                       riec_oin + ":kvk:12345678"));
  };
  ASSERT_TRUE(wait_until([&] { auto a = kvk_alert(); return a && a->second == 2; }));
  EXPECT_EQ(kvk_alert()->first, pseudonym_in_epoch(1));

  // The ceremony of epoch 2; each holder installs its share and restarts.
  auto keys = ps::run_key_ceremony(dir_ / "epoch-2", 2, 3, 2);
  for (std::size_t i = 4; i <= 6; ++i) {
    apps_[i].reset();
    const int index = static_cast<int>(i - 3);
    auto share = ps::share_file(dir_ / "epoch-2", index, 2);
    std::filesystem::copy_file(share, nodes_[i].dir / "keys" / "oprf" / share.filename());
    start(i);
  }
  // The manifest names epoch 2 at every node.
  auto manifest = signalnode::node::federation::with_key_set(
      signalnode::node::federation::load_manifest(nodes_[0].dir / "manifest.toml"), keys);
  const std::string text = signalnode::node::federation::manifest_to_toml(manifest);
  for (const auto& n : nodes_) {
    c::write_file_atomically(n.dir / "manifest.toml", text);
    std::filesystem::last_write_time(n.dir / "manifest.toml",
                                     std::filesystem::file_time_type::clock::now() + std::chrono::seconds(2));
  }
  const std::string renewed = pseudonym_in_epoch(2);
  ASSERT_NE(renewed, pseudonym_in_epoch(1));
  ASSERT_TRUE(wait_until([&] { auto a = kvk_alert(); return a && a->first == renewed && a->second == 2; }, 20000))
      << (kvk_alert() ? kvk_alert()->first + " " + std::to_string(kvk_alert()->second) : "no kvk alert");
  auto r = api(3, "GET", "/api/v1/alerts", "analyst");
  EXPECT_EQ(r.body.find(pseudonym_in_epoch(1)), std::string::npos) << "the old pseudonym's alert is gone";
  for (const auto& item : inbox(3)) {
    for (const auto& subject : item.at("subjects").as_array()) {
      if (subject.at("idKind") == "kvk") {
        EXPECT_EQ(subject.at("pseudonym").as_string(), renewed) << "records re-shared";
      }
    }
  }
}

// A partner's error answer becomes the reason an officer sees: its problem
// title and detail, never raw bytes or a whole page.
TEST(PartnerErrorText, KeepsTheProblemAndDropsWhatCannotBeShown) {
  using signalnode::node::sharing::detail::partner_error_text;
  EXPECT_EQ(partner_error_text(409, R"({"type":"x","title":"Policy mismatch","status":409,"detail":"policy sha256 differs"})"),
            "partner answered HTTP 409: Policy mismatch: policy sha256 differs");
  EXPECT_EQ(partner_error_text(502, ""), "partner answered HTTP 502");
  std::string hostile = "<html>\x1b[31m\xff\xfe" + std::string(1000, 'A');
  std::string text = partner_error_text(500, hostile);
  EXPECT_LE(text.size(), 230u);
  for (char ch : text) EXPECT_TRUE(ch >= 0x20 && ch <= 0x7e) << static_cast<int>(static_cast<unsigned char>(ch));
}
