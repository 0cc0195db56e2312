// OPRF cost per step, a 1000-element PA batch, and the same work done with bare
// libsodium calls (no validation, no hashing of our own): the bound the
// primitives set. docs/benchmarks.md reports ours as a ratio of that bound.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "crypto/oprf.hpp"
#include "crypto/random.hpp"
#include "node/pseudonyms/oprf_keyring.hpp"
#include "node/pseudonyms/pa_service.hpp"
#include "tests/support/local_pa.hpp"
#include "node/pseudonyms/pseudonymiser.hpp"
#include "node/signals/signal_repository.hpp"
#include "node/storage/schema.hpp"

namespace c = signalnode::crypto;
namespace o = signalnode::crypto::oprf;

namespace {
const auto kInput = c::as_bytes("bsn:123456782");
struct Init {
  Init() { c::init(); }
} init_once;
}  // namespace

static void BM_OprfBlind(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(o::blind(kInput));
}
BENCHMARK(BM_OprfBlind);

static void BM_OprfBlindEvaluate(benchmark::State& state) {
  auto kp = o::generate_key_pair();
  auto b = o::blind(kInput);
  for (auto _ : state) benchmark::DoNotOptimize(o::blind_evaluate(kp.secret, b->blinded_element));
}
BENCHMARK(BM_OprfBlindEvaluate);

static void BM_OprfFinalize(benchmark::State& state) {
  auto kp = o::generate_key_pair();
  auto b = o::blind(kInput);
  auto e = o::blind_evaluate(kp.secret, b->blinded_element);
  for (auto _ : state) benchmark::DoNotOptimize(o::finalize(kInput, b->blind, *e));
}
BENCHMARK(BM_OprfFinalize);

static void BM_OprfBatchEvaluate1000(benchmark::State& state) {
  auto kp = o::generate_key_pair();
  std::vector<o::Element> batch;
  for (int i = 0; i < 1000; ++i) batch.push_back(o::blind(kInput)->blinded_element);
  for (auto _ : state) benchmark::DoNotOptimize(o::blind_evaluate_batch(kp.secret, batch));
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_OprfBatchEvaluate1000)->Unit(benchmark::kMillisecond);

