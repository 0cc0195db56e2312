#include "node/storage/checkpointer.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <thread>

namespace signalnode::node::storage {

namespace {
std::int64_t since_us(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

Checkpointer::Checkpointer(const std::filesystem::path& db_path, Limits limits)
    : db_(db_path, Database::Mode::read_write), limits_(limits) {
  db_.exec("PRAGMA wal_autocheckpoint=0");  // it never commits; said for clarity
  // Only a TRUNCATE checkpoint waits (for the writer and the readers to
  // leave the WAL); PASSIVE never calls the busy handler.
  sqlite3_busy_timeout(db_.handle(), static_cast<int>(limits_.restart_wait.count()));
  thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::wal_grew(int frames, std::int64_t frame_bytes) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (frames < frames_) backfilled_ = 0;  // the WAL started over
    frames_ = frames;
    frame_bytes_ = frame_bytes;
    wake = due();
  }
  if (wake) cv_.notify_one();
}

bool Checkpointer::due() const {
  return (frames_ - backfilled_) * frame_bytes_ >= limits_.passive_bytes ||
         static_cast<std::int64_t>(frames_) * frame_bytes_ >= limits_.restart_bytes;
}

bool Checkpointer::writer_should_finish() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::int64_t>(frames_) * frame_bytes_ >= limits_.reset_bytes &&
         (frames_ - backfilled_) * frame_bytes_ <= limits_.tail_bytes;
}

void Checkpointer::finish_on_writer(Database& writer) {
  int log = -1, copied = -1;
  const auto t0 = std::chrono::steady_clock::now();
  const int rc = sqlite3_wal_checkpoint_v2(writer.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
  const auto us = since_us(t0);
  std::lock_guard lock(mutex_);
  ++stats_.by_writer;
  stats_.longest_writer_us = std::max(stats_.longest_writer_us, us);
  (void)record(rc, log, copied, false);
}

bool Checkpointer::record(int rc, int log, int copied, bool emptied) {
  if (rc == SQLITE_OK && emptied) {
    stats_.frames_copied += static_cast<std::uint64_t>(std::max(0, frames_ - backfilled_));
    frames_ = backfilled_ = 0;
    return true;
  }
  if (rc == SQLITE_BUSY && (log < 0 || copied < 0)) return false;  // another checkpoint was running
  if ((rc != SQLITE_OK && rc != SQLITE_BUSY) || log < 0 || copied < 0) {
    // A failing disk: the writer's next commit meets it too and reports it
    // (Store::health).
    ++stats_.failures;
    return false;
  }
  // log > frames_: the WAL started over since the checkpoint looked (or
  // the writer has not reported its last commit yet); the report stands.
  if (log > frames_ || copied <= backfilled_) return false;
  stats_.frames_copied += static_cast<std::uint64_t>(copied - backfilled_);
  backfilled_ = copied;
  return true;
}

void Checkpointer::checkpoint_now() {
  std::unique_lock lock(mutex_);
  const std::uint64_t round = ++requested_;
  cv_.notify_one();
  done_cv_.wait(lock, [&] { return completed_ >= round || stopping_; });
}

Checkpointer::Stats Checkpointer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  // After a checkpoint that copied nothing (a reader holds the WAL) the next
  // waits 100 ms, or until asked; after a TRUNCATE that timed out, a second:
  // it held new writes up meanwhile.
  std::chrono::milliseconds backoff{0};
  for (;;) {
    if (backoff.count() > 0) {
      cv_.wait_for(lock, backoff, [&] { return stopping_ || requested_ > completed_; });
      backoff = std::chrono::milliseconds(0);
    } else {
      cv_.wait(lock, [&] { return stopping_ || requested_ > completed_ || due(); });
    }
    if (stopping_) break;
    const bool forced = requested_ > completed_;
    if (!forced && !due()) continue;
    const std::uint64_t round = requested_;
    // TRUNCATE holds new writes while it copies, so it runs only once a
    // PASSIVE has copied all but a tail: a WAL that grew in one big
    // transaction is copied without the writer held up.
    const bool truncate = forced || (static_cast<std::int64_t>(frames_) * frame_bytes_ >= limits_.restart_bytes &&
                                     (frames_ - backfilled_) * frame_bytes_ <= limits_.tail_bytes);
    lock.unlock();
    int log = -1, copied = -1;
    const auto t0 = std::chrono::steady_clock::now();
    const int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr,
                                             truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE, &log,
                                             &copied);
    const auto us = since_us(t0);
    lock.lock();
    ++(truncate ? stats_.truncate : stats_.passive);
    stats_.longest_us = std::max(stats_.longest_us, us);
    const bool progress = record(rc, log, copied, truncate);
    if (truncate && rc != SQLITE_OK) {
      backoff = std::chrono::milliseconds(1000);
    } else if (!progress) {
      backoff = std::chrono::milliseconds(100);
    }
    if (forced) {
      // A forced checkpoint empties the WAL: one that met the writer copying
      // its own tail, or a reader, tries again (10 times, 50 ms apart)
      // before it gives up, instead of reporting done with the WAL still full.
      if (rc != SQLITE_OK && ++forced_retries_ < 10) {
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        lock.lock();
        continue;
      }
      forced_retries_ = 0;
      completed_ = round;
      done_cv_.notify_all();
    }
  }
  completed_ = requested_;
  done_cv_.notify_all();
}

}  // namespace signalnode::node::storage
