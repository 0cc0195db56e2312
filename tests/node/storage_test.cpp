#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <latch>
#include <sstream>
#include <thread>

#include "tests/support/temp_dir.hpp"
#include "crypto/random.hpp"
#include "node/auth/tokens.hpp"
#include "node/signals/signal_json.hpp"
#include "node/signals/signal_repository.hpp"
#include "node/storage/schema.hpp"
#include "node/storage/store.hpp"

namespace fs = std::filesystem;
namespace st = signalnode::node::storage;
namespace sg = signalnode::node::signals;
namespace au = signalnode::node::auth;
namespace c = signalnode::crypto;

class StorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    c::init();
  }
  fs::path db() const { return dir_ / "node.db"; }

  static std::string file_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  sg::Signal example(const std::string& id, std::int64_t at) {
    auto r = sg::parse_signal(R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
      "summary":"Workers say Flex Uitzend BV pays 4 euro an hour",
      "subjects":[{"kind":"person","bsn":"123456782","name":"Łukasz Nowak","birthDate":"1990-02-01"},
                  {"kind":"organisation","kvk":"12345678","name":"Flex Uitzend BV"}]})",
                              signalnode::policies::Taxonomy::builtin(), std::chrono::sys_days{std::chrono::year{2026} / 11 / 24});
    EXPECT_TRUE(r.ok());
    sg::Signal s = r.value();
    s.id = id;
    s.created_at_ms = at;
    s.submitted_by = "tok";
    return s;
  }

  signalnode::testing::TempDir dir_{"sn-storage-"};
};

TEST_F(StorageTest, MigratesOnceAndRefusesNewerSchema) {
  {
    st::Store store(db(), st::node_migrations());
  }
  {
    st::Database d(db(), st::Database::Mode::read_write);
    EXPECT_EQ(st::schema_version(d), static_cast<int>(st::node_migrations().size()));
    d.exec("PRAGMA user_version = 99");
  }
  EXPECT_THROW(st::Store(db(), st::node_migrations()), std::runtime_error);
}

TEST_F(StorageTest, DatabaseIsInWalMode) {
  st::Store store(db(), st::node_migrations());
  std::string mode = store.read([](st::Database& d) {
    auto s = d.prepare("PRAGMA journal_mode");
    s.step();
    return s.text(0);
  });
  EXPECT_EQ(mode, "wal");
}

TEST_F(StorageTest, SignalsAreSealedAtRestAndReadBack) {
  c::AeadKey key = c::generate_aead_key();
  {
    st::Store store(db(), st::node_migrations());
    sg::SignalRepository repo(store, key);
    store.write(repo.insert_job(example("aa000000000000000000000000000001", 1000)));
    auto back = repo.get("aa000000000000000000000000000001");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->summary, "Workers say Flex Uitzend BV pays 4 euro an hour");
    ASSERT_EQ(back->subjects.size(), 2u);
    EXPECT_EQ(back->subjects[0].identifiers[0].canonical, "123456782");
    EXPECT_EQ(repo.count(), 1);
    EXPECT_FALSE(repo.get("aa000000000000000000000000000002"));
  }
  // Nothing identifying is readable in the database files.
  std::string bytes = file_bytes(db()) + (fs::exists(dir_ / "node.db-wal") ? file_bytes(dir_ / "node.db-wal") : "");
  for (const char* secret : {"123456782", "12345678", "Nowak", "Flex Uitzend", "4 euro", "1990-02-01"}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " stored in plain text";
  }
  EXPECT_NE(bytes.find("labour.underpaid_or_unpaid"), std::string::npos) << "metadata stays queryable";
}

