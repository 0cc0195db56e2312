// The exchange alone: records already in a node's durable outbox, pushed in
// signed batches over mTLS to two partner nodes, stored durably there and
// acknowledged by signed receipts. Records/s from outbox to inboxes, and in
// the same run the bound the exchange's own primitives set (issue 19): the
// same records, batches of 500, through every signature, encoding, covenant
// check and audit-leaf hash the two sides must do, in memory on one thread,
// without TLS, HTTP or SQLite.
#include <map>
#include <benchmark/benchmark.h>

#include <filesystem>

#include "tests/support/test_federation.hpp"
#include "crypto/merkle.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_file.hpp"
#include "node/app/demo_federation.hpp"
#include "node/app/node_app.hpp"
#include "node/federation/federation.hpp"
#include "node/log/log.hpp"
#include "node/sharing/sharing.hpp"
#include "node/signals/signal_repository.hpp"
#include "node/storage/schema.hpp"
#include "policies/projection.hpp"
#include "protocol/wire.hpp"
#include "tests/bench/bare_sqlite.hpp"
#include "tests/bench/bench_ids.hpp"

namespace fs = std::filesystem;
using namespace signalnode;
using namespace signalnode::node;

namespace {
std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

namespace wire = protocol::wire;

// One partner's queued records in their stored wire form.
struct Queued {
  federation::Partner partner;
  std::vector<crypto::Bytes> stored;
};

// Seconds for the primitives of moving `queued` in batches of 500: the
// sender decodes each stored record, encodes and signs the batch; the
// receiver decodes, verifies, checks each record against the covenant,
// stores it and an audit event (an ~800-byte leaf and its hash) and the
// batch's receipt in one durable transaction, then encodes and signs the
// receipt; the sender verifies the receipt and the receiver's tree head once,
// and marks each record delivered beside its own audit event in one durable
// transaction. Bare sqlite3 calls on a database with the node's schema.
double primitive_seconds(const std::vector<Queued>& queued, const policies::Policy& policy, const policies::Party& self,
                         const crypto::SigningKey& sender_key, const fs::path& dir) {
  const auto receiver_key = crypto::SigningKey::generate();
  const crypto::Bytes event(800, 'e');
  { storage::Store schema(dir / "bound.db", storage::node_migrations()); }
  bench::BareSqlite b(dir / "bound.db");
  auto* outbox = b.prepare(
      "INSERT INTO outbox (record_id, kind, recipient, rule_id, record, state, created_at_ms, next_attempt_at_ms) "
      "VALUES (?, 'shared_signal', ?, 'r', ?, 'queued', 0, 0)");
  auto* inbox = b.prepare(
      "INSERT INTO inbox (id, sender, sender_role, record_id, category, observed_week, municipality, severity, persons, "
      "rule_id, policy_sha256, received_at_ms, expires_at_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  auto* batches = b.prepare("INSERT INTO inbox_batches (sender, batch_id, receipt, received_at_ms) VALUES (?,?,?,?)");
  auto* receipts = b.prepare("INSERT INTO receipts (batch_id, partner, receipt, received_at_ms) VALUES (?,?,?,?)");
  auto* settle = b.prepare(
      "UPDATE outbox SET state = 'delivered', delivered_at_ms = ?, batch_id = ? WHERE record_id = ? AND recipient = ?");
  auto* audit = b.prepare("INSERT INTO audit_events (leaf, leaf_hash, name, time_ms, partner, category) VALUES (?,?,?,?,?,?)");
  auto log_event = [&](const char* name, const std::string& partner, std::int64_t at) {
    const auto hash = crypto::merkle::leaf_hash(event);
    bench::bind_blob(audit, 1, event);
    bench::bind_blob(audit, 2, hash);
    bench::bind_text(audit, 3, name);
    sqlite3_bind_int64(audit, 4, at);
    bench::bind_text(audit, 5, partner);
    bench::bind_text(audit, 6, "housing.overcrowding");
    bench::run(audit);
  };
  b.exec("BEGIN");  // the sender's outbox, as share_ready left it (not timed)
  for (const auto& q : queued) {
    for (const auto& stored : q.stored) {
      std::string error;
      auto one = wire::decode_batch(stored, error);
      bench::bind_text(outbox, 1, one->records[0].record_id);
      bench::bind_text(outbox, 2, q.partner.org);
      bench::bind_blob(outbox, 3, stored);
      bench::run(outbox);
    }
  }
  b.exec("COMMIT");

  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& q : queued) {
    for (std::size_t start = 0; start < q.stored.size(); start += 500) {
      wire::Batch batch;
      batch.batch_id = crypto::random_hex_id(16);
      batch.sender = self.org;
      batch.receiver = q.partner.org;
      batch.created_at_ms = now_ms();
      std::string error;
      for (std::size_t i = start; i < std::min(q.stored.size(), start + 500); ++i) {
        auto one = wire::decode_batch(q.stored[i], error);
        batch.records.push_back(std::move(one->records[0]));
      }
      auto body = wire::encode(wire::sign_batch(batch, sender_key));
      // receiver
      auto in = wire::decode_signed(body, error);
      if (!in || !wire::verify_batch(*in, sender_key.public_key())) throw std::runtime_error("bound: batch");
      auto got = wire::decode_batch(in->message, error);
      wire::Receipt receipt;
      receipt.batch_id = got->batch_id;
      receipt.sender = got->sender;
      receipt.receiver = got->receiver;
      receipt.received_at_ms = now_ms();
      receipt.tree_size = 1;
      auto head = crypto::sha256(event);
      receipt.tree_signature = receiver_key.sign(head);
      b.exec("BEGIN IMMEDIATE");
      for (const auto& r : got->records) {
        auto why = policies::check_received(r, policy, self, {q.partner.org, q.partner.role}, receipt.received_at_ms);
        const std::string id = bench::ordered_id(receipt.received_at_ms);
        bench::bind_text(inbox, 1, id);
        bench::bind_text(inbox, 2, got->sender);
        bench::bind_text(inbox, 3, "municipality");
        bench::bind_text(inbox, 4, r.record_id);
        bench::bind_text(inbox, 5, r.category);
        bench::bind_text(inbox, 6, r.observed_week);
        bench::bind_text(inbox, 7, r.municipality);
        bench::bind_text(inbox, 8, r.severity);
        sqlite3_bind_int64(inbox, 9, r.persons);
        bench::bind_text(inbox, 10, r.rule_id);
        bench::bind_text(inbox, 11, crypto::to_hex(r.policy_hash));
        sqlite3_bind_int64(inbox, 12, receipt.received_at_ms);
        sqlite3_bind_int64(inbox, 13, r.expires_at_ms);
        bench::run(inbox);
        log_event("record.received", got->sender, receipt.received_at_ms);
        receipt.outcomes.push_back({r.record_id, why.empty(), why});
      }
      auto answer = wire::encode(wire::sign_receipt(receipt, receiver_key));
      bench::bind_text(batches, 1, got->sender);
      bench::bind_text(batches, 2, got->batch_id);
      bench::bind_blob(batches, 3, answer);
      sqlite3_bind_int64(batches, 4, receipt.received_at_ms);
      bench::run(batches);
      b.exec("COMMIT");
      // sender
      auto back = wire::decode_signed(answer, error);
      if (!back || !wire::verify_receipt(*back, receiver_key.public_key())) throw std::runtime_error("bound: receipt");
      auto settled = wire::decode_receipt(back->message, error);
      if (!crypto::verify(receiver_key.public_key(), head, settled->tree_signature)) throw std::runtime_error("bound: head");
      const std::int64_t now = now_ms();
      b.exec("BEGIN IMMEDIATE");
      bench::bind_text(receipts, 1, settled->batch_id);
      bench::bind_text(receipts, 2, q.partner.org);
      bench::bind_blob(receipts, 3, answer);
      sqlite3_bind_int64(receipts, 4, now);
      bench::run(receipts);
      for (const auto& o : settled->outcomes) {
        sqlite3_bind_int64(settle, 1, now);
        bench::bind_text(settle, 2, settled->batch_id);
        bench::bind_text(settle, 3, o.record_id);
        bench::bind_text(settle, 4, q.partner.org);
        bench::run(settle);
        log_event("record.sent", q.partner.org, now);
      }
      b.exec("COMMIT");
    }
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

static void BM_ExchangeOutboxToInboxes(benchmark::State& state) {
  crypto::init();
  log::init(getenv("SN_BENCH_LOG") ? log::Level::info : log::Level::warn, getenv("SN_BENCH_LOG") ? getenv("SN_BENCH_LOG") : "");
  const int signals_count = static_cast<int>(state.range(0));
  fs::path dir = fs::temp_directory_path() / ("sn-bench-ex-" + crypto::random_hex_id(6));
  auto specs = app::demo_partners();
  // municipality (sender), SNF and RIEC (receivers); a PA, not started (the
  // records carry no identifiers)
  auto nodes = signalnode::testing::create_test_federation(dir, {specs[0], specs[2], specs[3], specs[4]});
  {
    app::NodeApp snf({nodes[1].dir, std::nullopt});
    app::NodeApp riec({nodes[2].dir, std::nullopt});
    snf.start();
    riec.start();

    // The sender without its own threads, so the benchmark drives delivery.
    config::NodePaths paths{nodes[0].dir};
    auto cfg = config::load_config(paths);
    auto data_key = crypto::aead_key_from(crypto::read_secret_file(paths.data_key(), 32).view());
    auto signing = crypto::SigningKey::from_secret(crypto::read_secret_file(paths.signing_key(), 64).view());
    api::Metrics metrics;
    federation::Federation fed(cfg, paths, metrics);
    storage::Store store(paths.database(), storage::node_migrations());
    pseudonyms::Pseudonymiser pseudo(store, data_key, now_ms, cfg.oin);
    sharing::Sharing sharing(store, pseudo, now_ms);
    signals::SignalRepository repo(store, data_key);

    std::map<std::string, std::unique_ptr<net::HttpsClient>> clients;
    std::vector<Queued> queued;  // the first iteration's records, for the bound
    for (auto _ : state) {
      state.PauseTiming();
      for (int i = 0; i < signals_count; ++i) {
        signals::Signal s;
        s.id = bench::ordered_id(now_ms());  // time-ordered, as crypto::time_ordered_hex_id makes them
        s.category = "housing.overcrowding";
        s.observed_on = "2026-11-20";
        s.municipality = "GM0358";
        s.created_at_ms = now_ms();
        s.submitted_by = "bench";
        store.write_async(repo.insert_job(s), {});
      }
      store.write([](storage::Database&) {});
      while (sharing.outbox.share_ready(*fed.policy(), *fed.manifest(), fed.self(), 1000) > 0) {
      }
      if (queued.empty()) {
        for (const auto& p : fed.manifest()->partners) {
          if (p.pseudonymisation_authority || p.org == fed.self().org) continue;
          Queued q{p, {}};
          store.read([&](storage::Database& db) {
            auto st = db.cached("SELECT record FROM outbox WHERE recipient = ? AND state = 'queued' ORDER BY rowid");
            st.bind(1, std::string_view(p.org));
            while (st.step()) q.stored.push_back(st.blob(0));
            return 0;
          });
          queued.push_back(std::move(q));
        }
      }
      state.ResumeTiming();
      // One partner after the other, as one delivery thread each would.
      for (;;) {
        for (const auto& p : fed.manifest()->partners) {
          if (p.pseudonymisation_authority || p.org == fed.self().org) continue;
          auto& client = clients[p.org];
          if (!client) client = fed.client_for(p);
          sharing.delivery.deliver_to(p, *fed.policy(), fed.self(), signing, *client);
        }
        if (sharing.outbox.outbox_stats().empty()) break;
      }
    }
    state.SetItemsProcessed(state.iterations() * signals_count * 2);  // one record to SNF, one to the RIEC
    std::size_t records = 0;
    for (const auto& q : queued) records += q.stored.size();
    const double bound =
        static_cast<double>(records) / primitive_seconds(queued, *fed.policy(), fed.self(), signing, dir);
    state.counters["bound_records_per_s"] = bound;
    state.counters["node_records_per_s"] =
        benchmark::Counter(static_cast<double>(state.iterations() * signals_count * 2), benchmark::Counter::kIsRate);
  }
  fs::remove_all(dir);
}
BENCHMARK(BM_ExchangeOutboxToInboxes)->Arg(10000)->Iterations(2)->Unit(benchmark::kMillisecond)->UseRealTime();
