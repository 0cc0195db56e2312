// The table `idempotency_keys`: what a state-changing API call answered, by the
// caller and the Idempotency-Key it sent, so that a retry gets the same answer
// instead of doing the work again (docs/api.md#idempotency-key). Its owner;
// node/api/idempotency.* decides when to look and what to keep, and a route
// that must be exactly once (POST /api/v1/signals) records its answer with
// `put` in the transaction of its own write.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "node/storage/sqlite.hpp"

namespace signalnode::node::storage {

struct IdempotencyRecord {
  std::string principal;    // who sent it (a token id, or user:<name>)
  std::string key;          // the Idempotency-Key, 1-64 of [A-Za-z0-9_-]
  std::string fingerprint;  // hex SHA-256 of method, path and body
  int status = 0;
  std::string content_type;
  std::string headers_json;  // the headers that matter (Location), a JSON object
  std::string body;          // empty when body_kept is false
  bool body_kept = true;     // false: the answer was too large to keep
  std::int64_t created_at_ms = 0;
};

class IdempotencyKeys {
 public:
  // Kept this long; older ones are no longer found and are deleted by `forget_before`.
  static constexpr std::int64_t kKeepMs = 24LL * 3600 * 1000;

  // In the caller's transaction; replaces an older record of the same key.
  static void put(Database& db, const IdempotencyRecord& record);
  // The record of (principal, key) made at or after `not_before_ms`.
  static std::optional<IdempotencyRecord> find(Database& db, const std::string& principal, const std::string& key,
                                               std::int64_t not_before_ms);
  // Deletes records made before cutoff_ms; how many.
  static std::int64_t forget_before(Database& db, std::int64_t cutoff_ms);
};

}  // namespace signalnode::node::storage
