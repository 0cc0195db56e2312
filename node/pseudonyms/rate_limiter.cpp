#include "node/pseudonyms/rate_limiter.hpp"

#include <algorithm>

namespace signalnode::node::pseudonyms {

double RateLimiter::try_take(const std::string& caller, double cost, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto [it, fresh] = buckets_.try_emplace(caller, Bucket{burst_, now});
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * rate_);
  b.updated = now;
  if (cost <= b.tokens) {
    b.tokens -= cost;
    return 0;
  }
  if (cost > burst_) return -1;  // can never be served
  return (cost - b.tokens) / rate_;
}

}  // namespace signalnode::node::pseudonyms
