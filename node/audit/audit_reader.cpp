#include "node/audit/audit_reader.hpp"

#include "node/audit/events.hpp"

#include "crypto/bytes.hpp"
#include "node/audit/audit_report.hpp"

namespace signalnode::node::audit {

std::vector<LoggedEvent> AuditReader::events(const EventFilter& filter) const {
  const auto& limit = filter.limit;
  const auto& before = filter.before;
  const auto& from_ms = filter.from_ms;
  const auto& to_ms = filter.to_ms;
  const auto& partner = filter.partner;
  const auto& name = filter.name;
  const auto& category = filter.category;
  return store_.read([&](storage::Database& db) {
    // Events whose content retention removed (leaf NULL) have nothing left to
    // show; `audit export` still lists them with their leaf hash.
    std::string sql = "SELECT idx, leaf FROM audit_events WHERE leaf IS NOT NULL";
    if (before) sql += " AND idx < ?1";
    if (from_ms) sql += " AND time_ms >= ?2";
    if (to_ms) sql += " AND time_ms < ?3";
    if (partner) sql += " AND partner = ?4";
    if (name) sql += " AND name = ?5";
    if (category) sql += " AND category = ?6";
    sql += " ORDER BY idx DESC LIMIT ?7";
    auto st = db.cached(sql);
    if (before) st.bind(1, *before);
    if (from_ms) st.bind(2, *from_ms);
    if (to_ms) st.bind(3, *to_ms);
    if (partner) st.bind(4, std::string_view(*partner));
    if (name) st.bind(5, std::string_view(*name));
    if (category) st.bind(6, std::string_view(*category));
    st.bind(7, limit);
    std::vector<LoggedEvent> out;
    while (st.step()) out.push_back({st.int64(0), std::string(crypto::as_chars(st.blob_view(1)))});
    st.reset();
    return out;
  });
}

std::vector<LoggedEvent> AuditReader::about_subject(std::span<const std::uint8_t> pseudonym) const {
  return store_.read([&](storage::Database& db) {
    auto st = db.cached(
        "SELECT e.idx, e.leaf FROM audit_subjects s JOIN audit_events e ON e.idx = s.idx WHERE s.pseudonym = ? "
        "AND e.leaf IS NOT NULL ORDER BY e.idx");
    st.bind_blob(1, pseudonym);
    std::vector<LoggedEvent> out;
    while (st.step()) out.push_back({st.int64(0), std::string(crypto::as_chars(st.blob_view(1)))});
    st.reset();
    return out;
  });
}

std::vector<ExchangeCount> AuditReader::exchanges_per_partner_month() const {
  return store_.read([](storage::Database& db) {
    std::vector<ExchangeCount> exchanges;
    auto st = db.cached(
        "SELECT partner, strftime('%Y-%m', time_ms / 1000, 'unixepoch') AS month, "
        "sum(name = ?1), sum(name = ?2) FROM audit_events "
        "WHERE name IN (?1, ?2) AND partner IS NOT NULL AND part = 0 GROUP BY partner, month ORDER BY month, partner");
    st.bind(1, events::kRecordSent.str()).bind(2, events::kRecordReceived.str());
    while (st.step()) exchanges.push_back({st.text(0), st.text(1), st.int64(2), st.int64(3)});
    st.reset();
    return exchanges;
  });
}

std::vector<crypto::Digest256> AuditReader::leaf_hashes(std::uint64_t limit) const {
  return store_.read([&](storage::Database& db) {
    std::vector<crypto::Digest256> out;
    auto st = db.prepare("SELECT leaf FROM audit_events WHERE idx < ? ORDER BY idx");
    st.bind(1, static_cast<std::int64_t>(limit));
    while (st.step()) out.push_back(crypto::merkle::leaf_hash(st.blob_view(0)));
    return out;
  });
}

void AuditReader::write_report_csv(std::ostream& out) const {
  store_.read([&](storage::Database& db) {
    audit::write_report_csv(db, out);
    return 0;
  });
}

}  // namespace signalnode::node::audit
