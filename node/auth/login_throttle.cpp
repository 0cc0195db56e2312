#include "node/auth/login_throttle.hpp"

#include <algorithm>

namespace signalnode::node::auth {

std::int64_t throttle_delay_ms(const ThrottleRule& rule, std::int64_t failures) {
  if (failures < rule.free_failures) return 0;
  const std::int64_t doublings = std::min<std::int64_t>(failures - rule.free_failures, 30);
  const std::int64_t delay = rule.first_delay_ms << doublings;
  return std::min(delay, rule.max_delay_ms);
}

// Names are bounded as the audit log bounds them: a 10 KB "username" costs a
// 64-byte key.
std::string account_key(std::string_view username) { return "user:" + std::string(username.substr(0, 64)); }
std::string address_key(std::string_view client) { return "addr:" + std::string(client.substr(0, 64)); }

ThrottleState throttle_state(storage::Database& db, const std::string& key, std::int64_t now_ms) {
  auto st = db.cached("SELECT failures, wait_until_ms FROM login_throttle WHERE key = ? AND last_failure_ms >= ?");
  st.bind(1, std::string_view(key)).bind(2, now_ms - kThrottleMemoryMs);
  ThrottleState s;
  if (st.step()) s = {st.int64(0), st.int64(1)};
  return s;
}

ThrottleState count_failure(storage::Database& db, const std::string& key, const ThrottleRule& rule,
                            std::int64_t now_ms) {
  ThrottleState s = throttle_state(db, key, now_ms);
  s.failures += 1;
  s.wait_until_ms = now_ms + throttle_delay_ms(rule, s.failures);
  db.cached("INSERT INTO login_throttle (key, failures, last_failure_ms, wait_until_ms) VALUES (?1, ?2, ?3, ?4) "
            "ON CONFLICT(key) DO UPDATE SET failures = ?2, last_failure_ms = ?3, wait_until_ms = ?4")
      .bind(1, std::string_view(key))
      .bind(2, s.failures)
      .bind(3, now_ms)
      .bind(4, s.wait_until_ms)
      .run();
  return s;
}

bool clear_throttle(storage::Database& db, const std::string& key) {
  db.cached("DELETE FROM login_throttle WHERE key = ?").bind(1, std::string_view(key)).run();
  return db.changes() > 0;
}

void forget_old_throttles(storage::Database& db, std::int64_t now_ms) {
  db.cached("DELETE FROM login_throttle WHERE key IN (SELECT key FROM login_throttle WHERE last_failure_ms < ? "
            "ORDER BY last_failure_ms LIMIT 100)")
      .bind(1, now_ms - kThrottleMemoryMs)
      .run();
}

}  // namespace signalnode::node::auth
