// Canonicalisation cost per identifier kind, and a whole signal body parse.
#include <benchmark/benchmark.h>

#include "node/signals/signal_json.hpp"
#include "protocol/identifiers.hpp"

namespace p = signalnode::protocol;
using namespace std::chrono;

static void BM_CanonicalBsn(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(p::canonical_bsn("1234.56.782"));
}
BENCHMARK(BM_CanonicalBsn);

static void BM_CanonicalIban(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(p::canonical_iban("NL91 ABNA 0417 1643 00"));
}
BENCHMARK(BM_CanonicalIban);

static void BM_CanonicalAddress(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(p::canonical_address("1431 AB", "12", "A", "2"));
}
BENCHMARK(BM_CanonicalAddress);

static void BM_CanonicalPersonUnicode(benchmark::State& state) {
  const sys_days today{year{2026} / 11 / 24};
  for (auto _ : state) benchmark::DoNotOptimize(p::canonical_person("Łukasz  Woźniak-Иванов", "1990-02-01", today));
}
BENCHMARK(BM_CanonicalPersonUnicode);

static void BM_CanonicalPhone(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(p::canonical_phone("+48 601 234 567"));
}
BENCHMARK(BM_CanonicalPhone);

static void BM_ParseSignalFourSubjects(benchmark::State& state) {
  const std::string body = R"({"category":"housing.overcrowding","observedOn":"2026-11-20","municipality":"GM0358",
    "severity":"high","persons":14,"summary":"free text",
    "subjects":[{"kind":"organisation","role":"temp_agency","kvk":"12345678"},
     {"kind":"address","postcode":"1431 AB","houseNumber":12,"houseLetter":"A","addition":"2"},
     {"kind":"person","role":"worker","bsn":"123456782"},
     {"kind":"person","role":"worker","name":"Łukasz Nowak","birthDate":"1990-02-01"}]})";
  const auto& taxonomy = signalnode::policies::Taxonomy::builtin();
  for (auto _ : state) {
    benchmark::DoNotOptimize(signalnode::node::signals::parse_signal(body, taxonomy, sys_days{year{2026} / 11 / 24}));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseSignalFourSubjects);
