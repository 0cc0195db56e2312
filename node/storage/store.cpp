#include "node/storage/store.hpp"

#include "node/http/trace_context.hpp"

#include <malloc.h>
#include <sqlite3.h>

#include <chrono>
#include <future>

namespace signalnode::node::storage {

Store::Store(const std::filesystem::path& db_path, const std::vector<Migration>& migrations,
             Checkpointer::Limits checkpoints)
    : path_(db_path), writer_db_(db_path, Database::Mode::read_write) {
  // A newer or damaged database is refused before the conversion below or a
  // migration could change it.
  check_upgradable(writer_db_, migrations.size());
  // Incremental auto-vacuum lets the retention task hand freed pages back to
  // the file system in small steps (PRAGMA incremental_vacuum) instead of a
  // full VACUUM that blocks writers. A database created before this setting
  // is converted once.
  {
    auto st = writer_db_.prepare("PRAGMA auto_vacuum");
    st.step();
    bool incremental = st.int64(0) == 2;
    st.reset();
    if (!incremental) {
      writer_db_.exec("PRAGMA auto_vacuum=INCREMENTAL");
      writer_db_.exec("VACUUM");
    }
  }
  migrate(writer_db_, migrations);
  // From here on the writer never checkpoints: it tells the checkpointer how
  // long the WAL is after each commit (the hook replaces SQLite's own
  // autocheckpoint, which would copy the WAL into the file inside a commit).
  // After the WAL starts over, it is cut back to 16 MiB if it grew past.
  writer_db_.exec("PRAGMA wal_autocheckpoint=0");
  writer_db_.exec("PRAGMA journal_size_limit=16777216");
  {
    auto st = writer_db_.prepare("PRAGMA page_size");
    st.step();
    frame_bytes_ = st.int64(0) + 24;
  }
  checkpointer_ = std::make_unique<Checkpointer>(db_path, checkpoints);
  sqlite3_wal_hook(writer_db_.handle(), &Store::on_wal_commit, this);
  writer_ = std::thread([this] { writer_loop(); });
}

Store::~Store() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  // The writer is done; its connection, closed last, checkpoints what the
  // WAL still holds and removes it.
  sqlite3_wal_hook(writer_db_.handle(), nullptr, nullptr);
  checkpointer_.reset();
}

int Store::on_wal_commit(void* store, sqlite3*, const char*, int frames) {
  auto* self = static_cast<Store*>(store);
  self->checkpointer_->wal_grew(frames, self->frame_bytes_);
  return SQLITE_OK;
}

void Store::write_async(WriteJob job, Done done) {
  // The job runs on the writer thread: what it logs stays in the trace of the
  // API request that asked for it (http/trace_context.hpp).
  if (const auto& trace = http::current_trace()) {
    job = [context = *trace, inner = std::move(job)](Database& db) {
      http::TraceScope scope(context);
      inner(db);
    };
  }
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) throw std::runtime_error("store is shutting down");
    queue_.push_back({std::move(job), std::move(done)});
  }
  queue_cv_.notify_one();
}

std::int64_t Store::reclaim_space() {
  // In steps of 256 pages (1 MiB), each its own write job: moving pages
  // costs more the more there are, and other writes go between the steps.
  constexpr int kPagesPerJob = 256;
  std::int64_t freed = 0;
  for (;;) {
    std::int64_t step = 0, left = 0;
    write([&step, &left](Database& db) {
      auto count = [&db] {
        auto st = db.prepare("PRAGMA freelist_count");
        st.step();
        return st.int64(0);
      };
      const auto before = count();
      if (before == 0) return;
      auto st = db.prepare("PRAGMA incremental_vacuum(" + std::to_string(kPagesPerJob) + ")");
      while (st.step()) {
      }
      st.reset();
      left = count();
      step = before - left;
    });
    freed += step;
    if (step == 0 || left == 0) break;
  }
  return freed;
}

namespace {
thread_local bool blocking_writes_forbidden = false;
}  // namespace

void Store::forbid_blocking_writes_here() { blocking_writes_forbidden = true; }

void Store::write(WriteJob job) {
  if (blocking_writes_forbidden) {
    throw std::logic_error("Store::write on an HTTP I/O thread: use write_async or the store lane");
  }
  std::promise<void> result;
  auto future = result.get_future();
  write_async(std::move(job), [&result](std::exception_ptr error) {
    if (error) {
      result.set_exception(error);
    } else {
      result.set_value();
    }
  });
  future.get();
}