TEST_F(StorageTest, WrongKeyOrSwappedRowsFailLoudly) {
  c::AeadKey key = c::generate_aead_key();
  st::Store store(db(), st::node_migrations());
  sg::SignalRepository repo(store, key);
  store.write(repo.insert_job(example("aa000000000000000000000000000001", 1)));
  store.write(repo.insert_job(example("aa000000000000000000000000000002", 2)));
  store.write([](st::Database& d) {
    d.exec("UPDATE signals SET sealed = (SELECT sealed FROM signals WHERE id='aa000000000000000000000000000002') "
           "WHERE id='aa000000000000000000000000000001'");
  });
  EXPECT_THROW(repo.get("aa000000000000000000000000000001"), std::runtime_error);
  c::AeadKey other = c::generate_aead_key();
  sg::SignalRepository wrong(store, other);
  EXPECT_THROW(wrong.get("aa000000000000000000000000000002"), std::runtime_error);
}

// Issue 18: a wrong data key refuses to start instead of serving 500s and
// sealing new signals under it.
TEST_F(StorageTest, AWrongDataKeyIsRefusedAtStart) {
  c::AeadKey key = c::generate_aead_key();
  c::AeadKey other = c::generate_aead_key();
  {
    // A database from before the sample: its newest signal must open.
    st::Store store(db(), st::node_migrations());
    sg::SignalRepository repo(store, key);
    store.write(repo.insert_job(example("aa000000000000000000000000000001", 1)));
    EXPECT_THROW(sg::SignalRepository(store, other).prove_key(), sg::WrongDataKey);
    EXPECT_NO_THROW(repo.prove_key());  // the right key: the sample is written
    EXPECT_THROW(sg::SignalRepository(store, other).prove_key(), sg::WrongDataKey);
    EXPECT_NO_THROW(repo.prove_key());
  }
  // A new node without signals: the first start writes the sample, a later
  // start with another key is refused.
  std::filesystem::remove_all(dir_.path() / "fresh");
  std::filesystem::create_directories(dir_.path() / "fresh");
  st::Store fresh(dir_.path() / "fresh" / "node.db", st::node_migrations());
  EXPECT_NO_THROW(sg::SignalRepository(fresh, key).prove_key());
  EXPECT_THROW(sg::SignalRepository(fresh, other).prove_key(), sg::WrongDataKey);
}

TEST_F(StorageTest, ListIsNewestFirstWithKeysetPagination) {
  c::AeadKey key = c::generate_aead_key();
  st::Store store(db(), st::node_migrations());
  sg::SignalRepository repo(store, key);
  for (int i = 0; i < 5; ++i) {
    char id[33];
    std::snprintf(id, sizeof id, "%032d", i);
    store.write(repo.insert_job(example(id, 100 + i)));
  }
  auto page1 = repo.list({2, std::nullopt, std::nullopt, std::nullopt});
  ASSERT_EQ(page1.size(), 2u);
  EXPECT_EQ(page1[0].created_at_ms, 104);
  EXPECT_EQ(page1[0].subject_kinds, (std::vector<std::string>{"person", "organisation"}));
  auto page2 = repo.list({2, page1.back().id, std::nullopt, std::nullopt});
  ASSERT_EQ(page2.size(), 2u);
  EXPECT_EQ(page2[0].created_at_ms, 102);
  auto page3 = repo.list({2, page2.back().id, std::nullopt, std::nullopt});
  ASSERT_EQ(page3.size(), 1u);
  EXPECT_TRUE(repo.list({10, std::nullopt, std::string("housing.overcrowding"), std::nullopt}).empty());
}

TEST_F(StorageTest, AFailingJobFailsAloneAndLeavesNoTrace) {
  c::AeadKey key = c::generate_aead_key();
  st::Store store(db(), st::node_migrations());
  sg::SignalRepository repo(store, key);
  std::atomic<int> done{0};
  std::atomic<int> failed{0};
  // Queue a good signal, a duplicate id (fails after its first insert), and
  // another good one: the duplicate's partial rows must vanish.
  auto s1 = example("bb000000000000000000000000000001", 1);
  auto count_done = [&](std::exception_ptr e) {
    (e ? failed : done).fetch_add(1);
  };
  store.write_async(repo.insert_job(s1), count_done);
  store.write_async(repo.insert_job(s1), count_done);
  store.write_async(repo.insert_job(example("bb000000000000000000000000000002", 2)), count_done);
  store.write([](st::Database&) {});
  EXPECT_EQ(done.load(), 2);
  EXPECT_EQ(failed.load(), 1);
  EXPECT_EQ(repo.count(), 2);
  auto subjects = store.read([](st::Database& d) {
    auto s = d.prepare("SELECT count(*) FROM signal_subjects");
    s.step();
    return s.int64(0);
  });
  EXPECT_EQ(subjects, 4);
}

