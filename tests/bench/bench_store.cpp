// Storing signals durably: seal + insert through the group-committing writer
// (synchronous=FULL), with N concurrent submitters as the API would have.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <latch>
#include <thread>

#include "crypto/random.hpp"
#include "node/signals/signal_json.hpp"
#include "node/signals/signal_repository.hpp"
#include "node/storage/schema.hpp"

namespace fs = std::filesystem;
using namespace signalnode;

namespace {
node::signals::Signal four_subject_signal() {
  auto r = node::signals::parse_signal(
      R"({"category":"housing.overcrowding","observedOn":"2026-11-20","summary":"free text",
    "subjects":[{"kind":"organisation","kvk":"12345678"},{"kind":"address","postcode":"1431AB","houseNumber":12},
     {"kind":"person","bsn":"123456782"},{"kind":"vehicle","plate":"AB-123-C"}]})",
      policies::Taxonomy::builtin(), std::chrono::sys_days{std::chrono::year{2026} / 11 / 24});
  return r.value();
}
}  // namespace

static void BM_SealSignal(benchmark::State& state) {
  crypto::init();
  auto key = crypto::generate_aead_key();
  auto signal = four_subject_signal();
  for (auto _ : state) {
    auto payload = node::signals::sealed_payload(signal);
    benchmark::DoNotOptimize(crypto::seal(key, crypto::as_bytes(payload), crypto::as_bytes(signal.id)));
  }
}
BENCHMARK(BM_SealSignal);

static void BM_StoreSignalsDurably(benchmark::State& state) {
  crypto::init();
  const int writers = static_cast<int>(state.range(0));
  fs::path dir = fs::temp_directory_path() / ("sn-bench-" + crypto::random_hex_id(6));
  fs::create_directories(dir);
  {
    auto key = crypto::generate_aead_key();
    node::storage::Store store(dir / "bench.db", node::storage::node_migrations());
    node::signals::SignalRepository repo(store, key);
    auto templ = four_subject_signal();
    constexpr int kPerWriter = 200;
    for (auto _ : state) {
      std::vector<std::thread> threads;
      for (int w = 0; w < writers; ++w) {
        threads.emplace_back([&] {
          for (int i = 0; i < kPerWriter; ++i) {
            auto s = templ;
            s.id = crypto::random_hex_id(16);
            s.created_at_ms = i;
            store.write(repo.insert_job(s));
          }
        });
      }
      for (auto& t : threads) t.join();
    }
    state.SetItemsProcessed(state.iterations() * writers * kPerWriter);
  }
  fs::remove_all(dir);
}
BENCHMARK(BM_StoreSignalsDurably)->Arg(1)->Arg(8)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();
