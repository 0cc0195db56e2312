// The exchange alone: records already in a node's durable outbox, pushed in
// signed batches over mTLS to two partner nodes, stored durably there and
// acknowledged by signed receipts. Records/s from outbox to inboxes.
#include <map>
#include <benchmark/benchmark.h>

#include <filesystem>

#include "tests/support/test_federation.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_file.hpp"
#include "node/app/demo_federation.hpp"
#include "node/app/node_app.hpp"
#include "node/federation/federation.hpp"
#include "node/log/log.hpp"
#include "node/sharing/sharing.hpp"
#include "node/signals/signal_repository.hpp"
#include "node/storage/schema.hpp"

namespace fs = std::filesystem;
using namespace signalnode;
using namespace signalnode::node;

namespace {
std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
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
    for (auto _ : state) {
      state.PauseTiming();
      for (int i = 0; i < signals_count; ++i) {
        signals::Signal s;
        s.id = crypto::random_hex_id(16);
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
  }
  fs::remove_all(dir);
}
BENCHMARK(BM_ExchangeOutboxToInboxes)->Arg(10000)->Iterations(2)->Unit(benchmark::kMillisecond)->UseRealTime();
