#include "node/sharing/inbox.hpp"

#include <boost/json.hpp>

#include <cstring>

namespace signalnode::node::sharing {

std::vector<std::string> team_hidden_rules(const policies::Policy& policy, const policies::Party& self,
                                           const std::string& team) {
  std::vector<std::string> hidden;
  const auto& rules = policy.rules();
  for (const auto& rule : rules) {
    const auto teams = policies::teams_addressed(rule, self);
    if (!teams.empty() && !teams.contains(team)) hidden.push_back(rule.id);
  }
  return hidden;
}

std::optional<std::string> Inbox::rule_of(const std::string& inbox_id) const {
  return store_.read([&](storage::Database& db) -> std::optional<std::string> {
    auto st = db.cached("SELECT rule_id FROM inbox WHERE id = ?");
    st.bind(1, std::string_view(inbox_id));
    if (st.step()) return st.text(0);
    return std::nullopt;
  });
}

std::vector<InboxItem> Inbox::list(const InboxQuery& query) const {
  const auto& limit = query.limit;
  const auto& before = query.before;
  const auto& category = query.category;
  const auto& source = query.source;
  return store_.read([&](storage::Database& db) {
    std::string sql =
        "SELECT id, sender, sender_role, category, observed_week, municipality, severity, persons, rule_id, "
        "policy_sha256, received_at_ms, expires_at_ms, feedback_status, feedback_reason, feedback_at_ms, answered_at_ms "
        "FROM inbox i WHERE 1=1";
    if (category) sql += " AND category = ?1";
    if (source) sql += " AND sender = ?2";
    if (before) sql += " AND (received_at_ms, id) < (SELECT received_at_ms, id FROM inbox WHERE id = ?3)";
    if (!query.hidden_rules.empty()) sql += " AND rule_id NOT IN (SELECT value FROM json_each(?5))";
    sql += " ORDER BY received_at_ms DESC, id DESC LIMIT ?4";
    auto st = db.cached(sql);
    if (category) st.bind(1, std::string_view(*category));
    if (source) st.bind(2, std::string_view(*source));
    if (before) st.bind(3, std::string_view(*before));
    st.bind(4, limit);
    std::string hidden;
    if (!query.hidden_rules.empty()) {
      boost::json::array ids;
      for (const auto& id : query.hidden_rules) ids.emplace_back(id);
      hidden = boost::json::serialize(ids);
      st.bind(5, std::string_view(hidden));
    }
    std::vector<InboxItem> out;
    while (st.step()) {
      InboxItem o;
      o.id = st.text(0);
      o.sender = st.text(1);
      o.sender_role = st.text(2);
      o.category = st.text(3);
      o.rule_id = st.text(8);
      o.policy_sha256 = st.text(9);
      o.received_at_ms = st.int64(10);
      o.expires_at_ms = st.int64(11);
      o.observed_week = st.text(4);
      o.municipality = st.text(5);
      o.severity = st.text(6);
      if (!st.is_null(7)) o.persons = st.int64(7);
      if (!st.is_null(12)) o.feedback = InboxFeedback{st.text(12), st.text(13), st.int64(14)};
      if (!st.is_null(15)) o.answered_at_ms = st.int64(15);
      out.push_back(std::move(o));
    }
    st.reset();
    auto subjects = db.cached("SELECT kind, id_kind, pseudonym FROM inbox_subjects WHERE inbox_id = ? ORDER BY position");
    for (auto& item : out) {
      subjects.reset();
      subjects.bind(1, std::string_view(item.id));
      while (subjects.step()) item.subjects.push_back({subjects.text(0), subjects.text(1), subjects.blob(2)});
      subjects.reset();
    }
    return out;
  });
}

std::int64_t Inbox::count_overdue(const policies::Policy& policy, std::int64_t now_ms) const {
  return store_.read([&](storage::Database& db) {
    std::int64_t count = 0;
    // One seek per rule with a period, through the partial index of
    // unanswered records (inbox_unanswered).
    auto st = db.cached(
        "SELECT count(*) FROM inbox WHERE rule_id = ? AND received_at_ms < ? AND answered_at_ms IS NULL");
    for (const auto& rule : policy.rules()) {
      if (!rule.feedback_period_days) continue;
      st.reset();
      st.bind(1, std::string_view(rule.id)).bind(2, now_ms - std::int64_t{*rule.feedback_period_days} * 86'400'000);
      if (st.step()) count += st.int64(0);
    }
    st.reset();
    return count;
  });
}

std::vector<std::string> Inbox::overdue_ids(const policies::Policy& policy, std::int64_t now_ms,
                                            std::size_t limit) const {
  return store_.read([&](storage::Database& db) {
    std::vector<std::string> ids;
    auto st = db.cached(
        "SELECT id FROM inbox WHERE rule_id = ? AND received_at_ms < ? AND answered_at_ms IS NULL LIMIT ?");
    for (const auto& rule : policy.rules()) {
      if (!rule.feedback_period_days || ids.size() >= limit) continue;
      st.reset();
      st.bind(1, std::string_view(rule.id))
          .bind(2, now_ms - std::int64_t{*rule.feedback_period_days} * 86'400'000)
          .bind(3, static_cast<std::int64_t>(limit - ids.size()));
      while (st.step()) ids.push_back(st.text(0));
    }
    st.reset();
    return ids;
  });
}

std::vector<alerts::Subject> Inbox::subjects_of(storage::Database& db, const std::string& inbox_id) {
  std::vector<alerts::Subject> out;
  auto st = db.cached("SELECT id_kind, pseudonym FROM inbox_subjects WHERE inbox_id = ? ORDER BY position");
  st.bind(1, std::string_view(inbox_id));
  while (st.step()) {
    alerts::Subject s;
    s.id_kind = st.text(0);
    auto blob = st.blob_view(1);
    if (blob.size() == s.pseudonym.size()) std::memcpy(s.pseudonym.data(), blob.data(), blob.size());
    out.push_back(std::move(s));
  }
  st.reset();
  return out;
}

}  // namespace signalnode::node::sharing
