// Clocks that are wrong (issue 18): a sender whose clock runs two days fast
// still has its records accepted, kept for the rule's retention by the
// receiver's own clock; a receiver whose clock jumps 731 days ahead does not
// delete what it received, until a partner's clock confirms the time.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include "crypto/secret_file.hpp"
#include "node/federation/federation.hpp"
#include "node/net/https_client.hpp"

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

// A receiver that does not run the sender's covenant version yet (a rollout
// in progress), or whose clock puts a rule or week on another day, refuses
// for now: the sender keeps the record queued and offers it again, so it
// arrives once the receiver catches up; after three days it is refused.
TEST_F(ClockTest, ARecordRefusedForNowIsOfferedAgainAndArrivesOnceTheReceiverCatchesUp) {
  namespace fs = std::filesystem;
  auto install = [&](std::size_t i, const std::string& text, int bump) {
    auto p = nodes_[i].dir / "policy.toml";
    signalnode::crypto::write_file_atomically(p, text);
    fs::last_write_time(p, fs::file_time_type::clock::now() + std::chrono::seconds(bump));
    ASSERT_TRUE(apps_[i]->federation()->reload_if_changed());
  };
  auto riec = [&](const std::string& id) {
    auto doc = json::parse(api(kMunicipality, "GET", "/api/v1/signals/" + id, "officer").body);
    for (const auto& p : doc.at("sharing").as_array()) {
      if (p.at("partner") != "riec-amsterdam") continue;
      std::string reason = p.as_object().contains("reason") ? std::string(p.at("reason").as_string()) : "";
      return std::string(p.at("state").as_string()) + ":" + reason;
    }
    return std::string("none");
  };
  const std::string original = signalnode::node::net::read_text_file(nodes_[kMunicipality].dir / "policy.toml");
  const std::string next = original + "\n# version 2 of the covenant, installed at the municipality first\n";
  install(kMunicipality, next, 2);
  std::string id = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return riec(id).starts_with("failing:unknown policy hash"); }, 15000)) << riec(id);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_TRUE(riec(id).starts_with("failing:")) << "refused for now, not given up: " << riec(id);
  EXPECT_TRUE(inbox(kRiec).empty());

  // The RIEC installs version 2; the municipality's next offer (an hour on,
  // by its clock) is accepted.
  install(kRiec, next, 2);
  restart_with_clock(kMunicipality, std::chrono::hours(1));
  ASSERT_TRUE(wait_until([&] { return riec(id).starts_with("delivered"); }, 15000)) << riec(id);
  EXPECT_EQ(inbox(kRiec).size(), 1u);

  // A refusal that outlasts three days is final.
  const std::string third = next + "# version 3\n";
  install(kMunicipality, third, 4);
  std::string late = submit(kMunicipality, kLabourSignal);
  ASSERT_TRUE(wait_until([&] { return riec(late).starts_with("failing:unknown policy hash"); }, 15000)) << riec(late);
  restart_with_clock(kMunicipality, std::chrono::hours(4 * 24));
  ASSERT_TRUE(wait_until([&] { return riec(late).starts_with("rejected:unknown policy hash"); }, 15000)) << riec(late);
  EXPECT_EQ(inbox(kRiec).size(), 1u);
}
