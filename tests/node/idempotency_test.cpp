// Idempotency-Key (issue 18): a retry with the same key and request is
// answered from the first answer, marked Idempotent-Replayed; another request
// under the same key is 422; a retry while the first is handled is 409 with
// Retry-After; keys are per caller, bounded, kept 24 hours, and an answer
// recorded in the route's own transaction is found after a restart.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include "crypto/random.hpp"
#include "node/api/idempotency.hpp"
#include "node/storage/schema.hpp"
#include "node/storage/store.hpp"

namespace fs = std::filesystem;
using signalnode::node::api::Idempotency;
using signalnode::node::http::HttpRequest;
using signalnode::node::http::HttpResponse;
namespace storage = signalnode::node::storage;

namespace {

std::string header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

class IdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sn-idem-" + signalnode::crypto::random_hex_id(6));
    fs::create_directories(dir_);
    open();
  }
  void TearDown() override {
    idem_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  void open() {
    idem_.reset();
    store_.reset();
    store_ = std::make_unique<storage::Store>(dir_ / "node.db", storage::node_migrations());
    idem_ = std::make_unique<Idempotency>(*store_, [this] { return now_.load(); });
  }
  static HttpRequest post(const std::string& key, const std::string& body, const std::string& path = "/api/v1/signals") {
    HttpRequest r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    if (!key.empty()) r.headers.emplace_back("idempotency-key", key);
    return r;
  }
  // Waits until the answers kept after the fact are committed.
  void settle() {
    for (int i = 0; i < 500 && idem_->in_flight() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ASSERT_EQ(idem_->in_flight(), 0u);
  }

  fs::path dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Idempotency> idem_;
  std::atomic<std::int64_t> now_{1'800'000'000'000};
};

}  // namespace

TEST_F(IdempotencyTest, NoKeyNoClaim) {
  auto b = idem_->begin(post("", "{}"), "tok1");
  EXPECT_FALSE(b.answer);
  EXPECT_EQ(b.claim, nullptr);
}

TEST_F(IdempotencyTest, AMalformedKeyIs400NamingTheHeader) {
  for (std::string bad : {std::string(65, 'a'), std::string("a b"), std::string("é"), std::string("a/b")}) {
    auto b = idem_->begin(post(bad, "{}"), "tok1");
    ASSERT_TRUE(b.answer) << bad;
    EXPECT_EQ(b.answer->status, 400);
    EXPECT_NE(b.answer->body.find("Idempotency-Key"), std::string::npos);
  }
  EXPECT_FALSE(idem_->begin(post(std::string(64, 'a'), "{}"), "tok1").answer) << "64 characters are allowed";
}

TEST_F(IdempotencyTest, ARetryIsReplayedAnotherRequestIs422AndOneInFlightIs409) {
  auto first = idem_->begin(post("k-1", R"({"a":1})"), "tok1");
  ASSERT_FALSE(first.answer);
  ASSERT_TRUE(first.claim);

  auto busy = idem_->begin(post("k-1", R"({"a":1})"), "tok1");
  ASSERT_TRUE(busy.answer);
  EXPECT_EQ(busy.answer->status, 409);
  EXPECT_EQ(header(*busy.answer, "Retry-After"), "1");
  auto other = idem_->begin(post("k-1", R"({"a":2})"), "tok1");
  ASSERT_TRUE(other.answer);
  EXPECT_EQ(other.answer->status, 422);
  EXPECT_NE(other.answer->body.find("Idempotency-Key"), std::string::npos);

  HttpResponse created{201, "application/json", R"({"id":"abc"})", {{"Location", "/api/v1/signals/abc"}, {"Set-Cookie", "x=y"}}};
  first.claim->finish(created);
  // Answered from memory until its row is committed, then from the database.
  for (int round = 0; round < 2; ++round) {
    auto again = idem_->begin(post("k-1", R"({"a":1})"), "tok1");
    ASSERT_TRUE(again.answer);
    EXPECT_EQ(again.answer->status, 201);
    EXPECT_EQ(again.answer->body, R"({"id":"abc"})");
    EXPECT_EQ(header(*again.answer, "Location"), "/api/v1/signals/abc");
    EXPECT_EQ(header(*again.answer, "Idempotent-Replayed"), "true");
    EXPECT_EQ(header(*again.answer, "Set-Cookie"), "") << "cookies are never replayed";
    settle();
  }
  auto path = idem_->begin(post("k-1", R"({"a":1})", "/api/v1/other"), "tok1");
  ASSERT_TRUE(path.answer);
  EXPECT_EQ(path.answer->status, 422) << "another path under the same key";
  auto method = post("k-1", R"({"a":1})");
  method.method = "PUT";
  EXPECT_EQ(idem_->begin(method, "tok1").answer->status, 422) << "another method under the same key";

  auto someone_else = idem_->begin(post("k-1", R"({"a":1})"), "tok2");
  EXPECT_FALSE(someone_else.answer) << "keys are per caller";
  EXPECT_TRUE(someone_else.claim);
}

