// The sender's side of sharing: the covenant's decision per signal and
// partner, the records queued in the outbox in the same transaction, and
// where each record stands, as the officer sees it.
#include "node/sharing/outbox.hpp"

#include <boost/json.hpp>

#include <cstring>

#include "crypto/keyed_hash.hpp"
#include "crypto/sha256.hpp"
#include "node/audit/audit_log.hpp"
#include "node/sharing/feedback_state.hpp"
#include "node/sharing/outbox_state.hpp"
#include "node/sharing/records.hpp"
#include "node/signals/signal_state.hpp"
#include "node/signals/signal_repository.hpp"
#include "policies/projection.hpp"

namespace signalnode::node::sharing {
namespace wire = protocol::wire;
namespace json = boost::json;

using detail::day_of;
using detail::kDayMs;
using signals::ShareState;
using signals::SignalStatus;
using storage::sql;
using storage::sql_list;
using wire::RecordKind;

void Outbox::recover() {
  ctx_.store.write([](storage::Database& db) {
    static const std::string requeue =
        sql("UPDATE outbox SET state = ", OutboxState::queued, " WHERE state = ", OutboxState::sending, " RETURNING record_id");
    auto st = db.cached(requeue);
    std::vector<std::string> back;
    while (st.step()) back.push_back(st.text(0));
    st.reset();
    for (const auto& id : back) detail::cancel_if_withdrawn_in_flight(db, id);
  });
}

namespace {
// The signal's facts as they travel to one partner: each identifier's
// pseudonym in that partner's domain; one without is left out.
policies::SignalFacts in_partner_domain(
    const policies::SignalFacts& own,
    const std::map<std::pair<std::int64_t, std::string>, crypto::oprf::Output>& theirs) {
  policies::SignalFacts out = own;
  out.identifiers.clear();
  for (auto id : own.identifiers) {
    auto p = theirs.find({static_cast<std::int64_t>(id.subject), id.id_kind});
    if (p == theirs.end()) continue;
    std::memcpy(id.pseudonym.data(), p->second.data(), id.pseudonym.size());
    out.identifiers.push_back(std::move(id));
  }
  return out;
}

// The id of the n-th record (counting every outbox row of the signal for the
// recipient, cancelled ones too) that sharing makes of a signal for a partner:
// a keyed hash (a subkey of the data key) of the three, not a random number.
// A node restored from a backup that decides the same signal again after the
// snapshot makes the same record, under the same id, and the partner, which
// stores a record id once, keeps one (issue 18: "one duplicate at the RIEC").
// Outbox rows go only with their signal, so n never comes round again.
// Nothing of the signal id shows in the record id: the records one signal
// makes for two partners must not be linkable by their ids, and a partner
// must not read the signal's submission time from it (signal ids are
// time-ordered, crypto::time_ordered_hex_id). So the id is the hash alone,
// and a restore from a backup made before any change still makes the same id.
std::string derived_record_id(const crypto::SubKey& key, const std::string& signal_id, const std::string& recipient,
                              std::int64_t n) {
  std::string message = "signalnode-record-v1";
  message.push_back('\0');
  message += signal_id;
  message.push_back('\0');
  message += recipient;
  message.push_back('\0');
  message += std::to_string(n);
  auto digest = crypto::keyed_hash(key, crypto::as_bytes(message));
  return crypto::to_hex(crypto::ByteView(digest.data(), 16));
}
}  // namespace

std::size_t Outbox::share_ready(const policies::Policy& policy, const federation::Manifest& manifest,
                                 const policies::Party& self, std::size_t max_signals, std::size_t* awaiting) {
  const std::int64_t now = ctx_.now_ms();
  // Read the ready signals and their pseudonyms first; decide and write after.
  auto ready = ctx_.store.read([&](storage::Database& db) {
    return signals::SignalRepository::ready_to_share(db, ctx_.pseudonymiser, max_signals);
  });
  if (ready.empty()) return 0;
  std::size_t shared = 0, waiting = 0;

  ctx_.store.write([&](storage::Database& db) {
    auto decision_row = db.cached(
        "INSERT OR REPLACE INTO sharing_decisions (signal_id, recipient, rule_id, reason) VALUES (?,?,?,?)");
    // The record a partner has (or will get) of this signal: the newest shared
    // record not cancelled or refused. A correction or withdrawal follows it.
    static const std::string existing_sql =
        sql("SELECT record_id FROM outbox WHERE signal_id = ? AND recipient = ? AND kind = ", RecordKind::shared_signal,
            " AND state NOT IN ", sql_list(OutboxState::cancelled, OutboxState::rejected), " ORDER BY rowid DESC LIMIT 1");
    static const std::string cancel_sql = sql("UPDATE outbox SET state = ", OutboxState::cancelled,
                                              " WHERE record_id = ? AND state = ", OutboxState::queued);
    auto existing = db.cached(existing_sql);
    auto cancel = db.cached(cancel_sql);
    auto made = db.cached("SELECT COUNT(*) FROM outbox WHERE signal_id = ? AND recipient = ?");
    const auto id_key = crypto::derive_subkey(ctx_.pseudonymiser.data_key(), 1, "recordid");
    auto next_record_id = [&](const std::string& signal_id, const std::string& recipient) {
      made.reset();
      made.bind(1, std::string_view(signal_id)).bind(2, std::string_view(recipient));
      const std::int64_t n = made.scalar();
      made.reset();
      return derived_record_id(id_key, signal_id, recipient, n);
    };
    for (const auto& r : ready) {
      // First each partner's decision, and for each one granted the
      // signal's pseudonyms in that partner's domain: all there, or the
      // signal waits for the PA (nothing decided or queued yet).
      struct Decided {
        const federation::Partner* partner;
        policies::Decision decision;
        policies::SignalFacts facts;
      };
      std::vector<Decided> decided;
      bool waits = false;
      for (const auto& partner : manifest.partners) {
        if (partner.org == self.org || partner.pseudonymisation_authority) continue;
        Decided d{&partner,
                   policy.decide(self, federation::party_of(partner), r.facts.category, day_of(now),
                                 r.facts.municipality.value_or("")),
                   {}};
        if (d.decision.grant) {
          auto theirs = ctx_.pseudonymiser.in_domain(db, r.id, partner.oin, d.decision.grant->rule->pseudonyms, now);
          if (!theirs) {
            waits = true;
            continue;
          }
          d.facts = in_partner_domain(r.facts, *theirs);
        }
        decided.push_back(std::move(d));
      }
      if (waits) {
        ++waiting;
        continue;
      }
      ++shared;
      for (const auto& [partner_ptr, decision, facts] : decided) {
        const federation::Partner& partner = *partner_ptr;
        decision_row.reset();
        decision_row.bind(1, std::string_view(r.id)).bind(2, std::string_view(partner.org));
        if (decision.grant) {
          decision_row.bind(3, std::string_view(decision.grant->rule->id));
        } else {
          decision_row.bind_null(3);
        }
        decision_row.bind(4, std::string_view(decision.reason)).run();

        std::optional<std::string> original;
        existing.reset();
        existing.bind(1, std::string_view(r.id)).bind(2, std::string_view(partner.org));
        if (existing.step()) {
          std::string id = existing.text(0);
          existing.reset();
          cancel.reset();
          cancel.bind(1, std::string_view(id)).run();  // never sent: replaced, not followed up
          if (db.changes() == 0) original = id;
        }
        existing.reset();

        if (!decision.grant) {
          if (!original) continue;
          // A correction took the signal out of what this partner may have.
          wire::Record rec;
          rec.record_id = next_record_id(r.id, partner.org);
          rec.category = r.facts.category;
          rec.policy_hash = policy.sha256();
          rec.kind = wire::RecordKind::withdrawal;
          rec.refers_to = *original;
          rec.rule_id = "withdrawal";
          detail::enqueue(db, {&rec, partner.org, rec.rule_id, r.id, std::nullopt}, now);
          continue;
        }
        // Exactly what the officer's preview (explain) showed: one projection.
        const auto& rule = *decision.grant->rule;
        wire::Record rec = policies::to_record(policies::project(rule, facts, now), policy);
        rec.record_id = next_record_id(r.id, partner.org);
        if (original) {
          rec.kind = wire::RecordKind::correction;
          rec.refers_to = *original;
        }
        detail::enqueue(db, {&rec, partner.org, rule.id, r.id, std::nullopt}, now);
      }
      signals::SignalRepository::mark_decided(db, r.id);
      // A record received earlier may concern a subject of this signal: a hit.
      std::vector<alerts::Subject> subjects;
      for (const auto& id : r.facts.identifiers) {
        alerts::Subject sub;
        sub.id_kind = id.id_kind;
        std::memcpy(sub.pseudonym.data(), id.pseudonym.data(), sub.pseudonym.size());
        subjects.push_back(std::move(sub));
      }
      ctx_.refresh_alerts(db, std::move(subjects), now);
    }
  });
  if (awaiting) *awaiting = waiting;
  return shared;
}

namespace {
// Which covenant and manifest a catch-up walk runs under: a change of either
// may grant a partner what it was not granted before.
std::string covenant_fingerprint(const policies::Policy& policy, const federation::Manifest& manifest) {
  std::string both(reinterpret_cast<const char*>(policy.sha256().data()), policy.sha256().size());
  both.append(reinterpret_cast<const char*>(manifest.sha256.data()), manifest.sha256.size());
  auto digest = crypto::sha256(crypto::as_bytes(both));
  return crypto::to_hex(crypto::ByteView(digest.data(), digest.size()));
}

struct CatchUpState {
  std::string done_under;  // the fingerprint of the last complete walk
  std::optional<std::string> walking;
  std::int64_t after_ms = -1;
  std::string after_id;
  std::int64_t waiting = 0;
};

std::optional<CatchUpState> read_catch_up_state(storage::Database& db) {
  auto st = db.cached(
      "SELECT done_under, walking, after_ms, after_id, (SELECT COUNT(*) FROM catch_up_waiting) FROM catch_up_state "
      "WHERE id = 1");
  std::optional<CatchUpState> out;
  if (st.step()) {
    CatchUpState s;
    s.done_under = st.text(0);
    if (!st.is_null(1)) s.walking = st.text(1);
    s.after_ms = st.int64(2);
    s.after_id = st.text(3);
    s.waiting = st.int64(4);
    out = std::move(s);
  }
  st.reset();
  return out;
}
}  // namespace

std::size_t Outbox::catch_up(const policies::Policy& policy, const federation::Manifest& manifest,
                             const policies::Party& self, std::size_t max_signals, std::size_t* awaiting) {
  const std::string under = covenant_fingerprint(policy, manifest);
  // Most passes find nothing to do: decide that on a reader, so an idle node
  // does not commit (and fsync) once a second for it.
  auto state = ctx_.store.read([](storage::Database& db) { return read_catch_up_state(db); });
  const bool walk_due = !state || state->walking || state->done_under != under;
  if (!walk_due && state->waiting == 0) return 0;

  const std::int64_t now = ctx_.now_ms();
  std::size_t queued = 0, waiting = 0;
  ctx_.store.write([&](storage::Database& db) {
    auto current = read_catch_up_state(db);
    auto s = current.value_or(CatchUpState{});
    if (!current) {
      db.cached("INSERT INTO catch_up_state (id, done_under, walking, after_ms, after_id) VALUES (1, '', NULL, -1, '')").run();
    }
    // A new covenant or manifest (re)starts the walk from the oldest signal.
    if ((s.walking && *s.walking != under) || (!s.walking && s.done_under != under)) {
      s.walking = under;
      s.after_ms = -1;
      s.after_id.clear();
    }

    static const std::string live_sql =
        sql("SELECT record_id, state = ", OutboxState::queued, " AND reason IS NOT NULL FROM outbox WHERE signal_id = ? "
            "AND recipient = ? AND kind = ", RecordKind::shared_signal, " AND state NOT IN ",
            sql_list(OutboxState::cancelled, OutboxState::rejected), " ORDER BY rowid DESC LIMIT 1");
    static const std::string cancel_sql = sql("UPDATE outbox SET state = ", OutboxState::cancelled,
                                              " WHERE record_id = ? AND state = ", OutboxState::queued);
    auto live = db.cached(live_sql);
    auto cancel = db.cached(cancel_sql);
    auto made = db.cached("SELECT COUNT(*) FROM outbox WHERE signal_id = ? AND recipient = ?");
    auto decision_row = db.cached(
        "INSERT OR REPLACE INTO sharing_decisions (signal_id, recipient, rule_id, reason) VALUES (?,?,?,?)");
    auto wait_row = db.cached("INSERT OR IGNORE INTO catch_up_waiting (signal_id, recipient) VALUES (?, ?)");
    auto unwait_row = db.cached("DELETE FROM catch_up_waiting WHERE signal_id = ? AND recipient = ?");
    const auto id_key = crypto::derive_subkey(ctx_.pseudonymiser.data_key(), 1, "recordid");

    // One partner that holds no live record of the signal: granted by the
    // covenant now, and still within the retention the partner would have
    // kept it for had it been sent when decided, it gets the signal's
    // current revision as a new record; its pseudonyms in that partner's
    // domain first (the signal waits for the PA in catch_up_waiting).
    auto offer = [&](signals::ReadySignal& r, bool& filled, const federation::Partner& partner) {
      live.reset();
      live.bind(1, std::string_view(r.id)).bind(2, std::string_view(partner.org));
      const bool holds = live.step();
      // A record the partner refused for now (another covenant version, its
      // clock) still carries the policy it was made under: it is made again
      // under this one instead of being retried until it is refused for good.
      const bool refused_for_now = holds && live.int64(1) != 0;
      const std::string held_id = holds ? live.text(0) : std::string();
      live.reset();
      if (holds && !refused_for_now) return;
      if (refused_for_now) {
        cancel.reset();
        cancel.bind(1, std::string_view(held_id)).run();
      }
      auto decision = policy.decide(self, federation::party_of(partner), r.facts.category, day_of(now),
                                    r.facts.municipality.value_or(""));
      if (!decision.grant) return;
      const auto& rule = *decision.grant->rule;
      if (r.created_at_ms + static_cast<std::int64_t>(rule.retention_days) * kDayMs <= now) return;
      if (!filled) {
        signals::SignalRepository::fill_identifiers(db, ctx_.pseudonymiser, r);
        filled = true;
      }
      auto theirs = ctx_.pseudonymiser.in_domain(db, r.id, partner.oin, rule.pseudonyms, now);
      if (!theirs) {
        wait_row.reset();
        wait_row.bind(1, std::string_view(r.id)).bind(2, std::string_view(partner.org)).run();
        ++waiting;
        return;
      }
      wire::Record rec = policies::to_record(policies::project(rule, in_partner_domain(r.facts, *theirs), now), policy);
      made.reset();
      made.bind(1, std::string_view(r.id)).bind(2, std::string_view(partner.org));
      const std::int64_t n = made.scalar();
      made.reset();
      rec.record_id = derived_record_id(id_key, r.id, partner.org, n);
      detail::enqueue(db, {&rec, partner.org, rule.id, r.id, std::nullopt}, now);
      decision_row.reset();
      decision_row.bind(1, std::string_view(r.id)).bind(2, std::string_view(partner.org))
          .bind(3, std::string_view(rule.id)).bind(4, std::string_view(decision.reason)).run();
      unwait_row.reset();
      unwait_row.bind(1, std::string_view(r.id)).bind(2, std::string_view(partner.org)).run();
      ++queued;
    };

    // First the signals that waited for their pseudonyms in a partner's domain.
    std::vector<std::pair<std::string, std::string>> parked;
    {
      auto st = db.cached("SELECT signal_id, recipient FROM catch_up_waiting LIMIT ?");
      st.bind(1, static_cast<std::int64_t>(max_signals));
      while (st.step()) parked.emplace_back(st.text(0), st.text(1));
      st.reset();
    }
    for (const auto& [signal_id, recipient] : parked) {
      auto r = signals::SignalRepository::decided_one(db, signal_id);
      const auto* partner = manifest.find(recipient);
      if (!r || !partner || partner->pseudonymisation_authority || partner->org == self.org) {
        unwait_row.reset();
        unwait_row.bind(1, std::string_view(signal_id)).bind(2, std::string_view(recipient)).run();
        continue;
      }
      bool filled = false;
      const auto before = waiting;
      offer(*r, filled, *partner);
      if (waiting == before) {  // queued, or no longer granted: it waits no more
        unwait_row.reset();
        unwait_row.bind(1, std::string_view(signal_id)).bind(2, std::string_view(recipient)).run();
      }
    }

    // Then the next stretch of the walk.
    if (s.walking) {
      auto chunk = signals::SignalRepository::decided_after(db, s.after_ms, s.after_id, max_signals);
      for (auto& r : chunk) {
        bool filled = false;
        for (const auto& partner : manifest.partners) {
          if (partner.org == self.org || partner.pseudonymisation_authority) continue;
          offer(r, filled, partner);
        }
      }
      if (chunk.size() < max_signals) {
        s.done_under = *s.walking;
        s.walking.reset();
      } else {
        s.after_ms = chunk.back().created_at_ms;
        s.after_id = chunk.back().id;
      }
    }
    auto save = db.cached("UPDATE catch_up_state SET done_under = ?, walking = ?, after_ms = ?, after_id = ? WHERE id = 1");
    save.bind(1, std::string_view(s.done_under));
    if (s.walking) {
      save.bind(2, std::string_view(*s.walking));
    } else {
      save.bind_null(2);
    }
    save.bind(3, s.after_ms).bind(4, std::string_view(s.after_id)).run();
  });
  if (awaiting) *awaiting = waiting;
  return queued;
}

namespace {

// Per partner: the decision, the newest record (a live one before a cancelled
// one), and the newest withdrawal or correction that followed it.
std::vector<PartnerState> partner_states(storage::Database& db, const std::string& signal_id) {
  std::vector<PartnerState> out;
  auto decisions = db.cached(
      "SELECT recipient, rule_id, reason FROM sharing_decisions WHERE signal_id = ? ORDER BY recipient");
  static const std::string record_sql =
      sql("SELECT state, attempts, last_error, delivered_at_ms, reason, rule_id FROM outbox WHERE signal_id = ? "
          "AND recipient = ? AND kind = ", RecordKind::shared_signal, " ORDER BY state = ", OutboxState::cancelled,
          ", rowid DESC LIMIT 1");
  static const std::string follow_up_sql =
      sql("SELECT kind, state, attempts, last_error, reason FROM outbox WHERE signal_id = ? AND recipient = ? "
          "AND kind IN ", sql_list(RecordKind::withdrawal, RecordKind::correction), " ORDER BY rowid DESC LIMIT 1");
  // Whether the partner answered: feedback other than an acknowledgement.
  static const std::string answered_sql =
      sql("SELECT 1 FROM signal_feedback WHERE signal_id = ? AND partner = ? AND kind = ", FeedbackKind::feedback,
          " AND status <> ", FeedbackStatus::received, " LIMIT 1");
  auto record = db.cached(record_sql);
  auto follow_up = db.cached(follow_up_sql);
  auto answered = db.cached(answered_sql);
  decisions.bind(1, std::string_view(signal_id));
  while (decisions.step()) {
    PartnerState p;
    p.partner = decisions.text(0);
    p.rule_id = decisions.is_null(1) ? "" : decisions.text(1);
    p.state = "not_shared";
    p.reason = decisions.text(2);
    out.push_back(std::move(p));
  }
  decisions.reset();
  for (auto& p : out) {
    record.reset();
    record.bind(1, std::string_view(signal_id)).bind(2, std::string_view(p.partner));
    if (record.step()) {
      // The officer's view: a record in flight is still queued; one that
      // failed an attempt is failing.
      OutboxState state = read_sql<OutboxState>(record.text(0));
      if (state == OutboxState::sending) state = OutboxState::queued;
      p.state = to_sql(state);
      p.attempts = record.int64(1);
      p.reason.clear();
      if (!record.is_null(3)) p.delivered_at_ms = record.int64(3);
      p.rule_id = record.text(5);
      if (state == OutboxState::queued && p.attempts > 0) {
        p.state = "failing";
        p.reason = record.is_null(2) ? "" : record.text(2);
      } else if (state == OutboxState::rejected) {
        p.reason = record.is_null(4) ? "" : record.text(4);
      }
    }
    record.reset();
    follow_up.reset();
    follow_up.bind(1, std::string_view(signal_id)).bind(2, std::string_view(p.partner));
    if (follow_up.step()) {
      FollowUp f;
      f.kind = to_sql(read_sql<RecordKind>(follow_up.text(0)));
      const OutboxState state = read_sql<OutboxState>(follow_up.text(1));
      if (state == OutboxState::delivered) {
        f.state = "applied";
      } else if (state == OutboxState::rejected || state == OutboxState::voided) {
        f.state = to_sql(state);
        f.reason = follow_up.is_null(4) ? "" : follow_up.text(4);
      } else if (follow_up.int64(2) > 0) {
        f.state = "failing";
        f.reason = follow_up.is_null(3) ? "" : follow_up.text(3);
      } else {
        f.state = to_sql(state == OutboxState::cancelled ? OutboxState::cancelled : OutboxState::queued);
      }
      p.follow_up = std::move(f);
    }
    follow_up.reset();
    answered.reset();
    answered.bind(1, std::string_view(signal_id)).bind(2, std::string_view(p.partner));
    p.answered = answered.step();
    answered.reset();
  }
  return out;
}

}  // namespace

std::vector<PartnerState> Outbox::state_of(const std::string& signal_id) const {
  return ctx_.store.read([&](storage::Database& db) { return partner_states(db, signal_id); });
}

std::map<std::string, SignalProgress> Outbox::progress_of(const std::vector<std::string>& signal_ids) const {
  return ctx_.store.read([&](storage::Database& db) {
    std::map<std::string, SignalProgress> out;
    static const std::string feedback_sql =
        sql("SELECT count(*) FROM signal_feedback WHERE signal_id = ? AND kind = ", FeedbackKind::feedback);
    auto feedback = db.cached(feedback_sql);
    for (const auto& id : signal_ids) {
      SignalProgress& p = out[id];
      p.sharing = partner_states(db, id);
      feedback.reset();
      feedback.bind(1, std::string_view(id));
      if (feedback.step()) p.feedback = feedback.int64(0);
    }
    feedback.reset();
    return out;
  });
}

std::map<std::string, int> Outbox::no_answer_by_author(const policies::Policy& policy, std::int64_t now_ms) const {
  return ctx_.store.read([&](storage::Database& db) {
    // Per rule with a period: records delivered before its cutoff (through
    // the partial index outbox_delivered_by_rule) of signals still active,
    // not withdrawn from that partner since, that the partner has not
    // answered (feedback other than `received`).
    static const std::string text = sql(
        "SELECT o.signal_id, s.submitted_by FROM outbox o JOIN signals s ON s.id = o.signal_id "
        "WHERE o.kind = ", RecordKind::shared_signal, " AND o.state = ", OutboxState::delivered,
        " AND o.rule_id = ? AND o.delivered_at_ms < ? AND s.status = ", SignalStatus::active,
        " AND NOT EXISTS (SELECT 1 FROM outbox w WHERE w.signal_id = o.signal_id AND w.recipient = o.recipient "
        "AND w.kind = ", RecordKind::withdrawal, " AND w.rowid > o.rowid)"
        " AND NOT EXISTS (SELECT 1 FROM signal_feedback f WHERE f.signal_id = o.signal_id AND f.partner = o.recipient "
        "AND f.kind = ", FeedbackKind::feedback, " AND f.status <> ", FeedbackStatus::received, ")");
    std::map<std::string, std::string> author_of;  // signal id -> its author, each signal once
    auto st = db.cached(text);
    for (const auto& rule : policy.rules()) {
      if (!rule.feedback_period_days) continue;
      st.reset();
      st.bind(1, std::string_view(rule.id)).bind(2, now_ms - std::int64_t{*rule.feedback_period_days} * kDayMs);
      while (st.step()) author_of.emplace(st.text(0), st.text(1));
    }
    st.reset();
    std::map<std::string, int> out;
    for (const auto& entry : author_of) ++out[entry.second];
    return out;
  });
}

std::map<std::string, OutboxStats> Outbox::outbox_stats() const {
  return ctx_.store.read([](storage::Database& db) {
    std::map<std::string, OutboxStats> out;
    static const std::string stats_sql =
        sql("SELECT recipient, count(*), min(created_at_ms) FROM outbox WHERE state IN ",
            sql_list(OutboxState::queued, OutboxState::sending), " GROUP BY recipient");
    auto st = db.cached(stats_sql);
    while (st.step()) out[st.text(0)] = {st.int64(1), st.int64(2)};
    st.reset();
    return out;
  });
}

}  // namespace signalnode::node::sharing
