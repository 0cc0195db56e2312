// The slow lane: jobs run in order off the caller's thread, a full queue is
// refused at once, a throwing job does not stop it, and stop() runs what was
// accepted before it ends. A job posted for a request answers it exactly once,
// with 500 when it throws first.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "node/api/node_api.hpp"
#include "node/storage/sqlite.hpp"
#include "node/api/router.hpp"
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

// Every job posted for a request answers it exactly once, also when it throws.
namespace {

namespace api = signalnode::node::api;

// Collects the answers a request gets: wait() returns once one arrived (or
// after 5 s), all() what arrived so far.
class Answers {
 public:
  api::Respond respond() {
    return [this](api::HttpResponse r) {
      {
        std::lock_guard lock(mutex_);
        got_.push_back(std::move(r));
      }
      changed_.notify_all();
    };
  }
  std::vector<api::HttpResponse> wait() {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(5), [&] { return !got_.empty(); });
    return got_;
  }
  std::vector<api::HttpResponse> all() {
    std::lock_guard lock(mutex_);
    return got_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<api::HttpResponse> got_;
};

}  // namespace

TEST(SlowLaneAnswers, AThrowingJobIsAnsweredOnceWith500AndTheLaneGoesOn) {
  SlowLane lane(4);
  Answers first, second;
  api::post_answering(&lane, [](const api::Respond&) { throw std::runtime_error("secret detail 123456782"); },
                      first.respond());
  api::post_answering(&lane, [](const api::Respond& answer) { answer({200, "text/plain", "next", {}}); },
                      second.respond());
  lane.stop();  // runs both; then every answer is in
  auto a = first.wait();
  ASSERT_EQ(a.size(), 1u) << "the request of a throwing job is answered";
  EXPECT_EQ(a[0].status, 500);
  EXPECT_EQ(a[0].content_type, "application/problem+json");
  EXPECT_NE(a[0].body.find("urn:signalnode:problem:internal"), std::string::npos) << a[0].body;
  EXPECT_EQ(a[0].body.find("secret detail"), std::string::npos) << "the exception's text stays in the log";
  EXPECT_EQ(a[0].body.find("123456782"), std::string::npos);
  auto b = second.wait();
  ASSERT_EQ(b.size(), 1u) << "the lane went on";
  EXPECT_EQ(b[0].body, "next");
}

// Issue 18: a full or failing disk is a retryable 503, not a final 500.
TEST(SlowLaneAnswers, AStorageFailureIsAnsweredAsRetryable503) {
  Answers full, other;
  api::post_answering(nullptr, [](const api::Respond&) { throw signalnode::node::storage::SqliteError("disk full", SQLITE_FULL); },
                      full.respond());
  api::post_answering(nullptr, [](const api::Respond&) { throw signalnode::node::storage::SqliteError("constraint", SQLITE_CONSTRAINT); },
                      other.respond());
  auto a = full.wait();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 503);
  EXPECT_NE(a[0].body.find("storage-unavailable"), std::string::npos) << a[0].body;
  bool retry_after = false;
  for (const auto& [name, value] : a[0].headers) retry_after |= name == "Retry-After" && value == "30";
  EXPECT_TRUE(retry_after);
  EXPECT_EQ(other.wait().at(0).status, 500) << "a failure that is not the disk's stays a 500";
}

// The API learns what a storage failure means without SQLite's codes: the
// extended codes count as their primary ones, a busy database may clear.
TEST(SlowLaneAnswers, StorageFaultsAreClassifiedWithoutTheCallerKnowingSqlite) {
  namespace st = signalnode::node::storage;
  EXPECT_EQ(st::fault_of(st::SqliteError("write", SQLITE_IOERR_WRITE)), st::StorageFault::disk);
  EXPECT_EQ(st::fault_of(st::SqliteError("ro", SQLITE_READONLY)), st::StorageFault::disk);
  EXPECT_EQ(st::fault_of(st::SqliteError("busy", SQLITE_BUSY)), st::StorageFault::contention);
  EXPECT_EQ(st::fault_of(st::SqliteError("unique", SQLITE_CONSTRAINT_UNIQUE)), st::StorageFault::other);
  EXPECT_EQ(st::fault_of(std::runtime_error("not sqlite")), st::StorageFault::other);
}

TEST(SlowLaneAnswers, AJobThatAnsweredAndThenThrewIsNotAnsweredTwice) {
  SlowLane lane(4);
  Answers answers;
  api::post_answering(&lane,
                      [](const api::Respond& answer) {
                        answer({201, "application/json", "{}", {}});
                        answer({202, "application/json", "{}", {}});  // a second answer is dropped too
                        throw std::runtime_error("after the answer");
                      },
                      answers.respond());
  lane.stop();  // the job has run
  auto a = answers.all();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 201);
}

TEST(SlowLaneAnswers, WhatIsNotAStdExceptionIsAnswered500Too) {
  SlowLane lane(4);
  Answers answers;
  api::post_answering(&lane, [](const api::Respond&) { throw 42; }, answers.respond());
  lane.stop();
  auto a = answers.wait();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 500);
}