// One full pseudonym: Blind + BlindEvaluate + Finalize, through our API.
static void BM_OprfPseudonymFull(benchmark::State& state) {
  auto kp = o::generate_key_pair();
  for (auto _ : state) {
    auto b = o::blind(kInput);
    auto e = o::blind_evaluate(kp.secret, b->blinded_element);
    benchmark::DoNotOptimize(o::finalize(kInput, b->blind, *e));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OprfPseudonymFull);

// The same group work with bare libsodium: one hash-to-group from 64 bytes,
// three variable-base scalar multiplications, one inversion, one SHA-512.
static void BM_BareLibsodiumPseudonymBound(benchmark::State& state) {
  unsigned char uniform[64], point[32], blinded[32], evaluated[32], unblinded[32];
  unsigned char sk[32], r[32], rinv[32], out[64];
  randombytes_buf(uniform, sizeof uniform);
  crypto_core_ristretto255_scalar_random(sk);
  for (auto _ : state) {
    crypto_core_ristretto255_from_hash(point, uniform);
    crypto_core_ristretto255_scalar_random(r);
    int rc = crypto_scalarmult_ristretto255(blinded, r, point);
    rc |= crypto_scalarmult_ristretto255(evaluated, sk, blinded);
    rc |= crypto_core_ristretto255_scalar_invert(rinv, r);
    rc |= crypto_scalarmult_ristretto255(unblinded, rinv, evaluated);
    crypto_hash_sha512(out, unblinded, sizeof unblinded);
    benchmark::DoNotOptimize(out);
    benchmark::DoNotOptimize(rc);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BareLibsodiumPseudonymBound);

static void BM_BareScalarMult(benchmark::State& state) {
  unsigned char sk[32], p[32], q[32];
  crypto_core_ristretto255_scalar_random(sk);
  crypto_core_ristretto255_random(p);
  for (auto _ : state) {
    int rc = crypto_scalarmult_ristretto255(q, sk, p);
    benchmark::DoNotOptimize(q);
    benchmark::DoNotOptimize(rc);
  }
}
BENCHMARK(BM_BareScalarMult);

// The PA's wire path: parse a 1000-element JSON request, rate-check, validate,
// evaluate, serialise the answer.
static void BM_PaEvaluateJson1000(benchmark::State& state) {
  auto dir = std::filesystem::temp_directory_path() / ("sn-bench-pa-" + c::random_hex_id(6));
  signalnode::node::pseudonyms::OprfKeyring::create_next_epoch(dir);
  signalnode::node::pseudonyms::PaService pa(
      signalnode::node::pseudonyms::OprfKeyring::load(dir),
      {.max_batch = 1000, .elements_per_second = 1e12, .burst = 1e12, .budget = signalnode::node::pseudonyms::kNoPaBudget, .partner_budgets = {}});
  std::filesystem::remove_all(dir);
  std::vector<o::Element> batch;
  for (int i = 0; i < 1000; ++i) batch.push_back(o::blind(kInput)->blinded_element);
  std::string body = signalnode::node::pseudonyms::pa_request_json(batch);
  for (auto _ : state) {
    auto r = pa.evaluate_json("bench", body);
    benchmark::DoNotOptimize(signalnode::node::pseudonyms::pa_answer_json(
        std::get<signalnode::node::pseudonyms::PaAnswer>(r)));
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_PaEvaluateJson1000)->Unit(benchmark::kMillisecond);

// The cost of the per-partner budgets (issue 15): PaBudget::charge alone (one
// mutex, one map look-up, a few compares), over Arg(0) callers taking turns
// among 1 or 50, with budgets too large to refuse; then PaService::evaluate of
// a 1- and a 1000-element batch without (Arg 0) and with (Arg 1) budgets.
namespace {
constexpr signalnode::node::pseudonyms::PaBudgetLimits kBenchBudget{.elements_per_minute = 1'000'000'000'000'000,
                                                                    .elements_per_day = 1'000'000'000'000'000,
                                                                    .jump_factor = 10,
                                                                    .jump_floor = 10'000,
                                                                    .max_callers = 1000};
}  // namespace

static void BM_PaBudgetCharge(benchmark::State& state) {
  namespace ps = signalnode::node::pseudonyms;
  ps::PaBudget budget(kBenchBudget);
  std::vector<std::string> callers;
  for (int i = 0; i < state.range(0); ++i) callers.push_back("gemeente-partner-" + std::to_string(i));
  std::size_t next = 0;
  for (auto _ : state) {
    auto d = budget.charge(callers[next], 1, std::chrono::system_clock::now());
    benchmark::DoNotOptimize(d);
    next = next + 1 == callers.size() ? 0 : next + 1;
  }
}
BENCHMARK(BM_PaBudgetCharge)->Arg(1)->Arg(50);

static void pa_evaluate(benchmark::State& state, std::size_t n) {
  namespace ps = signalnode::node::pseudonyms;
  auto dir = std::filesystem::temp_directory_path() / ("sn-bench-pab-" + c::random_hex_id(6));
  ps::OprfKeyring::create_next_epoch(dir);
  ps::PaService pa(ps::OprfKeyring::load(dir), {.max_batch = 1000,
                                                .elements_per_second = 1e12,
                                                .burst = 1e12,
                                                .budget = state.range(0) ? kBenchBudget : ps::kNoPaBudget, .partner_budgets = {}});
  std::filesystem::remove_all(dir);
  std::vector<o::Element> batch;
  for (std::size_t i = 0; i < n; ++i) batch.push_back(o::blind(kInput)->blinded_element);
  for (auto _ : state) {
    auto r = pa.evaluate("bench", batch);
    if (!std::holds_alternative<ps::PaAnswer>(r)) state.SkipWithError("refused");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
static void BM_PaEvaluate1(benchmark::State& state) { pa_evaluate(state, 1); }
static void BM_PaEvaluate1000(benchmark::State& state) { pa_evaluate(state, 1000); }
BENCHMARK(BM_PaEvaluate1)->Arg(0)->Arg(1);
BENCHMARK(BM_PaEvaluate1000)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// A node's whole pseudonymisation pass for 1000 queued identifiers: unseal,
// blind, PA evaluation (in-process), finalize, seal, durable commit.
static void BM_PseudonymiserPass1000(benchmark::State& state) {
  namespace ps = signalnode::node::pseudonyms;
  auto dir = std::filesystem::temp_directory_path() / ("sn-bench-ps-" + c::random_hex_id(6));
  signalnode::testing::LocalPa pa(dir / "oprf", {.max_batch = 1000, .elements_per_second = 1e12, .burst = 1e12,
                                                 .budget = ps::kNoPaBudget, .partner_budgets = {}});
  auto& transport = pa.transport();
  {
    auto key = c::generate_aead_key();
    signalnode::node::storage::Store store(dir / "bench.db", signalnode::node::storage::node_migrations());
    ps::Pseudonymiser pseudo(store, key, [] { return std::int64_t{0}; }, "00000001002220647000");
    std::int64_t next = 0;
    for (auto _ : state) {
      state.PauseTiming();
      signalnode::node::signals::Signal s;
      s.id = c::random_hex_id(16);
      for (int i = 0; i < 1000; ++i) {
        signalnode::node::signals::Subject subject;
        subject.kind = "organisation";
        char kvk[9];
        std::snprintf(kvk, sizeof kvk, "%08lld", static_cast<long long>(next++ % 100000000));
        subject.identifiers.push_back({signalnode::protocol::IdKind::kvk, kvk});
        s.subjects.push_back(subject);
      }
      auto rows = signalnode::node::signals::prepare_identifiers(s, pseudo);
      store.write([&](signalnode::node::storage::Database& db) {
        db.exec("INSERT INTO signals (id, category, observed_on, severity, created_at_ms, submitted_by, key_id, "
                "sealed) VALUES ('" + s.id + "', 'labour.debt_bondage', '2026-11-20', 'low', 0, 'bench', 1, x'00')");
        ps::Pseudonymiser::write_rows(db, s.id, rows, 0);
      });
      state.ResumeTiming();
      auto result = pseudo.process_pending(transport);
      if (result.computed != 1000) state.SkipWithError("pass did not compute 1000");
    }
    state.SetItemsProcessed(state.iterations() * 1000);
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_PseudonymiserPass1000)->Unit(benchmark::kMillisecond)->Iterations(5);
