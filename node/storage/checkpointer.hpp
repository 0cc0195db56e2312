// The WAL checkpoints, off the commit path (issue 19). SQLite's default
// checkpoints inline: the commit that takes the WAL past 1,000 pages copies
// them into the database file and fsyncs it before its caller hears back.
// Here the writer never checkpoints inside a commit (wal_autocheckpoint=0);
// it reports the WAL's length after each commit, and:
//  - this thread, on a connection of its own, copies the WAL into the file
//    with PASSIVE checkpoints (which block neither the writer nor readers)
//    each time `passive_bytes` more are waiting;
//  - the WAL starts over only when a write begins with all of it copied. A
//    busy writer keeps adding frames while this thread copies, so that moment
//    may never come: once the WAL is past `reset_bytes` and at most
//    `tail_bytes` of it wait, the writer copies that tail itself between two
//    transactions (Store::writer_loop), and its next transaction starts the
//    WAL over;
//  - a reader that stays on an old snapshot keeps the WAL from being copied
//    and from starting over; past `restart_bytes`, once all but a tail is
//    copied, this thread runs a TRUNCATE checkpoint, which waits at most
//    `restart_wait` for the readers (and holds new writes meanwhile), so the
//    WAL stays bounded.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <thread>

#include "node/storage/sqlite.hpp"

namespace signalnode::node::storage {

class Checkpointer {
 public:
  struct Limits {
    // 4 MiB, as SQLite's own 1,000 pages: a page written by many commits
    // (the last leaf of a time-ordered index) is copied once per window, so
    // a smaller window copies more (1 MiB: +9% bytes per signal, measured).
    std::int64_t passive_bytes = 4 << 20;
    std::int64_t reset_bytes = 8 << 20;
    std::int64_t tail_bytes = 1 << 20;
    std::int64_t restart_bytes = 64 << 20;
    std::chrono::milliseconds restart_wait{500};
  };
  struct Stats {
    std::uint64_t passive = 0, truncate = 0;  // checkpoints run on this thread
    std::uint64_t by_writer = 0;              // tails the writer copied
    std::uint64_t frames_copied = 0;          // WAL frames written into the database file
    std::int64_t longest_us = 0;              // the longest checkpoint on this thread
    std::int64_t longest_writer_us = 0;       // the longest the writer spent on a tail
    std::uint64_t failures = 0;               // checkpoints that failed (I/O, full disk)
  };

  Checkpointer(const std::filesystem::path& db_path, Limits limits);
  ~Checkpointer();  // stops the thread; what the WAL holds is copied when the last connection closes
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // From the writer after each commit: the WAL's length in frames and the
  // size of one frame. Cheap: wakes the thread only past a threshold.
  void wal_grew(int frames, std::int64_t frame_bytes);
  // Whether the writer should copy the WAL's tail itself now (see above).
  bool writer_should_finish() const;
  // Copies the tail on the writer's connection `writer` (between two of its
  // transactions) and records the outcome.
  void finish_on_writer(Database& writer);
  // Copies the whole WAL into the database file and empties it, now, and
  // waits for it (tests, benchmarks).
  void checkpoint_now();
  Stats stats() const;

 private:
  void run();
  bool due() const;  // with mutex_ held
  // Records a checkpoint's outcome (log, copied: as sqlite3_wal_checkpoint_v2
  // reports them); with mutex_ held. Returns whether it could not finish.
  bool record(int rc, int log, int copied, bool emptied);

  Database db_;
  Limits limits_;
  mutable std::mutex mutex_;
  std::condition_variable cv_, done_cv_;
  int frames_ = 0;      // the WAL's length, as last reported
  int backfilled_ = 0;  // frames of it already in the database file
  std::int64_t frame_bytes_ = 4096 + 24;
  bool stopping_ = false;
  std::uint64_t requested_ = 0, completed_ = 0;  // checkpoint_now() rounds
  int forced_retries_ = 0;                         // of the forced round under way
  Stats stats_;
  std::thread thread_;
};

}  // namespace signalnode::node::storage
