// Policy evaluation and record building per signal, beside the cost of one
// Ed25519 signature (issue 5: "far below the cost of one signature").
#include <benchmark/benchmark.h>

#include "crypto/ed25519.hpp"
#include "crypto/random.hpp"
#include "policies/policy.hpp"
#include "protocol/wire.hpp"

namespace signalnode::embedded {
std::string_view covenant_toml();
}

namespace {
using namespace signalnode;
const std::vector<policies::Party> kPartners = {{"gemeente-aalsmeer", "municipality"},
                                                {"nla", "labour_inspectorate"},
                                                {"snf", "housing_certifier"},
                                                {"riec-amsterdam", "riec"}};
const auto kDay = std::chrono::sys_days{std::chrono::year{2026} / 11 / 24};
}  // namespace

// Decide for each of the three partners of a municipality.
static void BM_PolicyDecideThreePartners(benchmark::State& state) {
  auto policy = policies::Policy::parse(embedded::covenant_toml(), "covenant.toml", policies::Taxonomy::builtin(), kPartners);
  for (auto _ : state) {
    for (std::size_t i = 1; i < kPartners.size(); ++i) {
      benchmark::DoNotOptimize(policy.decide(kPartners[0], kPartners[i], "labour.underpaid_or_unpaid", kDay));
    }
  }
}
BENCHMARK(BM_PolicyDecideThreePartners);

// Decide and build the wire form of the records (4 pseudonyms each) for them.
static void BM_PolicyDecideAndBuildRecords(benchmark::State& state) {
  auto policy = policies::Policy::parse(embedded::covenant_toml(), "covenant.toml", policies::Taxonomy::builtin(), kPartners);
  std::array<std::uint8_t, 64> pseudonym{};
  pseudonym.fill(0x42);
  const std::pair<const char*, const char*> ids[] = {{"organisation", "kvk"}, {"address", "address"}, {"person", "bsn"}, {"account", "iban"}};
  for (auto _ : state) {
    for (std::size_t i = 1; i < kPartners.size(); ++i) {
      auto d = policy.decide(kPartners[0], kPartners[i], "labour.underpaid_or_unpaid", kDay);
      if (!d.grant) continue;
      protocol::wire::Batch b;
      protocol::wire::Record r;
      r.record_id = std::string(32, 'a');
      r.category = "labour.underpaid_or_unpaid";
      if (d.grant->rule->fields.contains("week")) r.observed_week = "2026-W47";
      for (const auto& [kind, id_kind] : ids) {
        if (d.grant->rule->pseudonyms.contains(id_kind)) r.subjects.push_back({kind, id_kind, pseudonym});
      }
      r.rule_id = d.grant->rule->id;
      r.policy_hash = policy.sha256();
      b.records.push_back(std::move(r));
      benchmark::DoNotOptimize(protocol::wire::encode(b));
    }
  }
}
BENCHMARK(BM_PolicyDecideAndBuildRecords);

static void BM_OneEd25519Signature(benchmark::State& state) {
  crypto::init();
  auto key = crypto::SigningKey::generate();
  std::string message(600, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(key.sign(crypto::as_bytes(message)));
}
BENCHMARK(BM_OneEd25519Signature);
