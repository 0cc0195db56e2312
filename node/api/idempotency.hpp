// Idempotency-Key on the API's state-changing calls (POST, PUT, PATCH, DELETE;
// docs/api.md#idempotency-key). A client sends `Idempotency-Key: <1-64 of
// [A-Za-z0-9_-]>`; a retry with the same key, by the same caller, with the
// same method, path and body gets the first answer again, marked
// `Idempotent-Replayed: true`; the same key with another request is 422; a
// retry while the first is still being handled is 409 with Retry-After.
//
// Two strengths. A route that records its answer in the transaction of its
// own write (`IdempotencyClaim::record_in`; POST /api/v1/signals) is exactly
// once also across a crash between the commit and the answer. For every
// other route the answer is kept right after it is produced (a write of its
// own): a retry after a completed answer is replayed, but a crash between the
// route's commit and that write forgets the key.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "node/http/types.hpp"
#include "node/storage/idempotency.hpp"
#include "node/storage/store.hpp"

namespace signalnode::node::api {

class IdempotencyClaim;

class Idempotency {
 public:
  static constexpr std::size_t kMaxKeptBody = 64 * 1024;  // larger answers are kept without their body

  Idempotency(storage::Store& store, std::function<std::int64_t()> now_ms);

  struct Begin {
    std::optional<http::HttpResponse> answer;  // answer this now (a replay, 400, 409, 422)
    std::shared_ptr<IdempotencyClaim> claim;   // or go on holding this (nullptr: no key sent)
  };
  // For a state-changing request of `principal` (its token id or user:<name>).
  // Reads the database (a pooled read connection); never waits on a commit.
  Begin begin(const http::HttpRequest& request, const std::string& principal);

  // Deletes keys past 24 hours; a blocking write (the maintenance thread).
  std::int64_t forget_expired();

  // Keys being handled or being kept now (tests).
  std::size_t in_flight() const;

  static bool is_state_changing(std::string_view method) {
    return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
  }

  // What a key may keep for 24 hours: never a request that carries a secret
  // (a password's hash would be guessable offline), and never the answers
  // of routes that only read and answer with identifiers or pseudonyms (a
  // check, a preview, a lookup, subject access): retrying those is harmless,
  // and keeping them would store what they show.
  static bool may_keep(std::string_view path_template, bool secret_body) {
    return !secret_body && path_template != "/api/v1/signals/preview" && path_template != "/api/v1/subjects/check" &&
           path_template != "/api/v1/lookups" && path_template != "/api/v1/audit/subject-access";
  }

 private:
  friend class IdempotencyClaim;
  struct Entry {
    std::string fingerprint;
    std::optional<storage::IdempotencyRecord> done;  // answered, being written
  };
  void release(const std::string& map_key, const std::shared_ptr<Entry>& entry);

  storage::Store& store_;
  std::function<std::int64_t()> now_ms_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Entry>> entries_;  // by principal '\n' key
};

// One request's hold on its key, from the first look until its answer is kept.
class IdempotencyClaim {
 public:
  IdempotencyClaim(Idempotency& owner, std::string map_key, std::shared_ptr<Idempotency::Entry> entry,
                   storage::IdempotencyRecord record);
  ~IdempotencyClaim();  // a request never answered lets go of its key
  IdempotencyClaim(const IdempotencyClaim&) = delete;
  IdempotencyClaim& operator=(const IdempotencyClaim&) = delete;

  // For a route that must be exactly once: records `answer` as this key's
  // result in the caller's transaction (the one of the route's own write),
  // which must commit before `answer` is sent.
  void record_in(storage::Database& db, const http::HttpResponse& answer);
  // The router, with the answer, just before it goes out: keeps it (unless
  // record_in did, or it is not an answer to keep: 5xx, 408, 429).
  void finish(const http::HttpResponse& answer);

 private:
  Idempotency& owner_;
  std::string map_key_;
  std::shared_ptr<Idempotency::Entry> entry_;
  storage::IdempotencyRecord record_;
  std::atomic<bool> recorded_{false};
  std::atomic<bool> finished_{false};
};

}  // namespace signalnode::node::api
