// Token buckets per caller: `rate` tokens a second up to `burst`. One element
// of an OPRF batch costs one token, so limits are in identifiers, not requests.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace signalnode::node::pseudonyms {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double rate_per_second, double burst) : rate_(rate_per_second), burst_(burst) {}

  // Takes `cost` tokens if available. Otherwise takes none and returns the
  // seconds until they would be.
  double try_take(const std::string& caller, double cost, Clock::time_point now);

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  double rate_;
  double burst_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace signalnode::node::pseudonyms
