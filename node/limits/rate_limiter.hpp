// Token buckets per caller: `rate` tokens a second up to `burst`. Used by the
// PA (one OPRF element costs one token, so limits are in identifiers, not
// requests) and by web log-ins (per client address). Memory is bounded: a
// bucket that has refilled is the same as none and is dropped when the table
// grows; if `max_callers` are all mid-use, new callers wait (fail closed).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace signalnode::node::limits {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double rate_per_second, double burst, std::size_t max_callers = 100'000)
      : rate_(rate_per_second), burst_(burst), max_callers_(max_callers) {}

  // Takes `cost` tokens if available. Otherwise takes none and returns the
  // seconds until they would be (-1: never, the cost exceeds the burst).
  double try_take(const std::string& caller, double cost, Clock::time_point now);
  std::size_t callers() const;

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  double refilled(const Bucket& b, Clock::time_point now) const;
  void drop_refilled(Clock::time_point now);

  double rate_;
  double burst_;
  std::size_t max_callers_;
  mutable std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace signalnode::node::limits
