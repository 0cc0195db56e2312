#include "node/alerts/bundles.hpp"

#include <boost/json.hpp>

#include <set>
#include <vector>

#include "crypto/random.hpp"

namespace signalnode::node::alerts {
namespace json = boost::json;

int update_bundles_for(storage::Database& db, const std::string& inbox_id, std::int64_t now_ms, const BundleRule& rule) {
  struct Subject {
    std::string id_kind;
    std::vector<std::uint8_t> pseudonym;
  };
  std::vector<Subject> subjects;
  {
    auto& st = db.cached("SELECT id_kind, pseudonym FROM inbox_subjects WHERE inbox_id = ?");
    st.bind(1, std::string_view(inbox_id));
    while (st.step()) subjects.push_back({st.text(0), st.blob(1)});
    st.reset();
  }
  const std::int64_t since = now_ms - static_cast<std::int64_t>(rule.window_days) * 86'400'000;
  int changed = 0;
  auto& related = db.cached(
      "SELECT i.id, i.sender, i.category, i.received_at_ms FROM inbox_subjects s JOIN inbox i ON i.id = s.inbox_id "
      "WHERE s.pseudonym = ? AND i.received_at_ms >= ? ORDER BY i.received_at_ms");
  auto& upsert = db.cached(
      "INSERT INTO alerts (id, kind, id_kind, pseudonym, organisations, categories, records, first_seen_ms, "
      "last_seen_ms, updated_at_ms) VALUES (?, 'bundle', ?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(pseudonym, kind) DO UPDATE SET organisations = excluded.organisations, "
      "categories = excluded.categories, records = excluded.records, first_seen_ms = excluded.first_seen_ms, "
      "last_seen_ms = excluded.last_seen_ms, updated_at_ms = excluded.updated_at_ms");
  for (const auto& subject : subjects) {
    std::set<std::string> orgs, categories;
    json::array records;
    std::int64_t first = 0, last = 0;
    related.reset();
    related.bind_blob(1, subject.pseudonym).bind(2, since);
    while (related.step()) {
      records.push_back(json::value(related.text(0)));
      orgs.insert(related.text(1));
      categories.insert(related.text(2));
      if (first == 0) first = related.int64(3);
      last = related.int64(3);
    }
    related.reset();
    if (static_cast<int>(orgs.size()) < rule.min_organisations) continue;
    json::array org_list, category_list;
    for (const auto& o : orgs) org_list.push_back(json::value(o));
    for (const auto& c : categories) category_list.push_back(json::value(c));
    upsert.reset();
    upsert.bind(1, std::string_view(crypto::random_hex_id(16)))
        .bind(2, std::string_view(subject.id_kind))
        .bind_blob(3, subject.pseudonym)
        .bind(4, std::string_view(json::serialize(org_list)))
        .bind(5, std::string_view(json::serialize(category_list)))
        .bind(6, std::string_view(json::serialize(records)))
        .bind(7, first)
        .bind(8, last)
        .bind(9, now_ms)
        .run();
    ++changed;
  }
  return changed;
}

}  // namespace signalnode::node::alerts
