// Storage limitation (GDPR art. 5(1)(e)) for what sharing keeps.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "node/sharing/context.hpp"

namespace signalnode::node::sharing {

// Whether this node's clock can be trusted to delete by: why not, or empty.
struct ClockCheck {
  bool plausible = true;
  std::string why;
};

// How many rows the next retention job takes: as many as the last job's
// pace says fit kJobBudget, at most kMaxRows. Deleting a record costs little;
// refreshing the alerts of its subjects costs more, and more in a large
// store, so a fixed count would hold the writer for a time that grows with
// the store. Other writes wait for one job at most; expire_received also
// stops a job at the first group of records past the budget.
class RetentionPace {
 public:
  static constexpr std::size_t kMaxRows = 500;
  static constexpr std::chrono::milliseconds kJobBudget{10};
  std::size_t rows() const { return rows_; }
  void took(std::size_t rows, std::chrono::steady_clock::duration time);

 private:
  std::size_t rows_ = 8;  // the first job learns the pace
};

class Retention {
 public:
  explicit Retention(Context& ctx) : ctx_(ctx) {}

  // Retention deletes irreversibly by this node's clock, so it first checks
  // the clock against the newest time the node itself recorded (its newest
  // signed tree head, received record or own signal): more than kMaxClockGapMs later must be confirmed by a
  // partner's clock (a receipt or batch since start within a day of now).
  // A node that was really off for weeks confirms at its first exchange; a
  // clock that jumped ahead does not, and nothing is deleted.
  static constexpr std::int64_t kMaxClockGapMs = 2 * 86'400'000LL;
  [[nodiscard]] ClockCheck check_clock(std::int64_t now_ms) const;
  // Reads the newest time recorded before this start (called at start,
  // before any worker writes by a clock that may have jumped), or again once
  // a partner confirmed the clock.
  void remember_recorded_time();
  // A time check_clock accepted: the next checks measure from it, so a node
  // that runs for days without traffic keeps its hourly retention.
  void trust(std::int64_t now_ms);

  // Deletes received records past their rule's retention (and their
  // subjects), recording the count in the audit log. Returns it. In write
  // jobs of RetentionPace's size, each counted in the log as it commits.
  std::int64_t expire_received();
  // Deletes own signals older than `retention_days` with everything they
  // carry (outbox, feedback), recording the count in the audit log; in jobs
  // as expire_received.
  std::int64_t expire_own(int retention_days);

 private:
  Context& ctx_;
  std::atomic<std::int64_t> recorded_ms_{0};
};

}  // namespace signalnode::node::sharing
