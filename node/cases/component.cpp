#include "node/cases/component.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <set>

#include "crypto/bytes.hpp"
#include "crypto/sha256.hpp"
#include "node/signals/signal_state.hpp"
#include "policies/projection.hpp"

namespace signalnode::node::cases {

std::string subject_key(const std::vector<std::uint8_t>& pseudonym) {
  return crypto::to_hex(crypto::sha256(pseudonym)).substr(0, 12);
}

std::vector<ReceivedRef> received_about(storage::Database& db, std::span<const std::uint8_t> pseudonym,
                                        std::size_t max_senders, std::size_t per_sender, bool* more) {
  std::vector<ReceivedRef> out;
  auto next_sender =
      db.cached("SELECT sender FROM inbox_subjects WHERE pseudonym = ? AND sender > ? ORDER BY sender LIMIT 1");
  auto newest = db.cached(
      "SELECT DISTINCT inbox_id, received_at_ms FROM inbox_subjects WHERE pseudonym = ? AND sender = ? "
      "ORDER BY received_at_ms DESC LIMIT ?");
  std::string sender;
  for (std::size_t n = 0;; ++n) {
    next_sender.reset();
    next_sender.bind_blob(1, pseudonym).bind(2, std::string_view(sender));
    if (!next_sender.step()) break;
    if (n == max_senders) {
      if (more) *more = true;
      break;
    }
    sender = next_sender.text(0);
    newest.reset();
    newest.bind_blob(1, pseudonym).bind(2, std::string_view(sender)).bind(3, static_cast<std::int64_t>(per_sender + 1));
    std::size_t got = 0;
    while (newest.step()) {
      if (++got > per_sender) {
        if (more) *more = true;
        break;
      }
      out.push_back({newest.text(0), sender});
    }
  }
  return out;
}

namespace {

struct Walk {
  storage::Database& db;
  const pseudonyms::Pseudonymiser& pseudonymiser;
  const std::string& self_org;
  Graph g;
  std::map<std::vector<std::uint8_t>, std::size_t> subject_at;
  std::map<std::pair<bool, std::string>, std::size_t> record_at;
  std::set<std::pair<std::size_t, std::size_t>> linked;
  std::deque<std::pair<bool, std::size_t>> queue;  // (is subject, index)

  std::optional<std::size_t> add_subject(const std::string& id_kind, std::vector<std::uint8_t> pseudonym) {
    if (auto it = subject_at.find(pseudonym); it != subject_at.end()) return it->second;
    if (g.subjects.size() >= kMaxSubjects) {
      g.truncated = true;
      return std::nullopt;
    }
    std::size_t i = g.subjects.size();
    subject_at.emplace(pseudonym, i);
    g.subjects.push_back({id_kind, std::move(pseudonym), {}});
    queue.emplace_back(true, i);
    return i;
  }

  // nullopt also for a record that is gone (expired, withdrawn): not part of it.
  std::optional<std::size_t> add_record(bool own, const std::string& id) {
    if (auto it = record_at.find({own, id}); it != record_at.end()) return it->second;
    if (g.records.size() >= kMaxRecords) {
      g.truncated = true;
      return std::nullopt;
    }
    GraphRecord r;
    r.id = id;
    r.own = own;
    if (own) {
      static const std::string own_sql = storage::sql("SELECT category, observed_on FROM signals WHERE id = ? AND status = ",
                                                      signals::SignalStatus::active);
      auto st = db.cached(own_sql);
      st.bind(1, std::string_view(id));
      if (!st.step()) return std::nullopt;
      r.org = self_org;
      r.category = st.text(0);
      r.week = policies::iso_week(st.text(1));
    } else {
      auto st = db.cached("SELECT sender, category, observed_week, received_at_ms FROM inbox WHERE id = ?");
      st.bind(1, std::string_view(id));
      if (!st.step()) return std::nullopt;
      r.org = st.text(0);
      r.category = st.text(1);
      r.week = st.is_null(2) ? std::string() : st.text(2);
      r.received_at_ms = st.int64(3);
    }
    std::size_t i = g.records.size();
    record_at.emplace(std::make_pair(own, id), i);
    g.records.push_back(std::move(r));
    queue.emplace_back(false, i);
    return i;
  }

