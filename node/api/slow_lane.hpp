// Work too slow for an API I/O thread: argon2id password checks (about 90 ms
// and 64 MiB each) and calls to the pseudonymisation authority (a network
// round trip). One thread, so at most one such job's memory at a time and the
// I/O threads keep serving everyone else; a bounded queue, so a log-in storm
// is answered with 503 at once instead of piling up.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace signalnode::node::api {

class SlowLane {
 public:
  explicit SlowLane(std::size_t max_queued = 32);
  ~SlowLane();  // stop()
  SlowLane(const SlowLane&) = delete;
  SlowLane& operator=(const SlowLane&) = delete;

  // Queues the job; false when the queue is full or the lane stopped (the
  // caller answers 503). A job that throws is logged and does not stop the lane.
  bool post(std::function<void()> job);
  // Runs what is queued, then ends the thread. Later posts are refused.
  void stop();

 private:
  void run();

  const std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace signalnode::node::api
