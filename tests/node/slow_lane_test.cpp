// The slow lane: jobs run in order off the caller's thread, a full queue is
// refused at once, a throwing job does not stop it, and stop() runs what was
// accepted before it ends.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <vector>

#include "node/api/slow_lane.hpp"

using signalnode::node::api::SlowLane;

TEST(SlowLane, RunsJobsInOrderOnItsOwnThread) {
  SlowLane lane(8);
  std::vector<int> order;
  std::promise<std::thread::id> ran_on;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(lane.post([&order, i] { order.push_back(i); }));
  ASSERT_TRUE(lane.post([&ran_on] { ran_on.set_value(std::this_thread::get_id()); }));
  EXPECT_NE(ran_on.get_future().get(), std::this_thread::get_id());
  lane.stop();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(SlowLane, AFullQueueIsRefusedAtOnce) {
  SlowLane lane(2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(lane.post([&started, released] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();  // the lane is busy; its queue is empty
  std::atomic<int> ran{0};
  EXPECT_TRUE(lane.post([&ran] { ++ran; }));
  EXPECT_TRUE(lane.post([&ran] { ++ran; }));
  EXPECT_FALSE(lane.post([&ran] { ++ran; })) << "two queued is the limit";
  release.set_value();
  lane.stop();
  EXPECT_EQ(ran.load(), 2);
}

TEST(SlowLane, AThrowingJobDoesNotStopTheLaneAndStopRefusesNewWork) {
  SlowLane lane(4);
  std::atomic<bool> after{false};
  ASSERT_TRUE(lane.post([] { throw std::runtime_error("boom"); }));
  ASSERT_TRUE(lane.post([&after] { after = true; }));
  lane.stop();
  EXPECT_TRUE(after.load());
  EXPECT_FALSE(lane.post([] {}));
  lane.stop();  // twice is harmless
}
