// The cost of the web interface's log-in: argon2id at libsodium's interactive
// limits (what a guesser pays per try and what a log-in costs an I/O thread),
// and the session lookup every page request makes.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "crypto/password.hpp"
#include "crypto/random.hpp"
#include "node/auth/users.hpp"
#include "node/storage/schema.hpp"

namespace {
namespace c = signalnode::crypto;
namespace au = signalnode::node::auth;
namespace st = signalnode::node::storage;

void BM_PasswordVerify(benchmark::State& state) {
  c::init();
  const std::string hash = c::hash_password("correct horse battery staple");
  for (auto _ : state) benchmark::DoNotOptimize(c::verify_password(hash, "correct horse battery staple"));
}
BENCHMARK(BM_PasswordVerify)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SessionLookup(benchmark::State& state) {
  c::init();
  auto dir = std::filesystem::temp_directory_path() / ("sn-bench-web-" + c::random_hex_id(6));
  std::filesystem::create_directories(dir);
  {
    st::Store store(dir / "node.db", st::node_migrations());
    au::UserStore users(store);
    users.create("bench.officer", au::Role::officer, "correct horse battery staple", 1, "bench");
    auto session = *users.login("bench.officer", "correct horse battery staple", "", 1000).session;
    for (auto _ : state) benchmark::DoNotOptimize(users.session(session.token, 2000));
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_SessionLookup)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