TEST_F(StorageTest, ConcurrentWritersAreGroupCommitted) {
  c::AeadKey key = c::generate_aead_key();
  st::Store store(db(), st::node_migrations());
  sg::SignalRepository repo(store, key);
  const std::uint64_t before = store.commits();
  // A first job holds the writer, as a commit's fsync does, until every write
  // is queued: without that the writer may keep up with the threads and
  // commit each write alone, and the count below would prove nothing.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  store.write_async([released](st::Database&) { released.wait(); }, nullptr);

  // Four threads queue 50 writes each the way the API does (write_async, the
  // answer in the completion), so all 200 wait behind the held writer.
  constexpr int kThreads = 4, kPerThread = 50, kWrites = kThreads * kPerThread;
  std::latch all_done(kWrites);
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        store.write_async(repo.insert_job(example(c::random_hex_id(16), t * 1000 + i)), [&](std::exception_ptr e) {
          if (e) failed.fetch_add(1);
          all_done.count_down();
        });
      }
    });
  }
  for (auto& th : threads) th.join();  // write_async returns once its job is queued
  release.set_value();
  all_done.wait();  // each completion runs after its commit was counted

  const std::uint64_t commits = store.commits() - before;
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(repo.count(), kWrites);
  EXPECT_GE(commits, 1u);
  EXPECT_LT(commits, static_cast<std::uint64_t>(kWrites)) << "one transaction per write: nothing was grouped";
  // Everything queued behind the held job leaves in batches of up to
  // max_batch(): the held job's transaction and the fewest batches after it.
  EXPECT_LE(commits, 1 + (kWrites + store.max_batch() - 1) / store.max_batch());
}

TEST_F(StorageTest, TokensAreHashedCheckedAndRevocable) {
  st::Store store(db(), st::node_migrations());
  au::TokenStore tokens(store);
  std::string token = tokens.create(au::Role::analyst, "analyst one", std::nullopt, 1000);
  ASSERT_EQ(token.size(), 4u + 16 + 1 + 64);
  auto who = tokens.authenticate(token, 2000);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->role, au::Role::analyst);
  EXPECT_EQ(who->label, "analyst one");

  std::string wrong = token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  EXPECT_FALSE(tokens.authenticate(wrong, 2000));
  EXPECT_FALSE(tokens.authenticate("snt_short", 2000));
  EXPECT_FALSE(tokens.authenticate(token + "x", 2000));

  std::string secret = token.substr(4 + 16 + 1);
  std::string bytes = file_bytes(db()) + (fs::exists(dir_ / "node.db-wal") ? file_bytes(dir_ / "node.db-wal") : "");
  EXPECT_EQ(bytes.find(secret), std::string::npos) << "the secret is never stored";

  EXPECT_TRUE(tokens.revoke(who->token_id, 3000));
  EXPECT_FALSE(tokens.authenticate(token, 4000));
  EXPECT_FALSE(tokens.revoke(who->token_id, 5000));

  std::string expiring = tokens.create(au::Role::officer, "temp", 10'000, 1000);
  EXPECT_TRUE(tokens.authenticate(expiring, 9'999));
  EXPECT_FALSE(tokens.authenticate(expiring, 10'000));
  EXPECT_EQ(tokens.list().size(), 2u);

  // A token that is born expired (or expires before it exists) is a caller's
  // mistake, not a token: refused, and nothing is stored.
  EXPECT_THROW((void)tokens.create(au::Role::officer, "already expired", 1000, 1000), std::invalid_argument);
  EXPECT_THROW((void)tokens.create(au::Role::officer, "negative", -86'400'000, 1000), std::invalid_argument);
  EXPECT_EQ(tokens.list().size(), 2u);
}
