#include "node/api/slow_lane.hpp"

#include <atomic>
#include <memory>

#include "node/api/node_api.hpp"
#include "node/http/problem.hpp"
#include "node/log/log.hpp"
#include "node/storage/errors.hpp"

namespace signalnode::node::api {

SlowLane::SlowLane(std::size_t max_queued) : max_queued_(max_queued), thread_([this] { run(); }) {}

SlowLane::~SlowLane() { stop(); }

bool SlowLane::post(std::function<void()> job) { return post(std::move(job), nullptr); }

bool SlowLane::post(std::function<void()> job, std::function<void()> if_dropped) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back({std::move(job), std::move(if_dropped), http::current_trace()});
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

void SlowLane::stop(std::chrono::steady_clock::time_point deadline) {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    deadline_ = deadline;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void SlowLane::run() {
  for (;;) {
    Job job;
    bool drop = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      job = std::move(queue_.front());
      queue_.pop_front();
      drop = deadline_ && std::chrono::steady_clock::now() >= *deadline_;
    }
    try {
      if (!drop) {
        // What the job logs belongs to the trace of the request that posted it.
        http::TraceScope trace(job.trace);
        job.run();
      } else {
        dropped_.fetch_add(1);
        if (job.if_dropped) job.if_dropped();
      }
    } catch (const std::exception& e) {
      log::error("api.slow_job_failed", {{"error", e.what()}});
    }
  }
}

Respond answer_once(Respond respond) {
  auto answered = std::make_shared<std::atomic<bool>>(false);
  return [answered, respond = std::move(respond)](HttpResponse response) {
    if (!answered->exchange(true)) respond(std::move(response));
  };
}

HttpResponse failure_response(const std::exception& e) {
  // The disk is full, failing or busy: nothing was kept, and the same request
  // may succeed later. Clients (partners' delivery threads included) retry a
  // 503 with Retry-After; a 500 says "do not".
  if (storage::fault_of(e) != storage::StorageFault::other) {
    HttpResponse r = problem(503, "storage-unavailable", "Storage unavailable",
                             "the node could not write to its storage; nothing was kept; try again later");
    r.headers.emplace_back("Retry-After", "30");
    return r;
  }
  return internal_error();
}

void answer_or_fail(std::string_view event, const Respond& once, const AnsweringJob& job) noexcept {
  std::string error;
  HttpResponse failure = internal_error();
  try {
    job(once);
    return;
  } catch (const std::exception& e) {
    failure = failure_response(e);
    error = e.what();
  } catch (...) {
    error = "an exception that is not a std::exception";
  }
  try {
    log::error(event, {{"error", error}});
    once(std::move(failure));  // dropped if the job answered before it threw
  } catch (...) {
    // The answer path itself failed (the connection is gone, say): nothing is
    // left to tell the client, and the lane must go on.
  }
}

void post_answering(SlowLane* lane, AnsweringJob job, Respond respond) {
  Respond once = answer_once(std::move(respond));
  if (!lane) return answer_or_fail("api.slow_job_failed", once, job);
  // A job the lane drops unstarted when the node stops is answered 503 (retry).
  bool queued = lane->post([job = std::move(job), once] { answer_or_fail("api.slow_job_failed", once, job); },
                           [once] { once(http::node_stopping()); });
  if (!queued) {
    if (lane->stopping()) return once(http::node_stopping());
    HttpResponse r = problem(503, "busy", "Busy", "the node is handling many requests of this kind; try again in a second");
    r.headers.emplace_back("Retry-After", "1");
    once(std::move(r));
  }
}

void run_slow(ApiServices& s, std::function<void(const Respond&)> job, Respond respond) {
  post_answering(s.slow_lane, std::move(job), std::move(respond));
}

void run_after_commit(ApiServices& s, std::function<void(const Respond&)> job, Respond respond) {
  post_answering(s.store_lane, std::move(job), std::move(respond));
}

void run_with_pa(ApiServices& s, std::function<void(const Respond&)> job, Respond respond) {
  post_answering(s.pa_lane, std::move(job), std::move(respond));
}

void run_with_provider(ApiServices& s, std::function<void(const Respond&)> job, Respond respond) {
  post_answering(s.provider_lane ? s.provider_lane : s.slow_lane, std::move(job), std::move(respond));
}

storage::Store::Done answer_after_commit(Respond respond,
                                         std::function<void(std::exception_ptr, const Respond&)> done) {
  return [once = answer_once(std::move(respond)), done = std::move(done)](std::exception_ptr error) {
    answer_or_fail("api.completion_failed", once, [&](const Respond& r) { done(error, r); });
  };
}

}  // namespace signalnode::node::api
