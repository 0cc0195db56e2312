#include "node/limits/rate_limiter.hpp"

#include <algorithm>

namespace signalnode::node::limits {

double RateLimiter::refilled(const Bucket& b, Clock::time_point now) const {
  double elapsed = std::chrono::duration<double>(now - b.updated).count();
  return std::min(burst_, b.tokens + std::max(0.0, elapsed) * rate_);
}

void RateLimiter::drop_refilled(Clock::time_point now) {
  std::erase_if(buckets_, [&](const auto& entry) { return refilled(entry.second, now) >= burst_; });
}

double RateLimiter::try_take(const std::string& caller, double cost, Clock::time_point now) {
  if (cost > burst_) return -1;  // can never be served
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(caller);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_callers_) drop_refilled(now);
    if (buckets_.size() >= max_callers_) return 1.0;  // every slot in use: new callers wait
    it = buckets_.emplace(caller, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = refilled(b, now);
  b.updated = now;
  if (cost <= b.tokens) {
    b.tokens -= cost;
    return 0;
  }
  return (cost - b.tokens) / rate_;
}

std::size_t RateLimiter::callers() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace signalnode::node::limits
