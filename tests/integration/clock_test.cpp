// Clocks that are wrong (issue 18): a sender whose clock runs two days fast
// still has its records accepted, kept for the rule's retention by the
// receiver's own clock; a receiver whose clock jumps 731 days ahead does not
// delete what it received, until a partner's clock confirms the time.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>

#include "node/app/node_app.hpp"
#include "node/signals/signal_json.hpp"
#include "sharing_fixture.hpp"

namespace json = boost::json;
using signalnode::testing::wait_until;

namespace {

const std::string kLabourSignal = R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
  "municipality":"GM0358","severity":"high","persons":6,
  "subjects":[{"kind":"organisation","role":"temp_agency","kvk":"12345678"}]})";

constexpr std::size_t kMunicipality = 0, kRiec = 3;

std::chrono::system_clock::time_point shifted(std::chrono::hours by) { return std::chrono::system_clock::now() + by; }

}  // namespace

class ClockTest : public signalnode::testing::SharingFixture {
 protected:
  void restart_with_clock(std::size_t i, std::chrono::hours offset) {
    apps_[i].reset();
    apps_[i] = std::make_unique<signalnode::node::app::NodeApp>(
        signalnode::node::app::NodeOptions{nodes_[i].dir, std::nullopt, [offset] { return shifted(offset); }});
    apps_[i]->start();
  }
};

TEST_F(ClockTest, ASenderTwoDaysFastIsAcceptedAndTheReceiverKeepsTheRecordByItsOwnClock) {
  restart_with_clock(kMunicipality, std::chrono::hours(48));
  std::string id = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return sharing_states(id)["riec-amsterdam"] == "delivered"; }))
      << "state: " << sharing_states(id)["riec-amsterdam"];
  EXPECT_EQ(sharing_states(id)["nla"], "delivered");
  // all-to-riec keeps records 730 days: from the RIEC's receive time, not the sender's.
  json::array items = inbox(kRiec);
  ASSERT_EQ(items.size(), 1u);
  const auto expires = std::chrono::system_clock::now() + std::chrono::days(730);
  const std::string shown(items.at(0).at("expiresAt").as_string());
  EXPECT_EQ(shown.substr(0, 10), signalnode::node::signals::iso8601_utc(
                                     std::chrono::duration_cast<std::chrono::milliseconds>(expires.time_since_epoch()).count())
                                     .substr(0, 10));
}

TEST_F(ClockTest, AReceiverWhoseClockJumps731DaysAheadDeletesNothingUntilAPartnerConfirmsTheTime) {
  std::string id = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return sharing_states(id)["riec-amsterdam"] == "delivered"; }));
  ASSERT_EQ(inbox(kRiec).size(), 1u);
  restart_with_clock(kRiec, std::chrono::hours(731 * 24));
  apps_[kRiec]->run_retention();
  EXPECT_EQ(inbox(kRiec).size(), 1u) << "a jumped clock deleted received records";

  // A partner's clock that agrees (here: the municipality's, as far ahead)
  // confirms the time at the next exchange; then retention runs.
  restart_with_clock(kMunicipality, std::chrono::hours(731 * 24));
  std::string second = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return sharing_states(second)["riec-amsterdam"] == "delivered"; }));
  apps_[kRiec]->run_retention();
  json::array left = inbox(kRiec);
  ASSERT_EQ(left.size(), 1u) << "the first record passed its 730 days and went; the new one stays";
}