void Store::writer_loop() {
  std::vector<Pending> batch;
  bool wrote_since_trim = false;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      auto ready = [this] { return stopping_ || !queue_.empty(); };
      if (wrote_since_trim && !queue_cv_.wait_for(lock, kIdleBeforeTrim, ready)) {
        lock.unlock();
        release_idle_memory();
        wrote_since_trim = false;
        continue;
      }
      queue_cv_.wait(lock, ready);
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit_batch(batch);
    batch.clear();
    wrote_since_trim = true;
    // Between two transactions, and only when the checkpointer has copied
    // all but a small tail of a long WAL: copy that tail, so the next
    // transaction starts the WAL over (checkpointer.hpp).
    if (checkpointer_->writer_should_finish()) checkpointer_->finish_on_writer(writer_db_);
  }
}

void Store::release_idle_memory() {
  // A quiet node gives back what its page caches hold (they fill again from
  // the kernel's page cache when work comes) and what the allocator keeps
  // free: its resident set returns to about what it was at start.
  sqlite3_db_release_memory(writer_db_.handle());
  {
    std::lock_guard lock(pool_mutex_);
    for (auto& db : pool_) sqlite3_db_release_memory(db->handle());  // pooled: no thread uses them
  }
  malloc_trim(0);
}

void Store::commit_batch(std::vector<Pending>& batch) {
  // The jobs share one transaction, and so the fsync. A job that throws must
  // change nothing and fail alone. The first job of a transaction needs no
  // savepoint for that: when it throws the whole transaction rolls back (it
  // holds nothing else) and the next job begins a new one. Every later job
  // runs in a savepoint, whose journal is kept in memory (temp_store), so a
  // batch of one, the common case when the node is not busy, runs bare.
  std::vector<std::exception_ptr> errors(batch.size());
  std::size_t next = 0;
  while (next < batch.size()) {
    const std::size_t first = next;
    try {
      Transaction tx(writer_db_);
      try {
        batch[next].job(writer_db_);
      } catch (...) {
        errors[next++] = std::current_exception();
        continue;  // tx rolls back
      }
      for (++next; next < batch.size(); ++next) {
        writer_db_.exec("SAVEPOINT job");
        savepoints_.fetch_add(1);
        try {
          batch[next].job(writer_db_);
          writer_db_.exec("RELEASE job");
        } catch (...) {
          errors[next] = std::current_exception();
          writer_db_.exec("ROLLBACK TO job");
          writer_db_.exec("RELEASE job");
        }
      }
      tx.commit();
      commits_.fetch_add(1);
      note_outcome(nullptr);
    } catch (...) {
      // BEGIN, a savepoint or COMMIT failed (a full disk, say): nothing of
      // this transaction stays, and every job in it, run or not, fails so.
      auto error = std::current_exception();
      note_outcome(error);
      for (std::size_t i = first; i < batch.size(); ++i) errors[i] = error;
      next = batch.size();
    }
  }
  for (const auto& e : errors) {
    if (e) note_outcome(e);
  }
  writer_db_.release_snapshot();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].done) continue;
    try {
      batch[i].done(errors[i]);
    } catch (...) {
      // A completion must not take the writer down; it owns its own errors.
    }
  }
}

Store::Lease::Lease(Store& s) : store(s) {
  {
    std::lock_guard lock(store.pool_mutex_);
    if (!store.pool_.empty()) {
      db = std::move(store.pool_.back());
      store.pool_.pop_back();
    }
  }
  if (!db) db = std::make_unique<Database>(store.path_, Database::Mode::read_only);
}

Store::Lease::~Lease() {
  // Whatever the reader did (an exception mid-iteration included), the
  // connection returns without an open snapshot.
  db->release_snapshot();
  std::lock_guard lock(store.pool_mutex_);
  store.pool_.push_back(std::move(db));
}

namespace {
// A failure of the disk, not of the job: the same write may succeed later.
bool is_storage_failure(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return fault_of(e) == StorageFault::disk;
  } catch (...) {
  }
  return false;
}
}  // namespace

void Store::note_outcome(const std::exception_ptr& error) {
  std::lock_guard lock(health_mutex_);
  ++seq_;
  if (!error) {
    success_seq_ = seq_;
    return;
  }
  if (!is_storage_failure(error)) return;
  failure_seq_ = seq_;
  last_failure_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    last_failure_ = e.what();
  } catch (...) {
    last_failure_ = "unknown";
  }
}

Store::Health Store::health() const {
  Health h;
  {
    std::lock_guard lock(health_mutex_);
    h.writes_failing = failure_seq_ > success_seq_;
    h.last_failure_ms = last_failure_ms_;
    h.last_failure = last_failure_;
  }
  std::error_code ec;
  auto space = std::filesystem::space(path_.parent_path(), ec);
  h.free_bytes = ec ? 0 : space.available;
  return h;
}

bool Store::ping() {
  return read([](Database& db) {
    auto st = db.prepare("SELECT 1");
    return st.step();
  });
}

}  // namespace signalnode::node::storage
