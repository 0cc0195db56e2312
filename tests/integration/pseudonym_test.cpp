// A PA node takes no signals and counts its evaluations per partner; a node
// without a way to the PA keeps its identifiers queued.
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/test_federation.hpp"
#include "crypto/oprf.hpp"
#include "crypto/voprf.hpp"
#include "node/pseudonyms/oprf_keyring.hpp"
#include "node/storage/sqlite.hpp"
#include "test_node.hpp"

using signalnode::testing::TestNode;
using signalnode::testing::wait_until;
namespace c = signalnode::crypto;
namespace p = signalnode::protocol;

namespace {
const std::string kSignal = R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
  "subjects":[{"kind":"organisation","kvk":"12345678"},{"kind":"person","bsn":"123456782"},
              {"kind":"account","iban":"NL91 ABNA 0417 1643 00"}]})";

}  // namespace

// A PA node evaluates for partners and keeps nothing about anyone: it takes
// no signals, and counts what it evaluated per partner in its metrics.
TEST(PseudonymIntegration, PaNodeEvaluatesForPartnersAndTakesNoSignals) {
  TestNode node("pa-een", 10, true);
  ASSERT_NE(node.app().pa_service(), nullptr);
  auto refused = node.call("POST", "/api/v1/signals", kSignal);
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("takes no signals"), std::string::npos) << refused.body;
  EXPECT_EQ(node.app().pseudonymiser().stats().depth, 0);

  std::vector<c::oprf::Element> blinded;
  for (const char* in : {"a", "b", "c"}) blinded.push_back(c::voprf::blind(c::as_bytes(std::string_view(in)))->blinded_element);
  auto answer = node.app().pa_service()->evaluate("gemeente-aalsmeer", blinded);
  ASSERT_TRUE(std::holds_alternative<signalnode::node::pseudonyms::PaAnswer>(answer));
  EXPECT_TRUE(std::get<signalnode::node::pseudonyms::PaAnswer>(answer).proof) << "every answer carries its proof";

  auto metrics = node.call("GET", "/metrics", "", "metrics").body;
  EXPECT_NE(metrics.find("signalnode_pa_evaluated_elements_total{partner=\"gemeente-aalsmeer\"} 3"), std::string::npos)
      << metrics;
}

// Guessing is seen (issue 15): a partner over its budget at a share holder is
// refused with the time it frees, and the holder's privacy officer finds one
// audit event and the metrics count it, however many batches were refused.
TEST(PseudonymIntegration, APartnerOverItsBudgetIsRefusedAuditedOnceAndCounted) {
  namespace ps = signalnode::node::pseudonyms;
  TestNode node("pa-een", 10, true);  // 1,000 evaluations a minute per partner
  std::vector<c::oprf::Element> batch;
  for (int i = 0; i < 1000; ++i) batch.push_back(c::voprf::blind(c::as_bytes(std::to_string(i)))->blinded_element);
  auto& pa = *node.app().pa_service();
  auto first = pa.evaluate("gemeente-aalsmeer", batch);
  if (std::holds_alternative<ps::PaRefusal>(first)) GTEST_SKIP() << "a minute began between two calls; nothing to see";
  for (int i = 0; i < 3; ++i) {
    auto over = pa.evaluate("gemeente-aalsmeer", std::span(batch).first(1));
    auto* refusal = std::get_if<ps::PaRefusal>(&over);
    ASSERT_NE(refusal, nullptr);
    EXPECT_EQ(refusal->kind, ps::PaRefusal::Kind::over_budget);
    EXPECT_NE(refusal->error.reason.find("per-minute budget of 1000"), std::string::npos) << refusal->error.reason;
    EXPECT_GT(refusal->retry_after_seconds, 0);
  }
  EXPECT_TRUE(std::holds_alternative<ps::PaAnswer>(pa.evaluate("nla", std::span(batch).first(1)))) << "others go on";
  auto events = node.call("GET", "/api/v1/audit/events?name=oprf.budget_alarm", "", "privacy_officer");
  EXPECT_EQ(events.status, 200);
  EXPECT_NE(events.body.find("budget_hit_minute"), std::string::npos) << events.body;
  EXPECT_NE(events.body.find("gemeente-aalsmeer"), std::string::npos);
  EXPECT_EQ(events.body.find("budget_hit_minute", events.body.find("budget_hit_minute") + 1), std::string::npos)
      << "one event for the window, not one per refused batch";
  auto metrics = node.call("GET", "/metrics", "", "metrics").body;
  EXPECT_NE(metrics.find("signalnode_pa_budget_total{partner=\"gemeente-aalsmeer\",event=\"refused_batches\"} 3"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("signalnode_pa_budget_total{partner=\"gemeente-aalsmeer\",event=\"alarms\"} 1"),
            std::string::npos);
}

TEST(PseudonymIntegration, NodeWithoutPaKeepsIdentifiersQueuedAndVisible) {
  TestNode node("gemeente-aalsmeer");
  EXPECT_EQ(node.app().pa_service(), nullptr);
  ASSERT_EQ(node.call("POST", "/api/v1/signals", kSignal).status, 201);
  EXPECT_EQ(node.app().pseudonymiser().stats().depth, 3);
  auto metrics = node.call("GET", "/metrics", "", "metrics").body;
  EXPECT_NE(metrics.find("signalnode_pseudonym_queue{measure=\"depth\"} 3"), std::string::npos) << metrics;
}

// Issue 18: tree heads are signed at most once a second however often the
// node's maintenance pass is woken (each stored signal wakes it).
TEST(AuditIntegration, TreeHeadsAreSignedAtMostOnceASecondUnderLoad) {
  TestNode node("gemeente-aalsmeer");
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 60; ++i) ASSERT_EQ(node.call("POST", "/api/v1/signals", kSignal).status, 201);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  signalnode::node::storage::Database db(node.dir() / "signalnode.db", signalnode::node::storage::Database::Mode::read_only);
  auto st = db.prepare("SELECT count(*) FROM audit_tree_heads");
  ASSERT_TRUE(st.step());
  const auto heads = st.int64(0);
  EXPECT_GE(heads, 1);
  EXPECT_LE(static_cast<double>(heads), seconds + 1.0) << heads << " tree heads in " << seconds << " s";
}
