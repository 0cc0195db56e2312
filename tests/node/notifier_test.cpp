// The notifier over a store (node/notify/notifier.hpp), with a clock moved by
// the test: what is raised reaches its users once, also after the notice
// table was emptied by housekeeping (found in review: ids started again at 1
// and fell below the fan-out cursor, so every new notice was skipped).
#include <gtest/gtest.h>

#include <atomic>

#include "crypto/random.hpp"
#include "node/notify/notices.hpp"
#include "node/notify/notifier.hpp"
#include "node/storage/schema.hpp"
#include "node/storage/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace n = signalnode::node::notify;
namespace st = signalnode::node::storage;

namespace {
constexpr std::int64_t kDay = 86'400'000;

class NotifierTest : public ::testing::Test {
 protected:
  void SetUp() override { signalnode::crypto::init(); }
  void raise(n::Topic topic, const std::string& item) {
    store_.write([&](st::Database& db) { n::Notices::raise(db, topic, n::Audience::of(topic), item, now_.load()); });
  }
  std::int64_t reached(const std::string& user) {
    return store_.read([&](st::Database& db) {
      std::int64_t total = 0;
      for (const auto& c : n::Notifier::new_since(db, user, 0)) total += c.count;
      return total;
    });
  }
  signalnode::testing::TempDir dir_{"sn-notifier-"};
  st::Store store_{dir_ / "n.db", st::node_migrations()};
  std::atomic<std::int64_t> now_{1'800'000'000'000};
  n::Notifier notifier_{store_,
                        {},
                        [] { return std::vector<n::Recipient>{{"ana", "analyst", ""}, {"olaf", "officer", ""}}; },
                        [this] { return now_.load(); }};
};
}  // namespace

TEST_F(NotifierTest, EachNoticeReachesItsRoleOnce) {
  raise(n::Topic::alert, "a1");
  raise(n::Topic::alert, "a1");  // the same alert grew again: one alert
  (void)notifier_.pass();
  (void)notifier_.pass();
  EXPECT_EQ(reached("ana"), 1);
  EXPECT_EQ(reached("olaf"), 0);
}

TEST_F(NotifierTest, NoticesAfterAQuietMonthAreNotSkipped) {
  raise(n::Topic::alert, "a1");
  (void)notifier_.pass();
  now_ += 31 * kDay;
  (void)notifier_.pass();  // housekeeping: the old notice may go, the newest id stays
  raise(n::Topic::case_opened, "c1");
  (void)notifier_.pass();
  EXPECT_EQ(reached("ana"), 2) << "the case raised after a quiet month reached the analyst";
}