  void link(std::optional<std::size_t> record, std::optional<std::size_t> subject) {
    if (record && subject && linked.emplace(*record, *subject).second) g.links.emplace_back(*record, *subject);
  }

  void note_organisation(std::size_t subject, const std::string& org) {
    auto& orgs = g.subjects[subject].organisations;
    if (std::find(orgs.begin(), orgs.end(), org) == orgs.end()) orgs.push_back(org);
  }

  void expand_subject(std::size_t s) {
    const std::vector<std::uint8_t> pseudonym = g.subjects[s].pseudonym;  // the vector may grow below
    bool more = false;
    for (const auto& ref : received_about(db, pseudonym, kMaxSendersPerSubject, kRecordsPerSender, &more)) {
      note_organisation(s, ref.sender);
      link(add_record(false, ref.inbox_id), s);
    }
    if (more) g.truncated = true;
    crypto::oprf::Output p{};
    if (pseudonym.size() != p.size()) return;
    std::memcpy(p.data(), pseudonym.data(), p.size());
    static const std::string own_sql = storage::sql(
        "SELECT DISTINCT s.id, s.created_at_ms FROM pseudonyms p JOIN signal_identifiers si ON si.lookup_key = p.lookup_key "
        "JOIN signals s ON s.id = si.signal_id WHERE p.match_key = ? AND s.status = ",
        signals::SignalStatus::active, " ORDER BY s.created_at_ms DESC LIMIT ?");
    std::vector<std::string> own;
    {
      auto st = db.cached(own_sql);
      st.bind_blob(1, pseudonymiser.match_key(p)).bind(2, static_cast<std::int64_t>(kOwnSignalsPerSubject + 1));
      while (st.step()) own.push_back(st.text(0));
    }
    if (own.size() > kOwnSignalsPerSubject) {
      own.pop_back();
      g.truncated = true;
    }
    if (!own.empty()) note_organisation(s, self_org);
    for (const auto& id : own) link(add_record(true, id), s);
  }

  void expand_record(std::size_t r) {
    const bool own = g.records[r].own;
    const std::string id = g.records[r].id;
    std::vector<std::pair<std::string, std::vector<std::uint8_t>>> subjects;
    if (own) {
      for (const auto& sp : pseudonymiser.pseudonyms_of_signal(db, id)) {
        subjects.emplace_back(sp.id_kind, std::vector<std::uint8_t>(sp.pseudonym.begin(), sp.pseudonym.end()));
      }
    } else {
      auto st = db.cached("SELECT id_kind, pseudonym FROM inbox_subjects WHERE inbox_id = ? ORDER BY position LIMIT ?");
      st.bind(1, std::string_view(id)).bind(2, static_cast<std::int64_t>(kSubjectsPerRecord));
      while (st.step()) subjects.emplace_back(st.text(0), st.blob(1));
    }
    for (auto& entry : subjects) link(r, add_subject(entry.first, std::move(entry.second)));
  }
};

}  // namespace

Graph connected(storage::Database& db, const pseudonyms::Pseudonymiser& pseudonymiser, const std::string& self_org,
                const std::vector<alerts::Alert>& seeds) {
  Walk w{db, pseudonymiser, self_org, {}, {}, {}, {}, {}};
  for (const auto& a : seeds) {
    auto s = w.add_subject(a.id_kind, a.pseudonym);
    // What the analyst saw in the alert is part of it, whatever the bounds per subject.
    for (const auto& id : a.records) w.link(w.add_record(false, id), s);
    for (const auto& id : a.signals) w.link(w.add_record(true, id), s);
  }
  while (!w.queue.empty()) {
    auto [is_subject, index] = w.queue.front();
    w.queue.pop_front();
    if (is_subject) {
      w.expand_subject(index);
    } else {
      w.expand_record(index);
    }
  }
  // Every alert on a subject of the component (at most one per kind).
  auto st = db.cached("SELECT id FROM alerts WHERE pseudonym = ? ORDER BY kind");
  std::vector<std::string> ids;
  for (const auto& s : w.g.subjects) {
    st.reset();
    st.bind_blob(1, s.pseudonym);
    while (st.step()) ids.push_back(st.text(0));
  }
  st.reset();
  for (const auto& id : ids) {
    if (auto a = alerts::Alerts::find(db, id)) w.g.alerts.push_back(std::move(*a));
  }
  return std::move(w.g);
}

}  // namespace signalnode::node::cases
