#include "node/notify/notices.hpp"

namespace signalnode::node::notify {

std::string_view topic_role(Topic t) {
  switch (t) {
    case Topic::feedback_received:
    case Topic::signal_hit:
    case Topic::request_to_decide:
    case Topic::request_overdue: return "officer";
    case Topic::alert:
    case Topic::case_opened:
    case Topic::request_answered:
    case Topic::feedback_overdue: return "analyst";
    case Topic::log_unverified:
    case Topic::tree_head_mismatch:
    case Topic::records_rejected:
    case Topic::pa_budget_alarm: return "privacy_officer";
    case Topic::login_throttled:
    case Topic::certificate_expiring:
    case Topic::outbox_backlog:
    case Topic::configuration_refused: return "admin";
  }
  return "admin";
}

void Notices::raise(storage::Database& db, Topic topic, const Audience& to, std::string_view item, std::int64_t now_ms) {
  auto st = db.cached("INSERT INTO notices (topic, username, role, item, created_at_ms) VALUES (?,?,?,?,?)");
  st.bind(1, storage::to_sql(topic));
  if (to.username.empty()) {
    st.bind_null(2).bind(3, std::string_view(to.role));
  } else {
    st.bind(2, std::string_view(to.username)).bind_null(3);
  }
  st.bind(4, item.substr(0, 64)).bind(5, now_ms).run();
}

bool Notices::raise_once(storage::Database& db, Topic topic, const Audience& to, std::string_view key,
                         std::int64_t now_ms) {
  auto once = db.cached("INSERT OR IGNORE INTO notice_conditions (key, raised_at_ms) VALUES (?,?)");
  once.bind(1, key.substr(0, 128)).bind(2, now_ms).run();
  if (db.changes() == 0) return false;
  raise(db, topic, to, key, now_ms);
  return true;
}

}  // namespace signalnode::node::notify
