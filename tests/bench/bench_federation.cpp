// Identifiers/s through the PA over mutual TLS: a municipality node and the
// RIEC (PA) in-process on loopback. Each iteration pseudonymises 1000 fresh
// identifiers the way the pseudonym worker does: blind, one HTTPS batch to the
// PA, finalize. Also: new mTLS connections (handshakes) per second.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "tests/support/test_federation.hpp"
#include "crypto/oprf.hpp"
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


struct TwoNodes {
  TwoNodes() {
    c::init();
    log::init(log::Level::warn);
    dir = fs::temp_directory_path() / ("sn-bench-fed-" + c::random_hex_id(6));
    auto specs = app::demo_partners();
    auto nodes = signalnode::testing::create_test_federation(dir, {specs[0], specs[3]});
    municipality = std::make_unique<app::NodeApp>(app::NodeOptions{nodes[0].dir, std::nullopt});
    riec = std::make_unique<app::NodeApp>(app::NodeOptions{nodes[1].dir, std::nullopt});
    // Fast enough for the benchmark to be about the protocol, not the limit.
    municipality->start();
    riec->start();
  }
  ~TwoNodes() {
    municipality.reset();
    riec.reset();
    fs::remove_all(dir);
  }
  fs::path dir;
  std::unique_ptr<app::NodeApp> municipality, riec;
};

}  // namespace

static void BM_PseudonymsThroughPaOverMtls(benchmark::State& state) {
  TwoNodes nodes;
  auto transport = nodes.municipality->federation()->pa_transport();
  const std::size_t batch = static_cast<std::size_t>(state.range(0));
  std::uint64_t counter = 0;
  for (auto _ : state) {
    std::vector<std::string> inputs;
    std::vector<c::oprf::Blinded> blinds;
    std::vector<c::oprf::Element> blinded;
    for (std::size_t i = 0; i < batch; ++i) {
      inputs.push_back("kvk:" + std::to_string(10000000 + counter++ % 89999999));
      auto b = c::oprf::blind(c::as_bytes(inputs.back()));
      blinded.push_back(b->blinded_element);
      blinds.push_back(std::move(*b));
    }
    auto answer = transport->evaluate(blinded);
    for (std::size_t i = 0; i < batch; ++i) {
      benchmark::DoNotOptimize(c::oprf::finalize(c::as_bytes(inputs[i]), blinds[i].blind, answer.evaluated[i]));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
}
// The PA's default per-partner rate (5,000/s, burst 20,000) would throttle a
// long run; iterations are bounded to stay inside the burst.
BENCHMARK(BM_PseudonymsThroughPaOverMtls)->Arg(1000)->Iterations(15)->Unit(benchmark::kMillisecond)->UseRealTime();

static void BM_MutualTlsHandshake(benchmark::State& state) {
  TwoNodes nodes;
  auto* fed = nodes.municipality->federation();
  auto pa = *fed->manifest()->authority();
  for (auto _ : state) {
    auto client = fed->client_for(pa);  // a new connection each time
    benchmark::DoNotOptimize(client->request("GET", "/federation/v1/healthz"));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MutualTlsHandshake)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2);
