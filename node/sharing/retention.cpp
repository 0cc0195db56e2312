// Storage limitation: received records leave at their rule's retention, own
// signals at the node's; each deletion re-evaluates the alerts it touched
// and is counted in the audit log.
#include "node/sharing/retention.hpp"

#include <boost/json.hpp>

#include <cstring>

#include "node/log/log.hpp"
#include "node/audit/audit_log.hpp"
#include "node/sharing/records.hpp"
#include "node/signals/signal_repository.hpp"

namespace signalnode::node::sharing {
namespace json = boost::json;

void Retention::remember_recorded_time() {
  recorded_ms_.store(ctx_.store.read([&](storage::Database& db) {
    // The newest time this node itself wrote down: a signed tree head, a
    // received record, an own signal (a tree head may lag its last events).
    auto st = db.cached(
        "SELECT max(coalesce((SELECT max(timestamp_ms) FROM audit_tree_heads), 0), "
        "coalesce((SELECT max(received_at_ms) FROM inbox), 0), coalesce((SELECT max(created_at_ms) FROM signals), 0))");
    std::int64_t v = st.step() && !st.is_null(0) ? st.int64(0) : 0;
    st.reset();
    return v;
  }));
}

void Retention::trust(std::int64_t now) {
  std::int64_t seen = recorded_ms_.load();
  while (now > seen && !recorded_ms_.compare_exchange_weak(seen, now)) {
  }
}

ClockCheck Retention::check_clock(std::int64_t now) const {
  const std::int64_t newest = recorded_ms_.load();
  if (newest == 0 || now - newest <= kMaxClockGapMs) return {};
  const std::int64_t witnessed = ctx_.witnessed_ms.load();
  if (witnessed != 0 && now - witnessed <= detail::kDayMs && witnessed - now <= detail::kDayMs) return {};
  const auto days = (now - newest) / detail::kDayMs;
  return {false, "the clock is " + std::to_string(days) +
                     " days past the newest signed tree head and no partner's clock has confirmed it since start; "
                     "nothing deleted until one does"};
}

std::int64_t Retention::expire_received() {
  const std::int64_t now = ctx_.now_ms();
  std::int64_t expired = 0;
  ctx_.store.write([&](storage::Database& db) {
    std::vector<alerts::Subject> subjects;
    {
      auto st = db.cached(
          "SELECT s.id_kind, s.pseudonym FROM inbox i JOIN inbox_subjects s ON s.inbox_id = i.id WHERE i.expires_at_ms <= ?");
      st.bind(1, now);
      while (st.step()) {
        alerts::Subject s;
        s.id_kind = st.text(0);
        auto blob = st.blob_view(1);
        if (blob.size() == s.pseudonym.size()) std::memcpy(s.pseudonym.data(), blob.data(), blob.size());
        subjects.push_back(std::move(s));
      }
      st.reset();
    }
    db.cached("DELETE FROM inbox WHERE expires_at_ms <= ?").bind(1, now).run();  // subjects cascade
    expired = db.changes();
    if (expired > 0) {
      ctx_.refresh_alerts(db, std::move(subjects), now);
      audit::Event e;
      e.name = audit::events::kRecordExpired;
      e.start_ms = e.end_ms = now;
      e.attributes = {{"count", expired}, {"reason", "retention of the sharing rule reached"}};
      audit::AuditLog::append(db, e);
    }
  });
  if (expired > 0) log::info("inbox.expired", {{"records", expired}});
  return expired;
}

std::int64_t Retention::expire_own(int retention_days) {
  const std::int64_t now = ctx_.now_ms();
  const std::int64_t cutoff = now - static_cast<std::int64_t>(retention_days) * detail::kDayMs;
  std::int64_t expired = 0;
  ctx_.store.write([&](storage::Database& db) {
    std::vector<std::string> ids = signals::SignalRepository::created_before(db, cutoff);
    if (ids.empty()) return;
    std::vector<alerts::Subject> subjects;
    for (const auto& id : ids) {
      auto s = ctx_.own_subjects(db, id);
      subjects.insert(subjects.end(), s.begin(), s.end());
      signals::SignalRepository::remove(db, id);  // subjects, identifiers, outbox, feedback cascade
    }
    // Cached pseudonyms and queued identifiers no signal refers to any more.
    pseudonyms::Pseudonymiser::forget_unreferenced(db);
    ctx_.refresh_alerts(db, std::move(subjects), now);
    expired = static_cast<std::int64_t>(ids.size());
    audit::Event e;
    e.name = audit::events::kSignalExpired;
    e.start_ms = e.end_ms = now;
    e.attributes = {{"count", expired}, {"retentionDays", retention_days},
                    {"reason", "retention of own signals reached (node setting signals.retentionDays)"}};
    audit::AuditLog::append(db, e);
  });
  if (expired > 0) log::info("signals.expired", {{"signals", expired}});
  return expired;
}

}  // namespace signalnode::node::sharing
