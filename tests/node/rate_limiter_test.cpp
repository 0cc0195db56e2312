// Token buckets: refill, independence of callers, impossible costs, and a
// table that cannot grow without bound when callers come from many addresses.
#include <gtest/gtest.h>

#include "node/limits/rate_limiter.hpp"

using signalnode::node::limits::RateLimiter;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateLimiter, RefillsAtTheRateUpToTheBurst) {
  RateLimiter limiter(1.0, 3);
  auto t0 = RateLimiter::Clock::now();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.try_take("a", 1, t0), 0);
  EXPECT_NEAR(limiter.try_take("a", 1, t0), 1.0, 1e-9) << "a second until the next token";
  EXPECT_EQ(limiter.try_take("b", 1, t0), 0) << "callers have their own buckets";
  EXPECT_EQ(limiter.try_take("a", 1, t0 + seconds(1)), 0);
  EXPECT_GT(limiter.try_take("a", 1, t0 + seconds(1)), 0);
  EXPECT_EQ(limiter.try_take("a", 3, t0 + seconds(100)), 0) << "never more than the burst";
  EXPECT_GT(limiter.try_take("a", 1, t0 + seconds(100)), 0);
  EXPECT_EQ(limiter.try_take("a", 4, t0), -1) << "more than the burst can never be served";
}

TEST(RateLimiter, ManyAddressesCannotGrowTheTableWithoutBound) {
  RateLimiter limiter(1.0, 2, 3);
  auto t0 = RateLimiter::Clock::now();
  for (const char* caller : {"a", "b", "c"}) EXPECT_EQ(limiter.try_take(caller, 1, t0), 0);
  EXPECT_GT(limiter.try_take("d", 1, t0), 0) << "all slots in use: a new caller waits";
  EXPECT_EQ(limiter.callers(), 3u);
  EXPECT_EQ(limiter.try_take("a", 1, t0), 0) << "known callers go on as before";
  // Once their buckets have refilled, old callers are forgotten (a full bucket
  // is the same as a new one) and new callers get their place.
  auto later = t0 + seconds(5);
  EXPECT_EQ(limiter.try_take("d", 1, later), 0);
  EXPECT_EQ(limiter.callers(), 1u);
  for (int i = 0; i < 1000; ++i) limiter.try_take("caller-" + std::to_string(i), 1, later + milliseconds(i));
  EXPECT_LE(limiter.callers(), 3u);
}