TEST_F(IdempotencyTest, ServerErrorsAndUnansweredRequestsAreNotKept) {
  {
    auto b = idem_->begin(post("k-2", "{}"), "tok1");
    b.claim->finish(HttpResponse{503, "application/problem+json", "{}", {{"Retry-After", "30"}}});
  }
  auto retry = idem_->begin(post("k-2", "{}"), "tok1");
  EXPECT_FALSE(retry.answer) << "a 503 is retried for real";
  retry.claim.reset();  // never answered (the node stopped): the key is free again
  EXPECT_EQ(idem_->in_flight(), 0u);
  EXPECT_FALSE(idem_->begin(post("k-2", "{}"), "tok1").answer);
}

TEST_F(IdempotencyTest, AnAnswerRecordedInTheRoutesTransactionSurvivesARestartAndKeysExpireAfter24Hours) {
  auto b = idem_->begin(post("k-3", "{}"), "tok1");
  HttpResponse created{201, "application/json", R"({"id":"s1"})", {{"Location", "/api/v1/signals/s1"}}};
  store_->write([&](storage::Database& db) { b.claim->record_in(db, created); });
  // The node dies before it answers (the claim is never finished).
  b.claim.reset();
  open();
  auto again = idem_->begin(post("k-3", "{}"), "tok1");
  ASSERT_TRUE(again.answer);
  EXPECT_EQ(again.answer->status, 201);
  EXPECT_EQ(again.answer->body, R"({"id":"s1"})");
  EXPECT_EQ(header(*again.answer, "Idempotent-Replayed"), "true");

  now_ += storage::IdempotencyKeys::kKeepMs + 1;
  EXPECT_EQ(idem_->forget_expired(), 1);
  auto later = idem_->begin(post("k-3", "{}"), "tok1");
  EXPECT_FALSE(later.answer) << "after 24 hours the key is new again";
}

TEST_F(IdempotencyTest, ALargeAnswerIsKeptWithoutItsBody) {
  auto b = idem_->begin(post("k-4", "{}"), "tok1");
  b.claim->finish(HttpResponse{200, "application/json", std::string(Idempotency::kMaxKeptBody + 1, 'x'), {}});
  settle();
  auto again = idem_->begin(post("k-4", "{}"), "tok1");
  ASSERT_TRUE(again.answer);
  EXPECT_EQ(again.answer->status, 409);
  EXPECT_EQ(header(*again.answer, "Idempotent-Replayed"), "true");
  EXPECT_LT(again.answer->body.size(), 4096u);
}

// Found in review: a key would keep a password's unsalted hash, or the
// identifiers a check or lookup answers with, for 24 hours and in backups.
TEST(IdempotencyScope, NoPasswordsAndNoAnswersThatHoldIdentifiersAreKept) {
  using signalnode::node::api::Idempotency;
  EXPECT_TRUE(Idempotency::may_keep("/api/v1/signals", false));
  EXPECT_TRUE(Idempotency::may_keep("/api/v1/signals/{id}/withdraw", false));
  EXPECT_FALSE(Idempotency::may_keep("/api/v1/users", true));
  EXPECT_FALSE(Idempotency::may_keep("/api/v1/session/password", true));
  for (const char* reads : {"/api/v1/signals/preview", "/api/v1/subjects/check", "/api/v1/lookups",
                            "/api/v1/audit/subject-access"}) {
    EXPECT_FALSE(Idempotency::may_keep(reads, false)) << reads;
  }
}
