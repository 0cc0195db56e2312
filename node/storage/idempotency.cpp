#include "node/storage/idempotency.hpp"

#include <string_view>

namespace signalnode::node::storage {

void IdempotencyKeys::put(Database& db, const IdempotencyRecord& r) {
  db.cached(R"sql(
      INSERT OR REPLACE INTO idempotency_keys
        (principal, idem_key, fingerprint, status, content_type, headers, body, body_kept, created_at_ms)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9))sql")
      .bind(1, std::string_view(r.principal))
      .bind(2, std::string_view(r.key))
      .bind(3, std::string_view(r.fingerprint))
      .bind(4, static_cast<std::int64_t>(r.status))
      .bind(5, std::string_view(r.content_type))
      .bind(6, std::string_view(r.headers_json))
      .bind(7, std::string_view(r.body))
      .bind(8, static_cast<std::int64_t>(r.body_kept ? 1 : 0))
      .bind(9, r.created_at_ms)
      .run();
}

std::optional<IdempotencyRecord> IdempotencyKeys::find(Database& db, const std::string& principal,
                                                       const std::string& key, std::int64_t not_before_ms) {
  auto c = db.cached(R"sql(
      SELECT fingerprint, status, content_type, headers, body, body_kept, created_at_ms
        FROM idempotency_keys WHERE principal = ?1 AND idem_key = ?2 AND created_at_ms >= ?3)sql");
  c.bind(1, std::string_view(principal)).bind(2, std::string_view(key)).bind(3, not_before_ms);
  if (!c.step()) return std::nullopt;
  IdempotencyRecord r;
  r.principal = principal;
  r.key = key;
  r.fingerprint = c.text(0);
  r.status = static_cast<int>(c.int64(1));
  r.content_type = c.text(2);
  r.headers_json = c.text(3);
  r.body = c.text(4);
  r.body_kept = c.int64(5) != 0;
  r.created_at_ms = c.int64(6);
  return r;
}

std::int64_t IdempotencyKeys::forget_before(Database& db, std::int64_t cutoff_ms) {
  db.cached("DELETE FROM idempotency_keys WHERE created_at_ms < ?1").bind(1, cutoff_ms).run();
  return db.changes();
}

}  // namespace signalnode::node::storage
