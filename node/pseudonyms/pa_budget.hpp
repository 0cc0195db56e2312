// Per-partner evaluation budgets of the pseudonymisation authority (issue 15,
// "Guessing costs months, and is seen"). Next to the token bucket (which
// smooths the rate over seconds), every caller has a budget of evaluated
// elements per UTC minute and per UTC day, in fixed windows of the wall clock:
// over either, a batch is refused whole and charges nothing. A day whose count
// jumps far above the caller's own recent days is reported, and so is the first
// refusal of each window: once per caller, kind and window, never per request.
//
// Memory is bounded: per caller a fixed-size record (two counters, seven past
// days); at most `max_callers` callers, those idle today are dropped first, and
// if all are active today a new caller is refused (fails closed).
//
// Counts live in memory: a restart starts every window, and the baseline of the
// volume jump, afresh.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signalnode::node::pseudonyms {

enum class PaAlarm {
  budget_hit_minute,  // the first batch refused by the per-minute budget in a UTC minute
  budget_hit_day,     // the first batch refused by the per-day budget in a UTC day
  volume_jump,        // today's count passed the jump threshold (once a UTC day)
};
// "budget_hit_minute", "budget_hit_day", "volume_jump": for audit attributes and metric labels.
std::string_view pa_alarm_name(PaAlarm kind);

struct PaBudgetLimits {
  // 0: no such budget (tests and benchmarks; node.json cannot set 0).
  std::int64_t elements_per_minute = 20'000;
  std::int64_t elements_per_day = 500'000;
  // A volume jump: today's count exceeds both jump_factor times the average of
  // the caller's previous days (up to 7, counted from the first day this
  // service saw the caller; idle days count as 0) and jump_floor. Never on the
  // first day seen, which has no baseline. 0 factor: no detection. Whatever
  // the baseline, half the per-day budget in one day counts as a jump, so a
  // busy partner guessing just under its budget is still reported.
  std::int64_t jump_factor = 10;
  std::int64_t jump_floor = 10'000;
  std::size_t max_callers = 1000;
};

// No budgets and no jump report: fuzzers and benchmarks of the rest of the path.
inline constexpr PaBudgetLimits kNoPaBudget{
    .elements_per_minute = 0, .elements_per_day = 0, .jump_factor = 0, .jump_floor = 0, .max_callers = 1000};

// One partner's own budgets, sized from its real volume (node.json
// pa.partners): a small municipality gets far less than the defaults.
struct PartnerBudget {
  std::int64_t elements_per_minute = 0;
  std::int64_t elements_per_day = 0;
};
using PartnerBudgets = std::map<std::string, PartnerBudget, std::less<>>;

struct PaUsage {
  std::int64_t elements_this_minute = 0;  // evaluated in the current UTC minute
  std::int64_t elements_today = 0;        // evaluated in the current UTC day
  std::int64_t refused_batches = 0;       // refused by a budget, since start
  std::int64_t refused_elements = 0;      // their elements
  std::int64_t alarms = 0;                // alarms raised, since start
};

class PaBudget {
 public:
  using WallTime = std::chrono::system_clock::time_point;

  struct Alarm {
    PaAlarm kind;
    std::int64_t used;    // minute/day: the count when the batch was refused; jump: today's count
    std::int64_t budget;  // minute/day: the budget; jump: the threshold passed
  };
  struct Decision {
    bool allowed = true;
    double retry_after_seconds = 0;  // when refused: until the window frees
    std::string reason;              // when refused: which budget, plain English
    std::optional<Alarm> alarm;      // at most one per call
  };

  explicit PaBudget(PaBudgetLimits limits, PartnerBudgets partners = {})
      : limits_(limits), partners_(std::move(partners)) {}

  // Charges `count` elements to `caller` if both budgets allow it; otherwise
  // charges nothing and says why and until when. Thread-safe.
  Decision charge(const std::string& caller, std::int64_t count, WallTime now);
  std::map<std::string, PaUsage> usage(WallTime now) const;
  bool enabled() const {
    return limits_.elements_per_minute > 0 || limits_.elements_per_day > 0 || limits_.jump_factor > 0;
  }
  const PaBudgetLimits& limits() const { return limits_; }

 private:
  static constexpr std::size_t kHistoryDays = 7;
  struct State {
    std::int64_t minute = 0;  // UTC minute index of minute_used
    std::int64_t minute_used = 0;
    std::int64_t day = 0;  // UTC day index of day_used
    std::int64_t day_used = 0;
    std::int64_t first_day = 0;                      // first day this service saw the caller
    std::array<std::int64_t, kHistoryDays> past{};  // past[i]: the total of day - 1 - i
    std::int64_t minute_alarmed = -1, day_alarmed = -1, jump_alarmed = -1;  // the window last alarmed
    std::int64_t refused_batches = 0, refused_elements = 0, alarms = 0;
  };
  static void roll(State& s, std::int64_t minute, std::int64_t day);
  std::int64_t jump_threshold(const State& s, std::int64_t per_day) const;  // 0: no baseline yet
  // The caller's budgets: its own where node.json names it, else the defaults.
  PartnerBudget budget_of(std::string_view caller) const;

  PaBudgetLimits limits_;
  PartnerBudgets partners_;
  mutable std::mutex mutex_;
  std::map<std::string, State, std::less<>> callers_;
};

}  // namespace signalnode::node::pseudonyms
