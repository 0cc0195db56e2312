#include "node/auth/login_throttle.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace signalnode::node::auth {

namespace {
// Names are bounded as the audit log bounds them: a 10 KB "username" costs a
// 64-byte key.
std::string bounded(std::string_view s) { return std::string(s.substr(0, 64)); }
std::string name_prefix(std::string_view username) { return "user:" + bounded(username); }
}  // namespace

std::int64_t throttle_delay_ms(const ThrottleRule& rule, std::int64_t failures) {
  if (failures < rule.free_failures) return 0;
  const std::int64_t doublings = std::min<std::int64_t>(failures - rule.free_failures, 30);
  const std::int64_t delay = rule.first_delay_ms << doublings;
  return std::min(delay, rule.max_delay_ms);
}

std::string normalised_client(std::string_view client) {
  std::string text(client.substr(0, 64));
  in6_addr v6{};
  if (::inet_pton(AF_INET6, text.c_str(), &v6) != 1) return text;
  char out[INET6_ADDRSTRLEN] = {};
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    in_addr v4{};
    std::memcpy(&v4, v6.s6_addr + 12, 4);
    return ::inet_ntop(AF_INET, &v4, out, sizeof out) ? std::string(out) : text;
  }
  std::memset(v6.s6_addr + 8, 0, 8);
  return ::inet_ntop(AF_INET6, &v6, out, sizeof out) ? std::string(out) + "/64" : text;
}

std::string address_key(std::string_view client) { return "addr:" + normalised_client(client); }

std::string name_key(storage::Database& db, std::string_view username, std::string_view client, std::int64_t now_ms) {
  const std::string address = normalised_client(client);
  const std::string name = bounded(username);
  auto st = db.cached("SELECT 1 FROM login_known_clients WHERE username = ? AND client = ? AND last_success_ms >= ?");
  st.bind(1, std::string_view(name)).bind(2, std::string_view(address)).bind(3, now_ms - kKnownClientMs);
  if (!address.empty() && st.step()) return name_prefix(username) + "@" + address;
  return name_prefix(username);
}

ThrottleState throttle_state(storage::Database& db, const std::string& key, const ThrottleRule& rule,
                             std::int64_t now_ms) {
  auto st = db.cached("SELECT failures, wait_until_ms FROM login_throttle WHERE key = ? AND last_failure_ms >= ?");
  st.bind(1, std::string_view(key)).bind(2, now_ms - rule.memory_ms);
  ThrottleState s;
  if (st.step()) s = {st.int64(0), st.int64(1)};
  return s;
}

ThrottleState count_failure(storage::Database& db, const std::string& key, const ThrottleRule& rule,
                            std::int64_t now_ms) {
  ThrottleState s = throttle_state(db, key, rule, now_ms);
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

void remember_client(storage::Database& db, std::string_view username, std::string_view client, std::int64_t now_ms) {
  const std::string address = normalised_client(client);
  if (address.empty()) return;
  const std::string name = bounded(username);
  const std::string at_address = name_prefix(username) + "@" + address;
  db.cached("INSERT INTO login_known_clients (username, client, last_success_ms) VALUES (?1, ?2, ?3) "
            "ON CONFLICT(username, client) DO UPDATE SET last_success_ms = ?3")
      .bind(1, std::string_view(name))
      .bind(2, std::string_view(address))
      .bind(3, now_ms)
      .run();
  db.cached("DELETE FROM login_throttle WHERE key = ?").bind(1, std::string_view(at_address)).run();
}

bool clear_name(storage::Database& db, std::string_view username) {
  const std::string prefix = name_prefix(username);
  const std::string at_any = prefix + "@";
  db.cached("DELETE FROM login_throttle WHERE key = ?1 OR substr(key, 1, length(?2)) = ?2")
      .bind(1, std::string_view(prefix))
      .bind(2, std::string_view(at_any))
      .run();
  return db.changes() > 0;
}

bool clear_address(storage::Database& db, std::string_view client) {
  const std::string key = address_key(client);
  db.cached("DELETE FROM login_throttle WHERE key = ?").bind(1, std::string_view(key)).run();
  return db.changes() > 0;
}

std::int64_t name_wait_until(storage::Database& db, std::string_view username, std::int64_t now_ms) {
  const std::string prefix = name_prefix(username);
  const std::string at_any = prefix + "@";
  auto st = db.cached(
      "SELECT max(wait_until_ms) FROM login_throttle WHERE (key = ?1 OR substr(key, 1, length(?2)) = ?2) "
      "AND last_failure_ms >= ?3");
  st.bind(1, std::string_view(prefix)).bind(2, std::string_view(at_any)).bind(3, now_ms - kAccountRule.memory_ms);
  if (!st.step() || st.is_null(0) || st.int64(0) <= now_ms) return 0;
  return st.int64(0);
}

void forget_old_throttles(storage::Database& db, std::int64_t now_ms) {
  const std::int64_t longest = std::max(kAccountRule.memory_ms, kAddressRule.memory_ms);
  db.cached("DELETE FROM login_throttle WHERE key IN (SELECT key FROM login_throttle WHERE last_failure_ms < ? "
            "ORDER BY last_failure_ms LIMIT 100)")
      .bind(1, now_ms - longest)
      .run();
  db.cached("DELETE FROM login_known_clients WHERE rowid IN (SELECT rowid FROM login_known_clients "
            "WHERE last_success_ms < ? LIMIT 100)")
      .bind(1, now_ms - kKnownClientMs)
      .run();
}

}  // namespace signalnode::node::auth
