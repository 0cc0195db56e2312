// Work too slow for an API I/O thread: argon2id password checks (about 90 ms
// and 64 MiB each) and calls to the pseudonymisation authority (a network
// round trip). One thread, so at most one such job's memory at a time and the
// I/O threads keep serving everyone else; a bounded queue, so a log-in storm
// is answered with 503 at once instead of piling up.
//
// Every job posted for a request answers it, also when it throws: run it with
// post_answering (or run_slow), which hands the job a respond that passes on
// only the first answer and answers 500 itself when the job throws first.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <optional>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>

#include "node/http/trace_context.hpp"
#include "node/http/types.hpp"

namespace signalnode::node::api {

using http::HttpResponse;
using http::Respond;

class SlowLane {
 public:
  explicit SlowLane(std::size_t max_queued = 32);
  ~SlowLane();  // stop()
  SlowLane(const SlowLane&) = delete;
  SlowLane& operator=(const SlowLane&) = delete;

  // Queues the job; false when the queue is full or the lane stopped (the
  // caller answers 503). A job that throws is logged and does not stop the
  // lane; whoever posts work for a request uses post_answering, so that the
  // request is answered too.
  bool post(std::function<void()> job);
  // The same, with what to do instead if the lane stops before the job has
  // started (stop with a deadline): post_answering answers 503 there.
  bool post(std::function<void()> job, std::function<void()> if_dropped);
  // Runs what is queued, then ends the thread. Later posts are refused.
  void stop();
  // Runs what is queued until `deadline`; jobs not started by then are
  // dropped (their if_dropped runs), then ends the thread.
  void stop(std::chrono::steady_clock::time_point deadline);
  bool stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
  }
  // Queued jobs refused after the stop's deadline (tests, the stop's log line).
  std::size_t dropped() const { return dropped_.load(); }

 private:
  void run();

  const std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  struct Job {
    std::function<void()> run;
    std::function<void()> if_dropped;
    std::optional<http::TraceContext> trace;  // of the request that posted it
  };
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::atomic<std::size_t> dropped_{0};
  std::thread thread_;
};

// A job that answers one request through the respond it is given.
using AnsweringJob = std::function<void(const Respond&)>;

// What a job that threw answers: 503 with Retry-After when storage failed
// (full, I/O error, busy), so clients retry; 500 otherwise.
HttpResponse failure_response(const std::exception& e);

// Passes on the first answer only; later ones are dropped. Safe to call from
// several threads.
Respond answer_once(Respond respond);

// Runs job(once). If it throws, the exception is logged under `event` (its
// text goes to the log, never into the response) and the request is answered
// 500 through `once`, which drops that answer if the job had answered before
// throwing. Never throws.
void answer_or_fail(std::string_view event, const Respond& once, const AnsweringJob& job) noexcept;

// Queues `job` on `lane` with a respond that passes on one answer only; a job
// that throws before answering is answered 500 (see answer_or_fail). A full or
// stopped lane is answered 503 with Retry-After at once, and the job is
// dropped unrun. Without a lane (nullptr) the job runs here, guarded the same way.
void post_answering(SlowLane* lane, AnsweringJob job, Respond respond);

}  // namespace signalnode::node::api
