// The PA's per-partner budgets per UTC minute and day, their alarms and the
// volume-jump report (issue 15), and their node.json fields.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "tests/support/temp_dir.hpp"
#include "crypto/random.hpp"
#include "node/config/node_config.hpp"
#include "node/pseudonyms/oprf_keyring.hpp"
#include "node/pseudonyms/pa_budget.hpp"
#include "node/pseudonyms/pa_service.hpp"

namespace c = signalnode::crypto;
namespace o = signalnode::crypto::oprf;
namespace ps = signalnode::node::pseudonyms;
namespace cfg = signalnode::node::config;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

// 2026-12-02 15:30:20 UTC.
const system_clock::time_point kStart = sys_days{year{2026} / 12 / 2} + 15h + 30min + 20s;

struct Raised {
  std::string caller;
  ps::PaAlarm kind;
  std::int64_t used;
  std::int64_t budget;
};

ps::PaBudgetLimits budgets(std::int64_t per_minute, std::int64_t per_day, std::int64_t factor = 0,
                           std::int64_t floor = 0, std::size_t max_callers = 1000) {
  return ps::PaBudgetLimits{.elements_per_minute = per_minute,
                            .elements_per_day = per_day,
                            .jump_factor = factor,
                            .jump_floor = floor,
                            .max_callers = max_callers};
}

}  // namespace

class PaBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    c::init();
    ps::OprfKeyring::create_next_epoch(dir_ / "oprf");
  }

  // A service whose rate limit never interferes, on the test's wall clock.
  std::unique_ptr<ps::PaService> service(ps::PaBudgetLimits b) {
    return std::make_unique<ps::PaService>(
        ps::OprfKeyring::load(dir_ / "oprf"),
        ps::PaLimits{.max_batch = 1000, .elements_per_second = 1e12, .burst = 1e12, .budget = b, .partner_budgets = {}}, ps::PaObserver{},
        [this](const std::string& caller, ps::PaAlarm kind, std::int64_t used, std::int64_t budget) {
          raised_.push_back({caller, kind, used, budget});
        },
        [this] { return wall_; });
  }

  std::vector<o::Element> blinded(std::size_t n) {
    std::vector<o::Element> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(o::blind(c::as_bytes("bsn:" + std::to_string(i)))->blinded_element);
    return out;
  }

  static const ps::PaRefusal* refused(const ps::PaResult& r) { return std::get_if<ps::PaRefusal>(&r); }
  static bool served(const ps::PaResult& r) { return std::holds_alternative<ps::PaAnswer>(r); }

  std::size_t count(ps::PaAlarm kind) const {
    std::size_t n = 0;
    for (const auto& a : raised_) n += a.kind == kind;
    return n;
  }

  signalnode::testing::TempDir dir_{"sn-pa-budget-"};
  system_clock::time_point wall_ = kStart;
  std::vector<Raised> raised_;
};

TEST_F(PaBudgetTest, PerMinuteBudgetRefusesTheElementThatGoesOverUntilTheMinuteEnds) {
  auto pa = service(budgets(10, 1000));
  auto one = blinded(1);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(served(pa->evaluate("nla", one))) << i;
  auto r = pa->evaluate("nla", one);
  const auto* refusal = refused(r);
  ASSERT_NE(refusal, nullptr);
  EXPECT_EQ(refusal->kind, ps::PaRefusal::Kind::over_budget);
  EXPECT_EQ(refusal->error.field, "blindedElements");
  EXPECT_NEAR(refusal->retry_after_seconds, 40.0, 1e-9) << "15:30:20 until 15:31:00";
  EXPECT_NE(refusal->error.reason.find("per-minute budget of 10 evaluations for this partner is used up"),
            std::string::npos)
      << refusal->error.reason;
  EXPECT_NE(refusal->error.reason.find("it frees at 15:31 UTC"), std::string::npos) << refusal->error.reason;

  EXPECT_TRUE(served(pa->evaluate("snf", one))) << "another partner has its own budget";
  wall_ = kStart + 39s;
  EXPECT_FALSE(served(pa->evaluate("nla", one)));
  wall_ = kStart + 40s;  // 15:31:00
  EXPECT_TRUE(served(pa->evaluate("nla", one))) << "the next minute frees it";
  EXPECT_EQ(pa->usage().at("nla").elements_this_minute, 1);
  EXPECT_EQ(pa->usage().at("nla").elements_today, 11);
}

