#include "node/sharing/reconcile.hpp"

#include <boost/json.hpp>

#include <stdexcept>

#include "crypto/random.hpp"
#include "node/federation/paths.hpp"
#include "node/log/log.hpp"
#include "node/net/https_client.hpp"
#include "node/sharing/records.hpp"
#include "node/signals/signal_state.hpp"
#include "node/storage/sql_enum.hpp"
#include "policies/record_fields.hpp"
#include "protocol/wire.hpp"

namespace signalnode::node::sharing {
namespace json = boost::json;
namespace wire = protocol::wire;

namespace {
constexpr std::int64_t kClockSlackMs = 86'400'000;  // records received up to a day before the snapshot count
constexpr std::size_t kMaxPageBytes = 200'000;      // kPage entries of ~100 bytes, with room
}  // namespace

HeldPage Reconcile::held_from(const std::string& sender, const std::string& after) const {
  return ctx_.store.read([&](storage::Database& db) {
    HeldPage page;
    auto st = db.cached(
        "SELECT record_id, category, received_at_ms FROM inbox WHERE sender = ? AND record_id > ? "
        "ORDER BY record_id LIMIT ?");
    st.bind(1, std::string_view(sender)).bind(2, std::string_view(after)).bind(3, static_cast<std::int64_t>(kPage));
    while (st.step()) page.records.push_back({st.text(0), st.text(1), st.int64(2)});
    st.reset();
    if (page.records.size() == kPage) page.next = page.records.back().record_id;
    return page;
  });
}

std::string Reconcile::page_to_json(const HeldPage& page) {
  json::array items;
  for (const auto& r : page.records) {
    items.push_back(json::object{{"recordId", r.record_id}, {"category", r.category}, {"receivedAtMs", r.received_at_ms}});
  }
  json::object body{{"records", std::move(items)}};
  body["next"] = page.next.empty() ? json::value(nullptr) : json::value(page.next);
  return json::serialize(body);
}

HeldPage Reconcile::page_from_json(std::string_view body) {
  if (body.size() > kMaxPageBytes) throw std::runtime_error("the partner's list of held records is too large");
  json::value doc;
  try {
    doc = json::parse(body);
  } catch (const std::exception&) {
    throw std::runtime_error("the partner's list of held records is not JSON");
  }
  const auto* o = doc.if_object();
  const auto* items = o && o->contains("records") ? o->at("records").if_array() : nullptr;
  if (!items || items->size() > kPage) throw std::runtime_error("the partner's list of held records is malformed");
  HeldPage page;
  for (const auto& v : *items) {
    const auto* r = v.if_object();
    const json::string* id = r && r->contains("recordId") ? r->at("recordId").if_string() : nullptr;
    const json::string* category = r && r->contains("category") ? r->at("category").if_string() : nullptr;
    const std::int64_t* at = r && r->contains("receivedAtMs") ? r->at("receivedAtMs").if_int64() : nullptr;
    if (!id || !category || !at || !policies::valid_record_id(*id) || !policies::valid_category(*category)) {
      throw std::runtime_error("the partner's list of held records names a record that is not one");
    }
    if (!page.records.empty() && std::string_view(*id) <= page.records.back().record_id) {
      throw std::runtime_error("the partner's list of held records is not in order");
    }
    page.records.push_back({std::string(*id), std::string(*category), *at});
  }
  const auto& next = o->contains("next") ? o->at("next") : json::value(nullptr);
  if (const auto* n = next.if_string()) {
    if (page.records.empty() || *n != page.records.back().record_id) {
      throw std::runtime_error("the partner's list of held records continues from nowhere");
    }
    page.next = std::string(*n);
  } else if (!next.is_null()) {
    throw std::runtime_error("the partner's list of held records is malformed");
  }
  return page;
}

void Reconcile::schedule_after_restore(storage::Database& db, std::int64_t snapshot_at_ms, std::int64_t restored_at_ms) {
  db.cached(
        "INSERT OR REPLACE INTO reconcile_partners (partner, after, since_ms, restored_at_ms, orphans) "
        "VALUES ('*', '', ?, ?, 0)")
      .bind(1, snapshot_at_ms - kClockSlackMs)
      .bind(2, restored_at_ms)
      .run();
}

void Reconcile::expand(const federation::Manifest& manifest, const std::string& self_org) {
  ctx_.store.write([&](storage::Database& db) {
    auto all = db.cached("SELECT since_ms, restored_at_ms FROM reconcile_partners WHERE partner = '*'");
    if (!all.step()) {
      all.reset();
      return;
    }
    const std::int64_t since = all.int64(0), restored = all.int64(1);
    all.reset();
    auto add = db.cached(
        "INSERT OR REPLACE INTO reconcile_partners (partner, after, since_ms, restored_at_ms, orphans) "
        "VALUES (?, '', ?, ?, 0)");
    for (const auto& p : manifest.partners) {
      if (p.org == self_org || p.pseudonymisation_authority) continue;
      add.reset();
      add.bind(1, std::string_view(p.org)).bind(2, since).bind(3, restored).run();
    }
    db.cached("DELETE FROM reconcile_partners WHERE partner = '*'").run();
  });
}

bool Reconcile::pending_for(const std::string& partner) const {
  return ctx_.store.read([&](storage::Database& db) {
    auto st = db.cached("SELECT 1 FROM reconcile_partners WHERE partner = ?");
    st.bind(1, std::string_view(partner));
    const bool pending = st.step();
    st.reset();
    return pending;
  });
}

Reconcile::Step Reconcile::step(const federation::Partner& partner, net::HttpsClient& client) {
  struct Row {
    std::string after;
    std::int64_t since_ms = 0;
    bool undecided = false;  // a signal from before the restore still to be decided
  };
  static const std::string undecided_sql =
      storage::sql("SELECT EXISTS (SELECT 1 FROM signals WHERE share_state = ", signals::ShareState::pending,
                   " AND status = ", signals::SignalStatus::active, " AND created_at_ms <= ?)");
  auto row = ctx_.store.read([&](storage::Database& db) {
    std::optional<Row> r;
    auto st = db.cached("SELECT after, since_ms, restored_at_ms FROM reconcile_partners WHERE partner = ?");
    st.bind(1, std::string_view(partner.org));
    if (st.step()) {
      r = Row{st.text(0), st.int64(1), false};
      const std::int64_t restored = st.int64(2);
      st.reset();
      auto u = db.cached(undecided_sql);
      u.bind(1, restored);
      r->undecided = u.scalar() != 0;
      u.reset();
      // Catch-up remakes records under derived ids too: wait until its walk
      // is done and nothing waits for pseudonyms, or a record it is about to
      // remake would be withdrawn first (and refused for good after).
      auto c = db.cached(
          "SELECT (SELECT COUNT(*) FROM catch_up_state WHERE walking IS NOT NULL) + "
          "(SELECT COUNT(*) FROM catch_up_waiting) + (1 - (SELECT COUNT(*) FROM catch_up_state))");
      r->undecided = r->undecided || c.scalar() != 0;
      c.reset();
    }
    st.reset();
    return r;
  });
  if (!row) return Step::done;
  if (row->undecided) return Step::waiting;
  std::string target = std::string(federation::kHeldPath) + "?after=" + row->after;
  auto response = client.request("GET", target, {}, {{"Accept", "application/json"}});
  if (response.status != 200) {
    throw std::runtime_error("the partner answered " + std::to_string(response.status) + " to the list of held records");
  }
  HeldPage page = page_from_json(response.body);
  // The page must continue after what was asked: a partner that answers the
  // same page again (or an earlier one) would send the node round forever.
  if (!page.records.empty() && page.records.front().record_id <= row->after) {
    throw std::runtime_error("the partner's list of held records does not continue after the record asked for");
  }
  const std::int64_t now = ctx_.now_ms();
  std::int64_t withdrawn = 0, total = 0;
  ctx_.store.write([&](storage::Database& db) {
    // Ours: the restored node has the record, or already queued its withdrawal.
    auto known = db.cached(
        "SELECT 1 FROM outbox WHERE recipient = ?2 AND (record_id = ?1 OR (refers_to = ?1 AND kind = 'withdrawal'))");
    for (const auto& held : page.records) {
      if (held.received_at_ms < row->since_ms) continue;  // before the snapshot: not the restore's doing
      known.reset();
      known.bind(1, std::string_view(held.record_id)).bind(2, std::string_view(partner.org));
      const bool ours = known.step();
      known.reset();
      if (ours) continue;
      wire::Record w;
      w.record_id = crypto::random_hex_id(16);
      w.kind = wire::RecordKind::withdrawal;
      w.refers_to = held.record_id;
      w.category = held.category;
      w.rule_id = "withdrawal";
      detail::enqueue(db, {&w, partner.org, w.rule_id, std::nullopt, std::nullopt}, now);
      ++withdrawn;
    }
    auto count = db.cached("SELECT orphans FROM reconcile_partners WHERE partner = ?");
    count.bind(1, std::string_view(partner.org));
    if (count.step()) total = count.int64(0) + withdrawn;
    count.reset();
    if (page.next.empty()) {
      db.cached("DELETE FROM reconcile_partners WHERE partner = ?").bind(1, std::string_view(partner.org)).run();
    } else {
      db.cached("UPDATE reconcile_partners SET after = ?, orphans = ? WHERE partner = ?")
          .bind(1, std::string_view(page.next))
          .bind(2, total)
          .bind(3, std::string_view(partner.org))
          .run();
    }
  });
  if (page.next.empty()) {
    log::info("restore.reconciled", {{"partner", partner.org}, {"recordsSentAfterTheSnapshotWithdrawn", total}});
  }
  return page.next.empty() ? Step::done : Step::more;
}

}  // namespace signalnode::node::sharing
