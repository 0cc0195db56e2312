// Pseudonyms/s through a 2-of-3 threshold PA over mutual TLS (issue 15): a
// municipality node and three PA share holders in-process on loopback. Each
// iteration pseudonymises 1000 fresh identifiers the way the pseudonym worker
// does: blind, the batch to two holders at once over HTTPS, both proofs
// verified, combined, finalized. The bound, measured in the same run: the
// same protocol with bare libsodium in one process (no TLS, HTTP, JSON or
// threads). Also: new mTLS connections (handshakes) per second.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "tests/support/test_federation.hpp"
#include "crypto/oprf.hpp"
#include "crypto/threshold.hpp"
#include "crypto/voprf.hpp"
#include "node/pseudonyms/key_ceremony.hpp"
#include "node/pseudonyms/threshold_client.hpp"
#include "crypto/random.hpp"
#include "node/app/demo_federation.hpp"
#include "node/app/node_app.hpp"
#include "node/federation/federation.hpp"
#include "node/log/log.hpp"

namespace fs = std::filesystem;
namespace c = signalnode::crypto;
using namespace signalnode::node;

namespace {
using signalnode::testing::free_port;
using signalnode::testing::wait_until;


struct ThresholdFederation {
  ThresholdFederation() {
    c::init();
    log::init(log::Level::warn);
    dir = fs::temp_directory_path() / ("sn-bench-fed-" + c::random_hex_id(6));
    auto specs = app::demo_partners();  // 0: municipality; 4, 5, 6: the share holders
    nodes = signalnode::testing::create_test_federation(dir, {specs[0], specs[4], specs[5], specs[6]});
    for (const auto& n : nodes) {
      apps.push_back(std::make_unique<app::NodeApp>(app::NodeOptions{n.dir, std::nullopt}));
      apps.back()->start();
    }
  }
  ~ThresholdFederation() {
    apps.clear();
    fs::remove_all(dir);
  }
  app::NodeApp& municipality() { return *apps[0]; }
  fs::path dir;
  std::vector<app::DemoNode> nodes;
  std::vector<std::unique_ptr<app::NodeApp>> apps;
};

// Fresh inputs in the municipality's domain, blinded for the VOPRF.
struct Batch {
  std::vector<std::string> inputs;
  std::vector<c::oprf::Blinded> blinds;
  std::vector<c::oprf::Element> blinded;
  Batch(std::size_t n, std::uint64_t& counter) {
    for (std::size_t i = 0; i < n; ++i) {
      inputs.push_back("00000001002220647000:kvk:" + std::to_string(10000000 + counter++ % 89999999));
      auto b = c::voprf::blind(c::as_bytes(inputs.back()));
      blinded.push_back(b->blinded_element);
      blinds.push_back(std::move(*b));
    }
  }
  void finalize(const std::vector<c::oprf::Element>& combined) const {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      benchmark::DoNotOptimize(c::voprf::finalize_verified(c::as_bytes(inputs[i]), blinds[i].blind, combined[i]));
    }
  }
};
}  // namespace

static void BM_PseudonymsThroughPaOverMtls(benchmark::State& state) {
  ThresholdFederation fed;
  auto transport = fed.municipality().federation()->pa_transport();
  const std::size_t batch = static_cast<std::size_t>(state.range(0));
  std::uint64_t counter = 0;
  for (auto _ : state) {
    Batch b(batch, counter);
    b.finalize(transport->evaluate(b.blinded).evaluated);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
}
// The PA's default per-partner rate (5,000/s, burst 20,000) would throttle a
// long run; iterations are bounded to stay inside the burst.
BENCHMARK(BM_PseudonymsThroughPaOverMtls)->Arg(1000)->Iterations(15)->Unit(benchmark::kMillisecond)->UseRealTime();

// The bound: the same 2-of-3 protocol with bare libsodium and the same
// parallelism (no TLS, HTTP, JSON or processes): two holders evaluate with
// proofs on two threads, each proof verified on its holder's thread, then the
// client combines and finalizes.
static void BM_PseudonymsThresholdBareLibsodium(benchmark::State& state) {
  namespace ps = signalnode::node::pseudonyms;
  c::init();
  auto dir = fs::temp_directory_path() / ("sn-bench-bare-" + c::random_hex_id(6));
  auto keys = ps::run_key_ceremony(dir, 2, 3, 1);
  ps::LocalShareHolder h1("pa-1", ps::load_share(ps::share_file(dir, 1, 1)), 1);
  ps::LocalShareHolder h2("pa-2", ps::load_share(ps::share_file(dir, 2, 1)), 1);
  fs::remove_all(dir);
  const std::size_t batch = static_cast<std::size_t>(state.range(0));
  std::uint64_t counter = 0;
  for (auto _ : state) {
    Batch b(batch, counter);
    std::vector<ps::ShareHolder*> holders{&h1, &h2};
    auto r = ps::evaluate_with_threshold(holders, keys, b.blinded);
    if (r.combined.empty()) state.SkipWithError("did not verify");
    b.finalize(r.combined);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
}
BENCHMARK(BM_PseudonymsThresholdBareLibsodium)->Arg(1000)->Iterations(15)->Unit(benchmark::kMillisecond)->UseRealTime();

static void BM_MutualTlsHandshake(benchmark::State& state) {
  ThresholdFederation nodes;
  auto* fed = nodes.municipality().federation();
  auto pa = *fed->manifest()->share_holders().at(0);
  for (auto _ : state) {
    auto client = fed->client_for(pa);  // a new connection each time
    benchmark::DoNotOptimize(client->request("GET", "/federation/v1/healthz"));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MutualTlsHandshake)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2);
