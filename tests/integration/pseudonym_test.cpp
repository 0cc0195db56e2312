// A signal submitted to the PA node over HTTPS gets its pseudonyms from the
// background worker; a node without a way to the PA keeps them queued.
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/test_federation.hpp"
#include "crypto/oprf.hpp"
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

TEST(PseudonymIntegration, PaNodePseudonymisesSubmittedSignalsInTheBackground) {
  TestNode node("riec-amsterdam", 10, true);
  ASSERT_NE(node.app().pa_service(), nullptr);
  ASSERT_EQ(node.call("POST", "/api/v1/signals", kSignal).status, 201);
  auto& pseudo = node.app().pseudonymiser();
  ASSERT_TRUE(wait_until([&] { return pseudo.stats().depth == 0 && pseudo.stats().cached == 3; }));

  auto ring = signalnode::node::pseudonyms::OprfKeyring::load(node.app().paths().oprf_keys());
  auto expected = c::oprf::evaluate(ring.current(), c::as_bytes("iban:NL91ABNA0417164300"));
  EXPECT_EQ(pseudo.cached({p::IdKind::iban, "NL91ABNA0417164300"}), expected);

  auto metrics = node.call("GET", "/metrics", "", "metrics").body;
  EXPECT_NE(metrics.find("signalnode_pa_evaluated_elements_total{partner=\"riec-amsterdam\"} 3"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("signalnode_pseudonym_queue{measure=\"depth\"} 0"), std::string::npos);
  EXPECT_NE(metrics.find("signalnode_pseudonym_queue{measure=\"set_aside\"} 0"), std::string::npos) << metrics;
}

TEST(PseudonymIntegration, NodeWithoutPaKeepsIdentifiersQueuedAndVisible) {
  TestNode node("gemeente-aalsmeer");
  EXPECT_EQ(node.app().pa_service(), nullptr);
  ASSERT_EQ(node.call("POST", "/api/v1/signals", kSignal).status, 201);
  EXPECT_EQ(node.app().pseudonymiser().stats().depth, 3);
  auto metrics = node.call("GET", "/metrics", "", "metrics").body;
  EXPECT_NE(metrics.find("signalnode_pseudonym_queue{measure=\"depth\"} 3"), std::string::npos) << metrics;
}
