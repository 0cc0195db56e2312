#include "node/cases/lookups.hpp"

#include <boost/json.hpp>

#include <ctime>
#include <optional>

#include "crypto/bytes.hpp"
#include "node/alerts/alerts.hpp"
#include "node/audit/audit_log.hpp"
#include "node/cases/cases.hpp"
#include "node/cases/component.hpp"
#include "node/log/log.hpp"
#include "node/signals/signal_json.hpp"
#include "protocol/utf8.hpp"

namespace signalnode::node::cases {
namespace json = boost::json;

std::int64_t seconds_to_local_midnight(std::int64_t epoch_ms) {
  std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  tm.tm_hour = 0;
  tm.tm_min = 0;
  tm.tm_sec = 0;
  tm.tm_mday += 1;
  tm.tm_isdst = -1;
  std::time_t midnight = std::mktime(&tm);
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(midnight - t));
}

bool Lookups::is_purpose(std::string_view purpose) {
  if (!protocol::is_valid_utf8(purpose)) return false;
  std::size_t chars = 0;
  for (char ch : purpose) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return false;
    if ((c & 0xC0) != 0x80) ++chars;  // count code points, not bytes
  }
  return chars >= kMinPurposeChars && chars <= kMaxPurposeChars;
}

namespace {

std::int64_t used_today(storage::Database& db, const std::string& by, const std::string& day) {
  auto st = db.cached("SELECT used FROM lookup_budget WHERE username = ? AND day = ?");
  st.bind(1, std::string_view(by)).bind(2, std::string_view(day));
  return st.step() ? st.int64(0) : 0;
}

void audit_refused(storage::Database& db, const std::string& id_kind, const std::string& by, std::string_view reason,
                   std::int64_t now) {
  audit::Event e;
  e.name = audit::events::kLookupRefused;
  e.status = "rejected";
  e.start_ms = e.end_ms = now;
  e.attributes = {{"idKind", id_kind}, {"by", by}, {"reason", reason}};
  audit::AuditLog::append(db, e);
}

json::array strings(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& v : values) out.push_back(json::value(v));
  return out;
}

}  // namespace

void Lookups::refuse(const std::string& id_kind, const std::string& by, std::string_view reason) {
  store_.write([&](storage::Database& db) { audit_refused(db, id_kind, by, reason, now_ms_()); });
}

LookupResult Lookups::perform(const protocol::CanonicalId& id, const std::string& id_kind, const std::string& purpose,
                              const std::string& by, pseudonyms::OprfTransport& transport) {
  LookupResult out;
  const std::int64_t limit = per_day_;
  // Over budget, nothing is pseudonymised (the PA is not even asked).
  {
    const std::string day = local_date(now_ms_());
    if (store_.read([&](storage::Database& db) { return used_today(db, by, day); }) >= limit) {
      refuse(id_kind, by, "budget");
      out.kind = LookupResult::Kind::over_budget;
      return out;
    }
  }
  crypto::oprf::Output pseudonym{};
  try {
    // Not cached: a lookup leaves no lasting trace of which identifier was asked.
    pseudonym = pseudonymiser_.pseudonymise_in(id, {pseudonymiser_.own_domain()}, transport).at(0);
  } catch (const std::exception& e) {
    log::warn("lookup.pa_unavailable", {{"error", e.what()}});
    out.kind = LookupResult::Kind::pa_unavailable;
    return out;
  }
  const std::string hex = crypto::to_hex(pseudonym);
  store_.write([&](storage::Database& db) {
    out = LookupResult{};
    const std::int64_t now = now_ms_();
    const std::string day = local_date(now);
    const std::int64_t used = used_today(db, by, day);
    if (used >= limit) {  // another lookup of the same user took the last one meanwhile
      audit_refused(db, id_kind, by, "budget", now);
      out.kind = LookupResult::Kind::over_budget;
      return;
    }
    db.cached(
          "INSERT INTO lookup_budget (username, day, used) VALUES (?, ?, 1) "
          "ON CONFLICT (username, day) DO UPDATE SET used = used + 1")
        .bind(1, std::string_view(by))
        .bind(2, std::string_view(day))
        .run();
    // Yesterday's counts mean nothing any more.
    db.cached("DELETE FROM lookup_budget WHERE day < ?").bind(1, std::string_view(day)).run();
    out.remaining = limit - used - 1;

    auto record = db.cached("SELECT sender, sender_role, category, observed_week, received_at_ms FROM inbox WHERE id = ?");
    for (const auto& ref : received_about(db, pseudonym, kLookupSenders, kLookupRecordsPerSender, &out.truncated)) {
      record.reset();
      record.bind(1, std::string_view(ref.inbox_id));
      if (!record.step()) continue;
      json::object o{{"type", "record"},
                     {"id", ref.inbox_id},
                     {"source", json::object{{"org", record.text(0)}, {"role", record.text(1)}}},
                     {"category", record.text(2)}};
      o["week"] = record.is_null(3) || record.text(3).empty() ? json::value(nullptr) : json::value(record.text(3));
      o["receivedAt"] = signals::iso8601_utc(record.int64(4));
      out.items.push_back(std::move(o));
    }
    record.reset();
    std::vector<std::string> alert_ids;
    {
      auto st = db.cached("SELECT id FROM alerts WHERE pseudonym = ? ORDER BY kind");
      st.bind_blob(1, pseudonym);
      while (st.step()) alert_ids.push_back(st.text(0));
    }
    for (const auto& alert_id : alert_ids) {
      auto a = alerts::Alerts::find(db, alert_id);
      if (!a) continue;
      out.items.push_back(json::object{{"type", "alert"},
                                       {"id", a->id},
                                       {"kind", a->kind},
                                       {"organisations", strings(a->organisations)},
                                       {"categories", strings(a->categories)}});
    }
    audit::Event e;
    e.name = audit::events::kLookupPerformed;
    e.start_ms = e.end_ms = now;
    e.attributes = {{"idKind", id_kind},
                    {"purpose", purpose},
                    {"by", by},
                    {"found", static_cast<std::int64_t>(out.items.size())}};
    e.data_subjects = {hex};
    audit::AuditLog::append(db, e);
  });
  return out;
}

}  // namespace signalnode::node::cases
