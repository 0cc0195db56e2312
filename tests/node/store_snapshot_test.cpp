// A pooled read connection must come back to the pool without an open read
// snapshot, whatever the reader did: otherwise its next user reads stale data.
#include <gtest/gtest.h>

#include <future>
#include <stdexcept>
#include <thread>

#include "node/storage/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace st = signalnode::node::storage;

namespace {

std::vector<st::Migration> one_table() {
  return {[](st::Database& db) { db.exec("CREATE TABLE t (x INTEGER NOT NULL)"); }};
}

void insert(st::Store& store, int n) {
  store.write([n](st::Database& db) {
    for (int i = 0; i < n; ++i) db.cached("INSERT INTO t (x) VALUES (?)").bind(1, std::int64_t{i}).run();
  });
}

std::int64_t count(st::Store& store) {
  return store.read([](st::Database& db) { return db.cached("SELECT count(*) FROM t").scalar(); });
}

class StoreSnapshotTest : public ::testing::Test {
 protected:
  signalnode::testing::TempDir dir_{"sn-snapshot-"};
  st::Store store_{dir_ / "node.db", one_table()};
};

}  // namespace

TEST_F(StoreSnapshotTest, AThrowMidIterationLeavesNoStaleSnapshot) {
  insert(store_, 3);
  EXPECT_THROW(store_.read([](st::Database& db) {
    auto rows = db.cached("SELECT x FROM t");
    EXPECT_TRUE(rows.step());  // the statement now holds a read snapshot
    throw std::runtime_error("a reader fails mid-iteration");
    return 0;
  }),
               std::runtime_error);
  insert(store_, 1);
  // The pool holds one connection, so this read reuses the one that threw.
  EXPECT_EQ(count(store_), 4) << "the next reader sees the commit made after the throw";
}

TEST_F(StoreSnapshotTest, AnOpenTransactionIsRolledBackWhenTheConnectionReturns) {
  insert(store_, 2);
  EXPECT_THROW(store_.read([](st::Database& db) {
    db.exec("BEGIN");
    EXPECT_EQ(db.cached("SELECT count(*) FROM t").scalar(), 2);
    throw std::runtime_error("a reader fails inside its own transaction");
    return 0;
  }),
               std::runtime_error);
  insert(store_, 1);
  EXPECT_EQ(count(store_), 3);
}

TEST_F(StoreSnapshotTest, NestedUseOfOneCachedStatementKeepsBothIterations) {
  insert(store_, 3);
  auto pairs = store_.read([](st::Database& db) {
    std::int64_t n = 0;
    auto outer = db.cached("SELECT x FROM t ORDER BY x");
    while (outer.step()) {
      auto inner = db.cached("SELECT x FROM t ORDER BY x");  // the same SQL, in use above
      while (inner.step()) ++n;
    }
    return n;
  });
  EXPECT_EQ(pairs, 9) << "the inner loop did not reset the outer one";
}

TEST_F(StoreSnapshotTest, ACursorResetsItsStatementWhenItGoesOutOfScope) {
  insert(store_, 2);
  store_.read([](st::Database& db) {
    {
      auto rows = db.cached("SELECT x FROM t ORDER BY x");
      EXPECT_TRUE(rows.step());
      EXPECT_TRUE(rows.step());  // left on the second row
    }
    // Reset: the statement starts again from the first row.
    auto again = db.cached("SELECT x FROM t ORDER BY x");
    EXPECT_TRUE(again.step());
    EXPECT_EQ(again.int64(0), 0);
    return 0;
  });
}

// The HTTP I/O threads are marked: a blocking write from one is a bug that
// must surface in tests, not a stall under load.
TEST_F(StoreSnapshotTest, ABlockingWriteFromAMarkedThreadThrowsAndAnAsyncOneCommits) {
  std::promise<void> committed;
  std::thread io([&] {
    st::Store::forbid_blocking_writes_here();
    EXPECT_THROW(insert(store_, 1), std::logic_error);
    store_.write_async([](st::Database& db) { db.exec("INSERT INTO t (x) VALUES (7)"); },
                       [&](std::exception_ptr error) {
                         EXPECT_FALSE(error);
                         committed.set_value();
                       });
  });
  io.join();
  committed.get_future().get();
  EXPECT_EQ(count(store_), 1) << "only the asynchronous write happened";
  insert(store_, 1);  // this thread is not marked
  EXPECT_EQ(count(store_), 2);
}
