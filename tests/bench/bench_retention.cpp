// The hourly retention pass at 1,000,000 stored pseudonyms (issue 19): how
// long it takes with nothing to expire and with 10% of the received records
// past their retention, and the longest time any other write waited for the
// writer meanwhile (a probe submits an empty write job every millisecond and
// times it from submit to completion: the writer stall an officer's submit
// would feel on top of its own fsync).
#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <thread>

#include "crypto/random.hpp"
#include "node/sharing/sharing.hpp"
#include "node/storage/schema.hpp"
#include "tests/bench/bench_ids.hpp"

namespace fs = std::filesystem;
using namespace signalnode;
using namespace signalnode::node;

namespace {

constexpr int kRecords = 250'000;  // x 4 subjects = 1,000,000 stored pseudonyms
constexpr int kDistinct = 700'000;
constexpr std::int64_t kNow = 1'764'000'000'000;
constexpr std::int64_t kDay = 86'400'000;

std::array<std::uint8_t, 64> pseudonym_of(std::uint64_t n) { return bench::synthetic_pseudonym(n, 7); }

// Records received over the last 100 days; the oldest tenth expired a day
// before kNow, the others expire in a year. No own signals.
struct RetentionWorld {
  fs::path dir;
  std::unique_ptr<storage::Store> store;
  crypto::AeadKey key = crypto::generate_aead_key();
  std::atomic<std::int64_t> now{kNow - 30 * kDay};
  std::unique_ptr<pseudonyms::Pseudonymiser> pseudo;
  std::unique_ptr<sharing::Sharing> sharing;

  RetentionWorld() : dir(fs::temp_directory_path() / ("sn-bench-ret-" + crypto::random_hex_id(6))) {
    crypto::init();
    fs::create_directories(dir);
    storage::Checkpointer::Limits limits;
    if (const char* mib = std::getenv("SN_BENCH_PASSIVE_MIB")) {  // experiments with the checkpoint window
      limits.passive_bytes = std::atoll(mib) << 20;
      limits.reset_bytes = 2 * limits.passive_bytes;
    }
    store = std::make_unique<storage::Store>(dir / "node.db", storage::node_migrations(), limits);
    const char* senders[] = {"gemeente-aalsmeer", "nla", "snf"};
    for (int chunk = 0; chunk < kRecords; chunk += 10'000) {
      store->write([&](storage::Database& db) {
        auto inbox = db.cached(
            "INSERT INTO inbox (id, sender, sender_role, record_id, category, rule_id, policy_sha256, received_at_ms, "
            "expires_at_ms) VALUES (?, ?, 'municipality', ?, 'housing.overcrowding', 'r', '', ?, ?)");
        auto subject = db.cached(
            "INSERT INTO inbox_subjects (inbox_id, position, kind, id_kind, pseudonym, sender, received_at_ms) "
            "VALUES (?,?, 'address', 'address', ?, ?, ?)");
        for (int i = chunk; i < chunk + 10'000; ++i) {
          const std::int64_t received = kNow - 100 * kDay + static_cast<std::int64_t>(i) * (100 * kDay / kRecords);
          std::string id = bench::record_id(received);
          const std::int64_t expires = i < kRecords / 10 ? kNow - kDay : kNow + 365 * kDay;
          inbox.reset();
          inbox.bind(1, std::string_view(id)).bind(2, std::string_view(senders[i % 3])).bind(3, std::string_view(id))
              .bind(4, received).bind(5, expires).run();
          for (int k = 0; k < 4; ++k) {
            subject.reset();
            subject.bind(1, std::string_view(id)).bind(2, static_cast<std::int64_t>(k))
                .bind_blob(3, pseudonym_of(static_cast<std::uint64_t>((i * 4 + k) % kDistinct)))
                .bind(4, std::string_view(senders[i % 3])).bind(5, received).run();
          }
        }
      });
    }
    store->checkpoint_now();  // the setup's WAL is not the pass's to copy
    pseudo = std::make_unique<pseudonyms::Pseudonymiser>(*store, key, [this] { return now.load(); }, "00000001002220647000");
    sharing = std::make_unique<sharing::Sharing>(*store, *pseudo, [this] { return now.load(); });
  }
  ~RetentionWorld() {
    sharing.reset();
    pseudo.reset();
    store.reset();
    fs::remove_all(dir);
  }
};

RetentionWorld& world() {
  static RetentionWorld w;
  return w;
}

}  // namespace

// Arg: percent of the received records past their retention (0 or 10). The
// 0 case runs first and deletes nothing; the 10 case then deletes the oldest
// 25,000 records (100,000 stored pseudonyms). One iteration each.
static void BM_RetentionPass(benchmark::State& state) {
  RetentionWorld& w = world();
  w.now = state.range(0) == 0 ? kNow - 30 * kDay : kNow;
  std::atomic<bool> done{false};
  std::atomic<int> phase{0};  // 0 received, 1 own, 2 vacuum: where each stall began
  std::int64_t longest_us = 0, probes = 0;
  std::array<std::int64_t, 3> longest_in{};
  std::thread probe([&] {
    while (!done.load()) {
      const int in = phase.load();
      auto t0 = std::chrono::steady_clock::now();
      w.store->write([](storage::Database&) {});
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
      longest_us = std::max<std::int64_t>(longest_us, us);
      longest_in[static_cast<std::size_t>(in)] = std::max(longest_in[static_cast<std::size_t>(in)], us);
      ++probes;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  const auto checkpoints_before = w.store->checkpoints();
  std::int64_t expired = 0;
  double received_ms = 0, own_ms = 0, vacuum_ms = 0, pages = 0;
  auto ms_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
  };
  for (auto _ : state) {
    auto t = std::chrono::steady_clock::now();
    expired += w.sharing->retention.expire_received();
    received_ms += ms_since(t);
    t = std::chrono::steady_clock::now();
    phase = 1;
    expired += w.sharing->retention.expire_own(365);
    own_ms += ms_since(t);
    t = std::chrono::steady_clock::now();
    phase = 2;
    pages += static_cast<double>(w.store->reclaim_space());
    vacuum_ms += ms_since(t);
  }
  done = true;
  probe.join();
  state.counters["expired_records"] = static_cast<double>(expired);
  state.counters["longest_writer_stall_ms"] = static_cast<double>(longest_us) / 1000.0;
  state.counters["probes"] = static_cast<double>(probes);
  state.counters["stall_received_ms"] = static_cast<double>(longest_in[0]) / 1000.0;
  state.counters["stall_vacuum_ms"] = static_cast<double>(longest_in[2]) / 1000.0;
  state.counters["received_ms"] = received_ms;
  state.counters["own_ms"] = own_ms;
  state.counters["vacuum_ms"] = vacuum_ms;
  state.counters["pages_freed"] = pages;
  const auto checkpoints = w.store->checkpoints();
  state.counters["writer_tail_copies"] = static_cast<double>(checkpoints.by_writer - checkpoints_before.by_writer);
  state.counters["longest_writer_tail_ms"] = static_cast<double>(checkpoints.longest_writer_us) / 1000.0;
}
BENCHMARK(BM_RetentionPass)->Arg(0)->Arg(10)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