TEST_F(PaBudgetTest, ARefusedBatchChargesNothingAndIsRefusedWhole) {
  auto pa = service(budgets(10, 1000));
  ASSERT_TRUE(served(pa->evaluate("nla", blinded(8))));
  auto r = pa->evaluate("nla", blinded(5));
  ASSERT_NE(refused(r), nullptr) << "8 + 5 is over 10: the whole batch is refused";
  EXPECT_NE(refused(r)->error.reason.find("8 this minute, this batch 5 elements"), std::string::npos)
      << refused(r)->error.reason;
  auto usage = pa->usage().at("nla");
  EXPECT_EQ(usage.elements_this_minute, 8);
  EXPECT_EQ(usage.elements_today, 8);
  EXPECT_EQ(usage.refused_batches, 1);
  EXPECT_EQ(usage.refused_elements, 5);
  EXPECT_TRUE(served(pa->evaluate("nla", blinded(2)))) << "what was refused was not charged";
  EXPECT_FALSE(served(pa->evaluate("nla", blinded(1))));
}

TEST_F(PaBudgetTest, BatchesWithAnInvalidElementAreChargedLikeTheRateLimitChargesThem) {
  auto pa = service(budgets(10, 1000));
  auto batch = blinded(4);
  batch[2] = o::Element{};  // the identity: invalid
  auto r = pa->evaluate("nla", batch);
  ASSERT_NE(refused(r), nullptr);
  EXPECT_EQ(refused(r)->kind, ps::PaRefusal::Kind::invalid);
  EXPECT_EQ(pa->usage().at("nla").elements_this_minute, 4);
}

TEST_F(PaBudgetTest, PerDayBudgetHoldsAcrossMinutesUntilMidnightUtc) {
  auto pa = service(budgets(1000, 30));
  for (int minute = 0; minute < 3; ++minute) {
    wall_ = kStart + minutes(minute);
    ASSERT_TRUE(served(pa->evaluate("nla", blinded(10)))) << minute;
  }
  wall_ = kStart + 5min;  // 15:35:20
  auto r = pa->evaluate("nla", blinded(1));
  const auto* refusal = refused(r);
  ASSERT_NE(refusal, nullptr);
  EXPECT_EQ(refusal->kind, ps::PaRefusal::Kind::over_budget);
  EXPECT_NE(refusal->error.reason.find("per-day budget of 30 evaluations for this partner is used up"),
            std::string::npos)
      << refusal->error.reason;
  EXPECT_NE(refusal->error.reason.find("it frees at 00:00 UTC"), std::string::npos);
  const double to_midnight = 8 * 3600 + 24 * 60 + 40;  // 15:35:20 until 24:00:00
  EXPECT_NEAR(refusal->retry_after_seconds, to_midnight, 1e-9);
  wall_ = sys_days{year{2026} / 12 / 2} + 23h + 59min + 59s;
  EXPECT_FALSE(served(pa->evaluate("nla", blinded(1))));
  wall_ = sys_days{year{2026} / 12 / 3};
  EXPECT_TRUE(served(pa->evaluate("nla", blinded(10)))) << "a new UTC day";
  EXPECT_EQ(pa->usage().at("nla").elements_today, 10);
}

