#include "node/audit/ldv_reader.hpp"

#include <boost/json.hpp>

#include "crypto/bytes.hpp"

namespace signalnode::node::audit {
namespace json = boost::json;

namespace {

// LDV status_code: OK, ERROR or UNSET; the log's own status stays in
// attributes as it was (a refusal is a processing that did not happen).
std::string_view ldv_status(std::string_view status) {
  if (status == "ok") return "Ok";
  if (status.empty()) return "Unset";
  return "Error";
}

}  // namespace

json::object to_processing_activity(const json::object& e, std::int64_t index, const json::object& resource) {
  auto str = [&](std::string_view key) -> json::value {
    const auto* v = e.if_contains(key);
    return v ? *v : json::value(nullptr);
  };
  json::object out{{"traceId", str("traceId")},
                   {"spanId", str("spanId")},
                   {"status", ldv_status(e.contains("status") && e.at("status").is_string()
                                             ? std::string_view(e.at("status").get_string())
                                             : std::string_view())},
                   {"name", str("name")},
                   {"startTime", str("startTimeMs")},
                   {"endTime", str("endTimeMs")}};
  if (e.contains("parentSpanId")) out["parentSpanId"] = e.at("parentSpanId");
  if (e.contains("foreignOperation")) out["foreignOperation"] = e.at("foreignOperation");
  out["resource"] = json::object{{"attributes", resource}};
  json::object attributes = e.contains("attributes") && e.at("attributes").is_object() ? e.at("attributes").get_object()
                                                                                      : json::object{};
  attributes["signalnode.status"] = str("status");
  attributes["signalnode.index"] = index;  // its leaf in the signed Merkle tree (audit prove --index)
  out["attributes"] = std::move(attributes);
  return out;
}

json::object LdvReader::find(const LdvQuery& q) const {
  json::object resource{{"service.name", "signalnode"}, {"service.version", resource_.version}, {"signalnode.org", resource_.org}};
  if (!resource_.oin.empty()) resource["signalnode.entity"] = "urn:oin:" + resource_.oin;
  std::string sql = "SELECT e.idx, e.leaf FROM audit_events e";
  if (q.data_subject) sql += " JOIN audit_subjects s ON s.idx = e.idx AND s.pseudonym = ?1";
  sql += " WHERE e.leaf IS NOT NULL";
  if (q.trace_id) sql += " AND e.trace_id = ?2";
  if (q.activity_uri) sql += " AND e.activity = ?3";
  if (q.end_ms) sql += " AND e.time_ms <= ?4";
  // A record ends no earlier than it starts: its end time selects by index
  // before its start time is read from the leaf.
  if (q.start_ms) sql += " AND e.time_ms >= ?6";
  sql += " ORDER BY e.idx LIMIT ?5";
  json::array records;
  bool truncated = false;
  store_.read([&](storage::Database& db) {
    auto st = db.cached(sql);
    if (q.data_subject) st.bind_blob(1, *crypto::from_hex(*q.data_subject));
    if (q.trace_id) st.bind(2, std::string_view(*q.trace_id));
    if (q.activity_uri) st.bind(3, std::string_view(*q.activity_uri));
    if (q.end_ms) st.bind(4, *q.end_ms);
    if (q.start_ms) st.bind(6, *q.start_ms);
    // Start times are read from the leaves: the matches are bounded by the
    // selectors, and at most a few more rows than the answer holds are read.
    const std::int64_t limit = q.start_ms ? kMaxLdvRecords * 20 : kMaxLdvRecords + 1;
    st.bind(5, limit);
    std::int64_t rows = 0;
    while (st.step()) {
      ++rows;
      json::value parsed = json::parse(crypto::as_chars(st.blob_view(1)));
      if (!parsed.is_object()) continue;
      const auto& e = parsed.get_object();
      if (q.start_ms) {
        const auto* start = e.if_contains("startTimeMs");
        if (!start || !start->is_int64() || start->get_int64() < *q.start_ms) continue;
      }
      if (static_cast<std::int64_t>(records.size()) == kMaxLdvRecords) {
        truncated = true;
        break;
      }
      records.push_back(to_processing_activity(e, st.int64(0), resource));
    }
    // Rows left unread may hold more: never an incomplete answer that says it is whole.
    if (rows == limit) truncated = true;
    st.reset();
    return 0;
  });
  return json::object{{"processingActivities", std::move(records)}, {"truncated", truncated}};
}

}  // namespace signalnode::node::audit
