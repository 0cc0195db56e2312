#include "node/api/slow_lane.hpp"

#include "node/api/node_api.hpp"
#include "node/http/problem.hpp"
#include "node/log/log.hpp"

namespace signalnode::node::api {

SlowLane::SlowLane(std::size_t max_queued) : max_queued_(max_queued), thread_([this] { run(); }) {}

SlowLane::~SlowLane() { stop(); }

bool SlowLane::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void SlowLane::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void SlowLane::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      job();
    } catch (const std::exception& e) {
      log::error("api.slow_job_failed", {{"error", e.what()}});
    }
  }
}

void run_slow(ApiServices& s, std::function<void()> job, const Respond& respond) {
  if (!s.slow_lane) return job();
  if (!s.slow_lane->post(std::move(job))) {
    HttpResponse r = problem(503, "busy", "Busy", "the node is handling many log-ins or look-ups; try again in a second");
    r.headers.emplace_back("Retry-After", "1");
    respond(std::move(r));
  }
}

}  // namespace signalnode::node::api
