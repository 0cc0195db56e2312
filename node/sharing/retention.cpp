// Storage limitation: received records leave at their rule's retention, own
// signals at the node's; each deletion re-evaluates the alerts it touched
// and is counted in the audit log. Found by index and deleted in short write
// jobs, never by reading everything stored (issue 19).
#include "node/sharing/retention.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "node/log/log.hpp"
#include "node/audit/audit_log.hpp"
#include "node/sharing/inbox.hpp"
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

void RetentionPace::took(std::size_t rows, std::chrono::steady_clock::duration time) {
  if (rows == 0) return;
  const double per_row = static_cast<double>(time.count()) / static_cast<double>(rows);
  const double fit = per_row > 0 ? static_cast<double>(std::chrono::steady_clock::duration(kJobBudget).count()) / per_row
                                 : static_cast<double>(kMaxRows);
  rows_ = std::clamp<std::size_t>(static_cast<std::size_t>(fit), 1, kMaxRows);
}

// Each job takes the next records past their retention from the index on
// expires_at_ms (none: one index seek, whatever the inbox holds), deletes
// them with their subjects, refreshes the alerts those subjects were part of
// and counts them in the audit log, and commits; the next job follows, so
// every other write waits for one job at most. Within a job the records go
// in groups of kGroup (subjects shared within a group refreshed once), and
// the job stops after the group that passes its time budget: how long a
// subject's refresh takes varies with what is stored about it.
std::int64_t Retention::expire_received() {
  constexpr std::size_t kGroup = 8;
  const std::int64_t now = ctx_.now_ms();
  std::int64_t expired = 0;
  RetentionPace pace;
  for (;;) {
    const std::size_t limit = pace.rows();
    std::size_t deleted = 0, due_count = 0;
    std::chrono::steady_clock::duration took{};
    ctx_.store.write([&](storage::Database& db) {
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<std::string> ids;
      {
        auto due = db.cached("SELECT id FROM inbox WHERE expires_at_ms <= ? ORDER BY expires_at_ms LIMIT ?");
        due.bind(1, now).bind(2, static_cast<std::int64_t>(limit));
        while (due.step()) ids.push_back(due.text(0));
      }
      due_count = ids.size();
      if (ids.empty()) return;
      auto remove = db.cached("DELETE FROM inbox WHERE id = ?");  // subjects cascade
      std::size_t done = 0;
      while (done < ids.size() && (done == 0 || std::chrono::steady_clock::now() - t0 < RetentionPace::kJobBudget)) {
        std::vector<alerts::Subject> subjects;
        const std::size_t end = std::min(ids.size(), done + kGroup);
        for (; done < end; ++done) {
          auto s = Inbox::subjects_of(db, ids[done]);
          subjects.insert(subjects.end(), s.begin(), s.end());
          remove.reset();
          remove.bind(1, std::string_view(ids[done])).run();
        }
        ctx_.refresh_alerts(db, std::move(subjects), now);
      }
      audit::Event e;
      e.name = audit::events::kRecordExpired;
      e.start_ms = e.end_ms = now;
      e.attributes = {{"count", static_cast<std::int64_t>(done)}, {"reason", "retention of the sharing rule reached"}};
      audit::AuditLog::append(db, e);
      deleted = done;
      took = std::chrono::steady_clock::now() - t0;
    });
    expired += static_cast<std::int64_t>(deleted);
    if (due_count < limit && deleted == due_count) break;  // nothing more is due
    pace.took(deleted, took);
  }
  if (expired > 0) log::info("inbox.expired", {{"records", expired}});
  return expired;
}

// Own signals past signals.retentionDays, oldest first, in jobs paced like
// expire_received's: each deletes its signals (subjects, links, outbox and
// feedback cascade), the cached pseudonyms and queued identifiers only they
// linked to, refreshes their alerts and counts them in the audit log.
std::int64_t Retention::expire_own(int retention_days) {
  const std::int64_t now = ctx_.now_ms();
  const std::int64_t cutoff = now - static_cast<std::int64_t>(retention_days) * detail::kDayMs;
  std::int64_t expired = 0;
  RetentionPace pace;
  for (;;) {
    const std::size_t limit = pace.rows();
    std::size_t deleted = 0;
    std::chrono::steady_clock::duration took{};
    ctx_.store.write([&](storage::Database& db) {
      const auto t0 = std::chrono::steady_clock::now();
      std::vector<std::string> ids = signals::SignalRepository::created_before(db, cutoff, limit);
      if (ids.empty()) return;
      std::vector<alerts::Subject> subjects;
      std::vector<std::vector<std::uint8_t>> keys;
      for (const auto& id : ids) {
        auto s = ctx_.own_subjects(db, id);
        subjects.insert(subjects.end(), s.begin(), s.end());
        auto k = pseudonyms::Pseudonymiser::lookup_keys_of(db, id);
        keys.insert(keys.end(), k.begin(), k.end());
        signals::SignalRepository::remove(db, id);  // subjects, identifiers, outbox, feedback cascade
      }
      pseudonyms::Pseudonymiser::forget_unreferenced(db, keys);
      ctx_.refresh_alerts(db, std::move(subjects), now);
      audit::Event e;
      e.name = audit::events::kSignalExpired;
      e.start_ms = e.end_ms = now;
      e.attributes = {{"count", static_cast<std::int64_t>(ids.size())}, {"retentionDays", retention_days},
                      {"reason", "retention of own signals reached (node setting signals.retentionDays)"}};
      audit::AuditLog::append(db, e);
      deleted = ids.size();
      took = std::chrono::steady_clock::now() - t0;
    });
    expired += static_cast<std::int64_t>(deleted);
    if (deleted < limit) break;
    pace.took(deleted, took);
  }
  if (expired > 0) log::info("signals.expired", {{"signals", expired}});
  return expired;
}

}  // namespace signalnode::node::sharing
