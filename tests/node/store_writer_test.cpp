// The store writer after issue 19: a job that throws still fails alone and
// leaves nothing, also as the first job of a transaction (which runs without
// a savepoint); a lone job opens no savepoint; checkpoints run on their own
// thread and keep the WAL bounded, also past a reader that held it.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <latch>
#include <stdexcept>
#include <thread>

#include "node/storage/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
namespace st = signalnode::node::storage;

namespace {

const std::vector<st::Migration>& scratch_schema() {
  static const std::vector<st::Migration> m = {
      [](st::Database& db) { db.exec("CREATE TABLE t (k TEXT PRIMARY KEY, v BLOB)"); }};
  return m;
}

st::Store::WriteJob insert(std::string key, bool then_throw = false, std::size_t bytes = 16) {
  return [key, then_throw, bytes](st::Database& db) {
    db.prepare("INSERT INTO t (k, v) VALUES (?, zeroblob(?))").bind(1, std::string_view(key)).bind(2, static_cast<std::int64_t>(bytes)).run();
    if (then_throw) throw std::runtime_error("job fails after its insert");
  };
}

std::int64_t count(st::Store& store, const std::string& where = "1") {
  return store.read([&](st::Database& db) {
    auto s = db.prepare("SELECT count(*) FROM t WHERE " + where);
    s.step();
    return s.int64(0);
  });
}

std::uintmax_t wal_size(const fs::path& db) {
  std::error_code ec;
  auto n = fs::file_size(fs::path(db.string() + "-wal"), ec);
  return ec ? 0 : n;
}

}  // namespace

class StoreWriterTest : public ::testing::Test {
 protected:
  fs::path db() const { return dir_.path() / "w.db"; }
  signalnode::testing::TempDir dir_{"sn-writer-"};
};

TEST_F(StoreWriterTest, FailingJobsFailAloneWhereverTheyStandInABatch) {
  st::Store store(db(), scratch_schema());
  // Hold the writer (once it runs) so that the next jobs leave as one batch.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::latch holding(1);
  store.write_async(
      [released, &holding](st::Database&) {
        holding.count_down();
        released.wait();
      },
      nullptr);
  holding.wait();
  const auto savepoints_before = store.savepoints();

  // bad (the batch's first: no savepoint), good, bad, good, bad (last)
  const std::vector<std::pair<std::string, bool>> jobs = {
      {"a", true}, {"b", false}, {"c", true}, {"d", false}, {"e", true}};
  std::latch done(static_cast<std::ptrdiff_t>(jobs.size()));
  std::atomic<int> failed{0};
  std::atomic<int> visible_at_done{0};
  for (const auto& job : jobs) {
    const std::string k = job.first;
    store.write_async(insert(k, job.second), [&, k](std::exception_ptr e) {
      if (e) {
        failed.fetch_add(1);
      } else if (count(store, "k = '" + k + "'") == 1) {
        visible_at_done.fetch_add(1);  // a completion runs only after its commit
      }
      done.count_down();
    });
  }
  release.set_value();
  done.wait();
  EXPECT_EQ(failed.load(), 3);
  EXPECT_EQ(visible_at_done.load(), 2);
  EXPECT_EQ(count(store), 2);
  EXPECT_EQ(count(store, "k IN ('a', 'c', 'e')"), 0) << "a failed job left rows behind";
  // The first bad job rolled its transaction back; "b" began the next one
  // bare, and only "c", "d", "e" needed savepoints.
  EXPECT_EQ(store.savepoints() - savepoints_before, 3u);
}

TEST_F(StoreWriterTest, ALoneJobNeedsNoSavepointAndAFailedOneLeavesNothing) {
  st::Store store(db(), scratch_schema());
  const auto before = store.savepoints();
  store.write(insert("x"));
  EXPECT_THROW(store.write(insert("y", true)), std::runtime_error);
  store.write(insert("z"));
  EXPECT_EQ(store.savepoints(), before);
  EXPECT_EQ(count(store), 2);
  EXPECT_EQ(count(store, "k = 'y'"), 0);
}

TEST_F(StoreWriterTest, CheckpointsRunOffTheWriterAndKeepTheWalBounded) {
  const st::Checkpointer::Limits limits{.passive_bytes = 128 << 10,
                                        .reset_bytes = 512 << 10,
                                        .tail_bytes = 256 << 10,
                                        .restart_bytes = 4 << 20,
                                        .restart_wait = std::chrono::milliseconds(50)};
  st::Store store(db(), scratch_schema(), limits);
  // 8 MiB in 2,000 back-to-back commits of 4 KiB each: the checkpointer
  // copies behind the writer, the writer copies the last tail of each
  // 512 KiB itself and starts the WAL over.
  for (int i = 0; i < 2000; ++i) store.write(insert("k" + std::to_string(i), false, 4096));
  auto stats = store.checkpoints();
  EXPECT_GT(stats.passive, 0u);
  EXPECT_GT(stats.by_writer, 0u);
  EXPECT_GT(stats.frames_copied, 1000u);
  EXPECT_EQ(stats.failures, 0u);
  // Bounded, not at every instant: when the writer outran a checkpoint (a
  // loaded machine), the checkpointer starts the WAL over on its own within
  // its backoff (at most a second per try), with no further writes.
  bool bounded = false;
  for (int i = 0; i < 100 && !bounded; ++i) {
    bounded = wal_size(db()) < static_cast<std::uintmax_t>(limits.restart_bytes);
    if (!bounded) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(bounded) << "the WAL kept growing: " << wal_size(db()) << " bytes";
  store.checkpoint_now();
  EXPECT_EQ(wal_size(db()), 0u) << "a forced checkpoint empties the WAL";
  EXPECT_EQ(count(store), 2000);
}

TEST_F(StoreWriterTest, AReaderHoldingTheWalDelaysTheCheckpointNotTheWrites) {
  const st::Checkpointer::Limits limits{.passive_bytes = 128 << 10,
                                        .reset_bytes = 256 << 10,
                                        .tail_bytes = 128 << 10,
                                        .restart_bytes = 1 << 20,
                                        .restart_wait = std::chrono::milliseconds(20)};
  st::Store store(db(), scratch_schema(), limits);
  store.write(insert("first"));
  // A reader on an old snapshot: nothing after it can be copied back, and
  // the WAL cannot start over.
  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db().c_str(), &reader, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM t;", nullptr, nullptr, nullptr), SQLITE_OK);
  for (int i = 0; i < 600; ++i) store.write(insert("k" + std::to_string(i), false, 4096));
  EXPECT_GT(wal_size(db()), static_cast<std::uintmax_t>(limits.restart_bytes)) << "the reader held the WAL";
  sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close_v2(reader);
  // Once the reader is gone the WAL is copied back and starts over (cut
  // back to journal_size_limit at most); the writes went on meanwhile.
  store.checkpoint_now();
  EXPECT_EQ(wal_size(db()), 0u);
  EXPECT_EQ(count(store), 601);
  EXPECT_GT(store.checkpoints().truncate, 0u);
}
