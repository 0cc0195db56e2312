// A partner or PA share holder that accepts TCP and then never answers must cost only its
// own queue: delivery to the other partners, signed tree heads and a stop of
// the node go on within their deadlines (docs/architecture.md, Threads).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <sstream>

#include "node/audit/audit_log.hpp"
#include "node/pseudonyms/pseudonymiser.hpp"
#include "sharing_fixture.hpp"
#include "tests/support/stalling_peer.hpp"

namespace json = boost::json;
using signalnode::testing::StallingPeer;
using signalnode::testing::wait_until;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kMunicipality = 0, kInspectorate = 1, kRiec = 3, kPaEen = 4, kPaTwee = 5;  // 4-6: share holders

const std::string kLabourSignal = R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
  "municipality":"GM0358","severity":"high","persons":6,"summary":"Workers of Flex Uitzend BV earn 4 euro an hour",
  "subjects":[{"kind":"organisation","role":"temp_agency","kvk":"12345678","name":"Flex Uitzend BV"}]})";

class StallTest : public signalnode::testing::SharingFixture {
 protected:
  // Replaces a partner's node by a peer that accepts and never answers.
  std::unique_ptr<StallingPeer> stall(std::size_t node) {
    apps_[node].reset();
    return std::make_unique<StallingPeer>(nodes_[node].federation_port);
  }
  // Restarts a node with another deadline for its outgoing calls.
  void restart_with_timeout(std::size_t node, int seconds) {
    apps_[node].reset();
    auto path = nodes_[node].dir / "node.json";
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    json::value cfg = json::parse(text.str());
    cfg.at("federation").as_object()["requestTimeoutSeconds"] = seconds;
    std::ofstream(path, std::ios::trunc) << json::serialize(cfg);
    start(node);
  }
  std::uint64_t tree_size(std::size_t node) {
    auto head = apps_[node]->audit().latest_tree_head();
    return head ? head->tree_size : 0;
  }
  // An event in the node's log, so that the next tree head must cover it.
  void append_event(std::size_t node) {
    signalnode::node::audit::Event e;
    e.name = "test.marker";
    e.start_ms = e.end_ms = 1;
    apps_[node]->audit().append_now(e);
  }
  double seconds_to_stop(std::size_t node) {
    auto t0 = Clock::now();
    apps_[node]->stop();
    return std::chrono::duration<double>(Clock::now() - t0).count();
  }
};

}  // namespace

TEST_F(StallTest, AStalledPartnerDelaysOnlyItsOwnQueue) {
  auto peer = stall(kInspectorate);
  // The default 30 s deadline: far longer than the RIEC may have to wait.
  std::string id = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return peer->accepted() > 0; })) << "the inspectorate's queue is stuck in the stall";
  ASSERT_TRUE(wait_until([&] { return inbox(kRiec).size() == 1; }, 10'000))
      << "the RIEC received the record while the call to the inspectorate hangs";
  EXPECT_EQ(sharing_states(id)["riec-amsterdam"], "delivered");
  EXPECT_EQ(sharing_states(id)["nla"], "queued");

  // Tree heads go on: an event appended now is covered by a signed head soon.
  append_event(kMunicipality);
  auto size = apps_[kMunicipality]->audit().latest_tree_head();
  ASSERT_TRUE(wait_until([&] { return tree_size(kMunicipality) > (size ? size->tree_size : 0); }, 5'000));

  // And the node stops at once, without waiting out the stalled call.
  EXPECT_LT(seconds_to_stop(kMunicipality), 5.0);
}

TEST_F(StallTest, AStalledPartnersCallEndsAtItsDeadlineAndIsRetried) {
  auto peer = stall(kInspectorate);
  restart_with_timeout(kMunicipality, 2);
  std::string id = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return sharing_states(id)["nla"] == "failing"; }, 15'000));
  auto detail = api(kMunicipality, "GET", "/api/v1/signals/" + id, "officer");
  EXPECT_NE(detail.body.find("timed out"), std::string::npos) << detail.body;
  // Retried after its backoff: the peer sees a second connection.
  EXPECT_TRUE(wait_until([&] { return peer->accepted() >= 2; }, 15'000));
  EXPECT_EQ(sharing_states(id)["riec-amsterdam"], "delivered");
}

// One stalled share holder costs one deadline: the batch goes on to the next
// holder, the pseudonyms come through the two others, and the stalled one is
// named in the node's metrics. With two stalled, the call ends at its
// deadline with a reason the operator can read, and holds up nothing else.
TEST_F(StallTest, AStalledShareHolderCostsOneDeadlineAndTwoHoldUpNothingElse) {
  auto first = stall(kPaEen);
  restart_with_timeout(kMunicipality, 2);
  submit(kMunicipality, kLabourSignal);
  auto& pseudo = apps_[kMunicipality]->pseudonymiser();
  const auto t0 = Clock::now();
  ASSERT_TRUE(wait_until([&] { return pseudo.cached({signalnode::protocol::IdKind::kvk, "12345678"}).has_value(); }, 15'000))
      << pseudo.stats().last_error;
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 6.0) << "one deadline (2 s), not one per batch";
  auto metrics = api(kMunicipality, "GET", "/metrics", "admin").body;
  EXPECT_NE(metrics.find("signalnode_pa_holder_faults_total{holder=\"pa-een\"}"), std::string::npos) << metrics;

  auto second = stall(kPaTwee);
  submit(kMunicipality, R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
    "subjects":[{"kind":"organisation","kvk":"87654321"}]})");
  // Tree heads are signed while the pseudonym worker waits on the PA.
  append_event(kMunicipality);
  auto before = tree_size(kMunicipality);
  ASSERT_TRUE(wait_until([&] { return tree_size(kMunicipality) > before; }, 5'000));
  // The PA call ends at its deadline, with a reason the operator can read.
  ASSERT_TRUE(wait_until([&] { return pseudo.stats().last_error.find("timed out") != std::string::npos; }, 15'000))
      << pseudo.stats().last_error;
  EXPECT_LT(seconds_to_stop(kMunicipality), 5.0);
}

// A host name whose lookup fails or hangs ends the call at its connect
// deadline too: the lookup cannot hold the caller past it.
TEST(StallLookup, AHostNameLookupEndsByTheConnectDeadline) {
  signalnode::node::net::ClientOptions options;
  options.connect_timeout = std::chrono::milliseconds(1'500);
  signalnode::node::net::HttpsClient client("signalnode-test.invalid", 443, std::move(options));
  auto t0 = Clock::now();
  try {
    (void)client.request("GET", "/");
    ADD_FAILURE() << "a .invalid name resolved";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("resolving signalnode-test.invalid"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 3.0);
}