TEST_F(PaBudgetTest, AlarmsAreRaisedOncePerWindowNotPerRequest) {
  auto pa = service(budgets(5, 12));
  ASSERT_TRUE(served(pa->evaluate("nla", blinded(5))));
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(served(pa->evaluate("nla", blinded(1))));
  ASSERT_EQ(raised_.size(), 1u);
  EXPECT_EQ(raised_[0].caller, "nla");
  EXPECT_EQ(raised_[0].kind, ps::PaAlarm::budget_hit_minute);
  EXPECT_EQ(raised_[0].used, 5);
  EXPECT_EQ(raised_[0].budget, 5);
  EXPECT_FALSE(served(pa->evaluate("snf", blinded(6))));
  EXPECT_EQ(raised_.size(), 2u) << "each partner its own alarm";

  wall_ = kStart + 1min;  // a new minute: one more minute alarm, not more
  ASSERT_TRUE(served(pa->evaluate("nla", blinded(5))));
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(served(pa->evaluate("nla", blinded(1))));
  EXPECT_EQ(count(ps::PaAlarm::budget_hit_minute), 3u);

  wall_ = kStart + 2min;  // 10 used today; 3 more is over the day's 12
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(served(pa->evaluate("nla", blinded(3))));
  EXPECT_EQ(count(ps::PaAlarm::budget_hit_day), 1u);
  EXPECT_EQ(raised_.back().used, 10);
  EXPECT_EQ(raised_.back().budget, 12);
  wall_ = kStart + 3min;
  EXPECT_FALSE(served(pa->evaluate("nla", blinded(3))));
  EXPECT_EQ(count(ps::PaAlarm::budget_hit_day), 1u) << "once per day, whatever the minute";
  EXPECT_EQ(count(ps::PaAlarm::budget_hit_minute), 3u) << "the day's budget refused, not the minute's";

  auto usage = pa->usage().at("nla");
  EXPECT_EQ(usage.alarms, 3);
  EXPECT_EQ(usage.refused_batches, 4 + 3 + 5 + 1);
  EXPECT_EQ(ps::pa_alarm_name(ps::PaAlarm::budget_hit_day), "budget_hit_day");
}