TEST(SlowLaneAnswers, AFullOrStoppedLaneAnswers503AndDropsTheJob) {
  SlowLane lane(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  Answers busy, queued, refused;
  api::post_answering(&lane,
                      [&started, released](const api::Respond& answer) {
                        started.set_value();
                        released.wait();
                        answer({204, "", "", {}});
                      },
                      busy.respond());
  started.get_future().wait();
  api::post_answering(&lane, [](const api::Respond& answer) { answer({204, "", "", {}}); }, queued.respond());
  std::atomic<bool> ran{false};
  api::post_answering(&lane, [&ran](const api::Respond&) { ran = true; }, refused.respond());
  auto r = refused.wait();
  ASSERT_EQ(r.size(), 1u) << "answered at once, on the caller's thread";
  EXPECT_EQ(r[0].status, 503);
  bool retry_after = false;
  for (const auto& [k, v] : r[0].headers) retry_after = retry_after || (k == "Retry-After" && v == "1");
  EXPECT_TRUE(retry_after);
  release.set_value();
  lane.stop();
  EXPECT_FALSE(ran.load());
  EXPECT_EQ(busy.wait().at(0).status, 204);
  EXPECT_EQ(queued.wait().at(0).status, 204);

  Answers late;
  api::post_answering(&lane, [](const api::Respond& answer) { answer({204, "", "", {}}); }, late.respond());
  auto l = late.wait();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].status, 503) << "a stopped lane refuses, and says so";
}

TEST(SlowLaneAnswers, WithoutALaneTheJobRunsHereGuardedTheSameWay) {
  Answers answers;
  api::post_answering(nullptr, [](const api::Respond&) { throw std::runtime_error("boom"); }, answers.respond());
  auto a = answers.wait();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 500);
}

TEST(SlowLaneAnswers, AWriteCompletionThatThrowsIsAnswered500Once) {
  Answers failed, answered_then_threw;
  auto done = api::answer_after_commit(failed.respond(), [](std::exception_ptr, const api::Respond&) {
    throw std::runtime_error("the completion broke");
  });
  EXPECT_NO_THROW(done(nullptr)) << "the store's writer thread never sees it";
  auto a = failed.wait();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 500);
  EXPECT_EQ(a[0].body.find("the completion broke"), std::string::npos);

  auto twice = api::answer_after_commit(answered_then_threw.respond(), [](std::exception_ptr, const api::Respond& answer) {
    answer({201, "application/json", "{}", {}});
    throw std::runtime_error("after the answer");
  });
  twice(nullptr);
  auto b = answered_then_threw.all();
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].status, 201);
}

// Through the router, as a real request takes it: the router's access log and
// metrics see one answer, a 500, for a route whose slow-lane job threw.
TEST(SlowLaneAnswers, ARouteWhoseSlowJobThrowsAnswers500ThroughTheRouter) {
  api::Metrics metrics;
  api::Router router(metrics, [](std::string_view) -> std::optional<signalnode::node::auth::Principal> {
    return std::nullopt;
  });
  SlowLane lane(4);
  router.add("POST", "/slow", api::Access::open(), [&lane](api::RouteContext, api::Respond respond) {
    api::post_answering(&lane, [](const api::Respond&) { throw std::runtime_error("the PA broke"); }, std::move(respond));
  });
  router.add("GET", "/slow", api::Access::open(), [&lane](api::RouteContext, api::Respond respond) {
    api::post_answering(&lane, [](const api::Respond& answer) { answer({200, "text/plain", "ok", {}}); },
                        std::move(respond));
  });
  Answers thrown, after;
  api::HttpRequest post;
  post.method = "POST";
  post.path = "/slow";
  router.handle(std::move(post), thrown.respond());
  auto a = thrown.wait();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].status, 500);
  api::HttpRequest get;
  get.method = "GET";
  get.path = "/slow";
  router.handle(std::move(get), after.respond());
  auto b = after.wait();
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].status, 200);
  lane.stop();
  EXPECT_EQ(thrown.all().size(), 1u) << "exactly one answer";
}

// A draining stop (issue 18): the lane runs what it holds until the stop's
// deadline; a job not started by then is answered 503 "the node is stopping",
// and a request posted after the stop is answered the same at once.
TEST(SlowLane, AStopWithADeadlineAnswersUnstartedJobs503) {
  using signalnode::node::api::post_answering;
  using signalnode::node::http::HttpResponse;
  SlowLane lane(8);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  std::vector<int> statuses(3, 0);
  post_answering(&lane, [&started, released](const signalnode::node::api::Respond& r) {
    started.set_value();
    released.wait();
    r(HttpResponse{200, "application/json", "{}", {}});
  }, [&statuses](HttpResponse r) { statuses[0] = r.status; });
  started.get_future().wait();
  post_answering(&lane, [](const signalnode::node::api::Respond& r) { r(HttpResponse{201, "application/json", "{}", {}}); },
                 [&statuses](HttpResponse r) { statuses[1] = r.status; });
  std::thread stopper([&lane] { lane.stop(std::chrono::steady_clock::now()); });  // the deadline has passed
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  release.set_value();
  stopper.join();
  EXPECT_EQ(statuses[0], 200) << "the job under way finishes and is answered";
  EXPECT_EQ(statuses[1], 503) << "the job not started is answered 503";
  EXPECT_EQ(lane.dropped(), 1u);
  post_answering(&lane, [](const signalnode::node::api::Respond& r) { r(HttpResponse{201, "application/json", "{}", {}}); },
                 [&statuses](HttpResponse r) { statuses[2] = r.status; });
  EXPECT_EQ(statuses[2], 503);
}
