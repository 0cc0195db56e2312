// The node's database: one writer thread that commits queued writes in groups
// (one fsync for many requests), a pool of read-only connections that WAL
// lets run beside it, and a checkpointer thread that copies the WAL into the
// database file off the commit path (checkpointer.hpp). A write's completion
// runs only after its commit, so a caller never acknowledges data that is not
// durable; a job that throws changes nothing, and fails alone.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "node/storage/checkpointer.hpp"
#include "node/storage/sqlite.hpp"

namespace signalnode::node::storage {

class Store {
 public:
  using WriteJob = std::function<void(Database&)>;
  // Called on the writer thread after commit (nullptr) or failure.
  using Done = std::function<void(std::exception_ptr)>;

  // Opens the database, applies migrations, starts the writer and the
  // checkpointer.
  Store(const std::filesystem::path& db_path, const std::vector<Migration>& migrations,
        Checkpointer::Limits checkpoints = {});
  ~Store();  // finishes queued writes, stops the checkpointer, then the writer
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  void write_async(WriteJob job, Done done);
  // Blocks until committed; rethrows the job's or the commit's exception.
  // Throws std::logic_error on a thread marked by forbid_blocking_writes_here.
  void write(WriteJob job);
  // Marks the calling thread (an HTTP I/O thread) as one that must never
  // wait for a commit's fsync: a write() from it is a bug and throws, so the
  // tests that drive the API find it. Such threads use write_async.
  static void forbid_blocking_writes_here();
  // Returns free pages to the file system (incremental auto-vacuum), 256
  // pages per write job; the number of pages freed.
  std::int64_t reclaim_space();
  // Whether a read-only connection answers a query (the health check).
  bool ping();

  // What /healthz and the metrics report of the disk: whether the latest
  // write that reached SQLite failed for a storage reason (full, I/O error),
  // with when and why, and how much space the database's file system has left.
  struct Health {
    bool writes_failing = false;
    std::int64_t last_failure_ms = 0;  // since 1970, 0: never
    std::string last_failure;
    std::uint64_t free_bytes = 0;
  };
  Health health() const;

  // Runs f with a read-only connection leased from the pool.
  template <typename F>
  auto read(F&& f) {
    Lease lease(*this);
    return f(*lease.db);
  }

  std::size_t max_batch() const { return max_batch_; }
  // Transactions the writer has committed: fewer than writes when they were
  // grouped, which a test can check without timing the fsyncs.
  std::uint64_t commits() const { return commits_.load(); }
  // Savepoints the writer opened: one for each job after the first of a
  // transaction (the first needs none, see commit_batch).
  std::uint64_t savepoints() const { return savepoints_.load(); }
  Checkpointer::Stats checkpoints() const { return checkpointer_->stats(); }
  // Copies the whole WAL into the database file and empties it, now.
  void checkpoint_now() { checkpointer_->checkpoint_now(); }

 private:
  struct Pending {
    WriteJob job;
    Done done;
  };
  struct Lease {
    explicit Lease(Store& s);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Store& store;
    std::unique_ptr<Database> db;
  };

  void writer_loop();
  void commit_batch(std::vector<Pending>& batch);
  // After kIdleBeforeTrim without a write (writer thread).
  void release_idle_memory();
  static constexpr std::chrono::seconds kIdleBeforeTrim{5};
  static int on_wal_commit(void* store, sqlite3* db, const char* name, int frames);

  std::filesystem::path path_;
  Database writer_db_;
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::size_t max_batch_ = 512;
  std::atomic<std::uint64_t> commits_{0};  // bumped after each COMMIT, before the completions run
  std::atomic<std::uint64_t> savepoints_{0};
  std::int64_t frame_bytes_ = 4096 + 24;  // a WAL frame: page and header
  // The latest storage failure and success of the writer (steady order by a
  // sequence number, so a success after a failure clears it).
  mutable std::mutex health_mutex_;
  std::uint64_t failure_seq_ = 0, success_seq_ = 0, seq_ = 0;
  std::int64_t last_failure_ms_ = 0;
  std::string last_failure_;
  void note_outcome(const std::exception_ptr& error);

  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<Database>> pool_;

  std::unique_ptr<Checkpointer> checkpointer_;
  std::thread writer_;
};

}  // namespace signalnode::node::storage
