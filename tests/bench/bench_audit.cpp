// Audit log: events appended per second inside write transactions (as the
// exchange appends them), and `audit verify` over 1,000,000 events.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "crypto/random.hpp"
#include "node/audit/audit_log.hpp"
#include "node/storage/schema.hpp"

namespace fs = std::filesystem;
using namespace signalnode;
using namespace signalnode::node;

namespace {
audit::Event sample(std::int64_t i) {
  audit::Event e;
  e.name = "record.received";
  e.start_ms = e.end_ms = 1'764'000'000'000 + i;
  e.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  e.foreign = audit::ForeignOperation{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "urn:oin:00000001002220647000"};
  e.attributes = {{"dpl.core.processing_activity_id",
                   "urn:signalnode:processing-activity:labour-to-inspectorate.0123456789abcdef"},
                  {"rule", "labour-to-inspectorate"},
                  {"legalBasis", "AVG art. 6(1)(e); convenant art. 4"},
                  {"purpose", "Supervision of labour exploitation"},
                  {"category", "labour.underpaid_or_unpaid"},
                  {"recordId", std::string(32, 'd')},
                  {"partner", "gemeente-aalsmeer"}};
  e.data_subjects = {std::string(128, 'a'), std::string(128, 'b'), std::string(128, 'e')};
  e.partner = "gemeente-aalsmeer";
  e.category = "labour.underpaid_or_unpaid";
  return e;
}
}  // namespace

// 500 events per transaction, as a received batch of 500 records writes them;
// each about three subjects, so 1,500 records (items: records).
static void BM_AuditAppendInTransactions(benchmark::State& state) {
  crypto::init();
  fs::path dir = fs::temp_directory_path() / ("sn-bench-audit-" + crypto::random_hex_id(6));
  fs::create_directories(dir);
  {
    storage::Store store(dir / "a.db", storage::node_migrations());
    std::int64_t i = 0;
    for (auto _ : state) {
      store.write([&](storage::Database& db) {
        for (int k = 0; k < 500; ++k) audit::AuditLog::append(db, sample(i++));
      });
    }
    state.SetItemsProcessed(state.iterations() * 1500);
  }
  fs::remove_all(dir);
}
BENCHMARK(BM_AuditAppendInTransactions)->Unit(benchmark::kMillisecond)->UseRealTime();

static void BM_AuditVerify(benchmark::State& state) {
  crypto::init();
  const auto n = state.range(0);
  fs::path dir = fs::temp_directory_path() / ("sn-bench-verify-" + crypto::random_hex_id(6));
  fs::create_directories(dir);
  auto key = crypto::SigningKey::generate();
  {
    storage::Store store(dir / "a.db", storage::node_migrations());
    audit::AuditLog log(store, key, [] { return std::int64_t{1'764'000'000'000}; });
    for (std::int64_t done = 0; done < n;) {
      store.write([&](storage::Database& db) {
        for (int k = 0; k < 5000 && done < n; ++k) audit::AuditLog::append(db, sample(done++));
      });
      if (done % 100000 == 0) log.sign_tree_head();  // a tree head every 100,000 events
    }
    log.sign_tree_head();
  }
  for (auto _ : state) {
    storage::Database db(dir / "a.db", storage::Database::Mode::read_only);
    auto r = audit::AuditLog::verify(db, key.public_key());
    // Logboek Dataverwerkingen: an event about three subjects is three
    // records (leaves), so the log verified holds 3n.
    if (!r.ok || r.events != static_cast<std::uint64_t>(3 * n)) state.SkipWithError(r.message.c_str());
  }
  state.SetItemsProcessed(state.iterations() * 3 * n);
  fs::remove_all(dir);
}
BENCHMARK(BM_AuditVerify)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
