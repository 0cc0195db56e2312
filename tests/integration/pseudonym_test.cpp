// A PA node takes no signals and counts its evaluations per partner; a node
// without a way to the PA keeps its identifiers queued.
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/test_federation.hpp"
#include "crypto/oprf.hpp"
#include "crypto/voprf.hpp"
#include "node/pseudonyms/oprf_keyring.hpp"
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

TEST(PseudonymIntegration, NodeWithoutPaKeepsIdentifiersQueuedAndVisible) {
  TestNode node("gemeente-aalsmeer");
  EXPECT_EQ(node.app().pa_service(), nullptr);
  ASSERT_EQ(node.call("POST", "/api/v1/signals", kSignal).status, 201);
  EXPECT_EQ(node.app().pseudonymiser().stats().depth, 3);
  auto metrics = node.call("GET", "/metrics", "", "metrics").body;
  EXPECT_NE(metrics.find("signalnode_pseudonym_queue{measure=\"depth\"} 3"), std::string::npos) << metrics;
}