TEST_F(PaBudgetTest, AVolumeJumpIsReportedOnceAndAQuietPartnersFirstBusyDayIsNot) {
  ps::PaBudget budget(budgets(0, 0, 10, 100));
  const auto day1 = sys_days{year{2026} / 12 / 1} + 9h;
  auto charge = [&](const std::string& caller, std::int64_t n, system_clock::time_point at) {
    auto d = budget.charge(caller, n, at);
    EXPECT_TRUE(d.allowed);
    return d.alarm;
  };
  EXPECT_FALSE(charge("nla", 5000, day1)) << "the first day seen has no baseline";
  EXPECT_FALSE(charge("quiet", 5, day1));

  const auto day2 = day1 + 24h;
  EXPECT_FALSE(charge("nla", 50'000, day2)) << "10 x 5000 is not over 10 x the average";
  auto jump = charge("nla", 1, day2);
  ASSERT_TRUE(jump);
  EXPECT_EQ(jump->kind, ps::PaAlarm::volume_jump);
  EXPECT_EQ(jump->used, 50'001);
  EXPECT_EQ(jump->budget, 50'000);
  EXPECT_FALSE(charge("nla", 100'000, day2)) << "once a day";
  EXPECT_FALSE(charge("quiet", 100, day2)) << "20 x its average, but not over the floor of 100";
  EXPECT_TRUE(charge("quiet", 1, day2)) << "over the floor";

  // Day 4 (day 3 idle): the average of days 1-3 is (5000 + 150001 + 0) / 3 = 51667.
  const auto day4 = day2 + 48h;
  EXPECT_FALSE(charge("nla", 516'670, day4));
  auto again = charge("nla", 1, day4);
  ASSERT_TRUE(again) << "a new day may report again";
  EXPECT_EQ(again->budget, 516'670);
  EXPECT_EQ(budget.usage(day4).at("nla").alarms, 2);
}

TEST_F(PaBudgetTest, TheServiceReportsAVolumeJumpThroughItsAlarmObserver) {
  auto pa = service(budgets(0, 0, 10, 3));
  ASSERT_TRUE(served(pa->evaluate("nla", blinded(1))));
  wall_ = kStart + 24h;
  ASSERT_TRUE(served(pa->evaluate("nla", blinded(3))));
  EXPECT_TRUE(raised_.empty());
  ASSERT_TRUE(served(pa->evaluate("nla", blinded(8))));
  ASSERT_TRUE(served(pa->evaluate("nla", blinded(8))));
  ASSERT_EQ(raised_.size(), 1u);
  EXPECT_EQ(raised_[0].kind, ps::PaAlarm::volume_jump);
  EXPECT_EQ(raised_[0].used, 11);
  EXPECT_EQ(raised_[0].budget, 10);
}

TEST_F(PaBudgetTest, TheCallerTableIsBoundedAndFailsClosed) {
  ps::PaBudget budget(budgets(100, 1000, 0, 0, 2));
  EXPECT_TRUE(budget.charge("a", 1, kStart).allowed);
  EXPECT_TRUE(budget.charge("b", 1, kStart).allowed);
  auto d = budget.charge("c", 1, kStart);
  EXPECT_FALSE(d.allowed) << "a and b are active today";
  EXPECT_NE(d.reason.find("2 partners"), std::string::npos) << d.reason;
  EXPECT_TRUE(budget.charge("a", 1, kStart).allowed) << "known callers go on";
  const auto tomorrow = kStart + 24h;
  EXPECT_TRUE(budget.charge("c", 1, tomorrow).allowed) << "callers idle today make room";
  EXPECT_EQ(budget.usage(tomorrow).size(), 1u);
}

TEST_F(PaBudgetTest, AWallClockSetBackKeepsTheLaterWindow) {
  ps::PaBudget budget(budgets(10, 1000));
  EXPECT_TRUE(budget.charge("nla", 10, kStart).allowed);
  EXPECT_FALSE(budget.charge("nla", 1, kStart - 2min).allowed) << "no fresh minute by setting the clock back";
}

TEST_F(PaBudgetTest, ConcurrentCallersNeverExceedTheBudgetAndAlarmOnce) {
  ps::PaBudget budget(budgets(1000, 100'000));
  std::atomic<int> allowed{0}, alarms{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 600; ++i) {
        auto d = budget.charge("nla", 1, kStart);
        allowed += d.allowed;
        alarms += d.alarm.has_value();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 1000);
  EXPECT_EQ(alarms.load(), 1);
  EXPECT_EQ(budget.usage(kStart).at("nla").refused_batches, 1400);
}

// node.json's "pa" object: the budgets, their defaults and ranges.
class PaBudgetConfigTest : public ::testing::Test {
 protected:
  cfg::NodeConfig load(const std::string& pa) {
    std::ofstream(paths_.config()) << R"({"org":"pa-test","role":"pseudonymisation_authority","oin":"00000001002220647000",)"
                                   << R"("pseudonymisationAuthority":true,"pa":)" << pa << "}";
    return cfg::load_config(paths_);
  }
  std::string error(const std::string& pa) {
    try {
      load(pa);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }
  signalnode::testing::TempDir dir_{"sn-pa-config-"};
  cfg::NodePaths paths_{dir_.path()};
};

TEST_F(PaBudgetConfigTest, DefaultsMatchTheServiceDefaults) {
  auto c = load("{}");
  EXPECT_EQ(c.pa.elements_per_minute, 20'000);
  EXPECT_EQ(c.pa.elements_per_day, 500'000);
  EXPECT_EQ(c.pa.elements_per_minute, ps::PaLimits{}.budget.elements_per_minute);
  EXPECT_EQ(c.pa.elements_per_day, ps::PaLimits{}.budget.elements_per_day);
}

TEST_F(PaBudgetConfigTest, BudgetsAreReadRangeCheckedAndWrittenBack) {
  auto c = load(R"({"ratePerSecond":100,"burst":2000,"elementsPerMinute":5000,"elementsPerDay":250000})");
  EXPECT_EQ(c.pa.elements_per_minute, 5000);
  EXPECT_EQ(c.pa.elements_per_day, 250'000);
  auto json = boost::json::parse(cfg::config_to_json(c));
  EXPECT_EQ(json.at("pa").at("elementsPerMinute").as_int64(), 5000);
  EXPECT_EQ(json.at("pa").at("elementsPerDay").as_int64(), 250'000);

  EXPECT_NE(error(R"({"elementsPerMinute":999})").find("pa.elementsPerMinute must be a whole number from 1000"),
            std::string::npos)
      << "a batch of 1000 must fit";
  EXPECT_NE(error(R"({"elementsPerMinute":0})").find("pa.elementsPerMinute"), std::string::npos) << "no way to turn it off";
  EXPECT_NE(error(R"({"elementsPerDay":"many"})").find("pa.elementsPerDay"), std::string::npos);
  EXPECT_NE(error(R"({"elementsPerDay":500})").find("pa.elementsPerDay"), std::string::npos);
  EXPECT_NE(error(R"({"elementsPerDay":100000000001})").find("pa.elementsPerDay"), std::string::npos);
  EXPECT_NE(error(R"({"elementsPerMinute":50000,"elementsPerDay":40000})")
                .find("pa.elementsPerDay must be at least pa.elementsPerMinute (50000)"),
            std::string::npos);
}

// Budgets sized from a partner's real volume (issue 15): a partner named in
// node.json has its own; the others keep the defaults.
TEST_F(PaBudgetTest, APartnerWithItsOwnBudgetIsHeldToItAndTheOthersAreNot) {
  ps::PaBudget budget(budgets(20'000, 500'000), {{"gemeente-klein", {1000, 1500}}});
  EXPECT_TRUE(budget.charge("gemeente-klein", 1000, kStart).allowed);
  auto over = budget.charge("gemeente-klein", 1, kStart);
  EXPECT_FALSE(over.allowed);
  EXPECT_NE(over.reason.find("per-minute budget of 1000"), std::string::npos) << over.reason;
  EXPECT_TRUE(budget.charge("nla", 5000, kStart).allowed) << "the default for everyone else";
  EXPECT_TRUE(budget.charge("gemeente-klein", 500, kStart + 60s).allowed);
  auto day = budget.charge("gemeente-klein", 1, kStart + 120s);
  EXPECT_FALSE(day.allowed);
  EXPECT_NE(day.reason.find("per-day budget of 1500"), std::string::npos) << day.reason;
}

// A busy partner's usual volume would put a 10x jump above its daily budget:
// half the budget in one day is reported however busy it usually is.
TEST_F(PaBudgetTest, HalfTheDailyBudgetInOneDayIsAJumpHoweverBusyThePartnerIs) {
  ps::PaBudget budget(budgets(0, 100'000, 10, 100));
  const auto day1 = sys_days{year{2026} / 12 / 1} + 9h;
  EXPECT_FALSE(budget.charge("nla", 40'000, day1).alarm) << "the first day has no baseline";
  const auto day2 = day1 + 24h;
  EXPECT_FALSE(budget.charge("nla", 50'000, day2).alarm) << "10 x 40,000 would be 400,000";
  auto jump = budget.charge("nla", 1, day2).alarm;
  ASSERT_TRUE(jump);
  EXPECT_EQ(jump->kind, ps::PaAlarm::volume_jump);
  EXPECT_EQ(jump->budget, 50'000);
}

TEST_F(PaBudgetConfigTest, PartnersCanHaveBudgetsOfTheirOwn) {
  auto c = load(R"({"partners":{"gemeente-klein":{"elementsPerMinute":1000,"elementsPerDay":20000}}})");
  ASSERT_EQ(c.pa.partners.size(), 1u);
  EXPECT_EQ(c.pa.partners.at("gemeente-klein").elements_per_minute, 1000);
  EXPECT_EQ(c.pa.partners.at("gemeente-klein").elements_per_day, 20'000);
  auto json = boost::json::parse(cfg::config_to_json(c));
  EXPECT_EQ(json.at("pa").at("partners").at("gemeente-klein").at("elementsPerDay").as_int64(), 20'000);
  EXPECT_NE(error(R"({"partners":{"Gemeente Klein":{}}})").find("is not an organisation id"), std::string::npos);
  EXPECT_NE(error(R"({"partners":{"gemeente-klein":{"elementsPerMinute":10}}})")
                .find("pa.partners.gemeente-klein.elementsPerMinute"),
            std::string::npos);
  EXPECT_NE(error(R"({"partners":{"gemeente-klein":{"elementsPerMinute":5000,"elementsPerDay":2000}}})")
                .find("must be at least its elementsPerMinute"),
            std::string::npos);
  EXPECT_NE(error(R"({"partners":[]})").find("pa.partners"), std::string::npos);
}
