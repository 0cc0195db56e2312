#include "node/alerts/alerts.hpp"

#include <boost/json.hpp>

namespace signalnode::node::alerts {
namespace json = boost::json;

namespace {

constexpr const char* kColumns =
    "SELECT id, kind, id_kind, pseudonym, organisations, categories, records, first_seen_ms, last_seen_ms, "
    "updated_at_ms, signals FROM alerts ";

// A JSON array of strings, as the Matcher stores lists.
std::vector<std::string> strings(const std::string& text) {
  std::vector<std::string> out;
  json::value list = json::parse(text);
  for (const auto& v : list.as_array()) out.emplace_back(v.as_string());
  return out;
}

Alert read_alert(const storage::Cursor& st) {
  Alert a;
  a.id = st.text(0);
  a.kind = st.text(1);
  a.id_kind = st.text(2);
  a.pseudonym = st.blob(3);
  a.organisations = strings(st.text(4));
  a.categories = strings(st.text(5));
  a.records = strings(st.text(6));
  a.signals = strings(st.text(10));
  a.first_seen_ms = st.int64(7);
  a.last_seen_ms = st.int64(8);
  a.updated_at_ms = st.int64(9);
  return a;
}

}  // namespace

std::vector<Alert> Alerts::list(const AlertQuery& query) const {
  return store_.read([&](storage::Database& db) {
    auto st = db.cached(std::string(kColumns) +
                        "WHERE (?2 IS NULL OR kind = ?2) ORDER BY updated_at_ms DESC, id DESC LIMIT ?1");
    st.bind(1, query.limit);
    st.bind(2, query.kind);
    std::vector<Alert> out;
    while (st.step()) out.push_back(read_alert(st));
    st.reset();
    return out;
  });
}

std::optional<Alert> Alerts::find(storage::Database& db, const std::string& id) {
  auto st = db.cached(std::string(kColumns) + "WHERE id = ?");
  st.bind(1, std::string_view(id));
  std::optional<Alert> out;
  if (st.step()) out = read_alert(st);
  st.reset();
  return out;
}

}  // namespace signalnode::node::alerts
