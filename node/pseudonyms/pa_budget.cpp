#include "node/pseudonyms/pa_budget.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace signalnode::node::pseudonyms {

namespace {

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kDayMs = 86'400'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

// "HH:MM" of the UTC minute with index `minute`.
std::string utc_hh_mm(std::int64_t minute) {
  const std::int64_t of_day = minute - floor_div(minute, 1440) * 1440;
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", static_cast<int>(of_day / 60), static_cast<int>(of_day % 60));
  return text;
}

}  // namespace

std::string_view pa_alarm_name(PaAlarm kind) {
  switch (kind) {
    case PaAlarm::budget_hit_minute: return "budget_hit_minute";
    case PaAlarm::budget_hit_day: return "budget_hit_day";
    case PaAlarm::volume_jump: return "volume_jump";
  }
  return "unknown";
}

void PaBudget::roll(State& s, std::int64_t minute, std::int64_t day) {
  if (minute > s.minute) {
    s.minute = minute;
    s.minute_used = 0;
  }
  if (day > s.day) {
    const std::int64_t gap = day - s.day;
    std::array<std::int64_t, kHistoryDays> past{};
    if (gap <= static_cast<std::int64_t>(kHistoryDays)) {
      const auto g = static_cast<std::size_t>(gap);
      past[g - 1] = s.day_used;
      for (std::size_t i = 0; i + g < kHistoryDays; ++i) past[i + g] = s.past[i];
    }
    s.past = past;
    s.day = day;
    s.day_used = 0;
  }
}

PartnerBudget PaBudget::budget_of(std::string_view caller) const {
  auto own = partners_.find(caller);
  return own != partners_.end() ? own->second : PartnerBudget{limits_.elements_per_minute, limits_.elements_per_day};
}

std::int64_t PaBudget::jump_threshold(const State& s, std::int64_t per_day) const {
  const std::int64_t days = std::min<std::int64_t>(s.day - s.first_day, kHistoryDays);
  if (days <= 0 || limits_.jump_factor <= 0) return 0;
  const std::int64_t sum = std::accumulate(s.past.begin(), s.past.begin() + days, std::int64_t{0});
  const std::int64_t jump = std::max(limits_.jump_floor, limits_.jump_factor * sum / days);
  // A partner whose usual volume is large would otherwise never alarm below
  // its daily budget: half the budget in one day is a jump however busy.
  return per_day > 0 ? std::min(jump, per_day / 2) : jump;
}

PaBudget::Decision PaBudget::charge(const std::string& caller, std::int64_t count, WallTime now) {
  const std::int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::int64_t minute = floor_div(ms, kMinuteMs);
  const std::int64_t day = floor_div(ms, kDayMs);
  Decision d;
  std::lock_guard lock(mutex_);
  auto it = callers_.find(caller);
  if (it == callers_.end()) {
    if (callers_.size() >= limits_.max_callers) {
      // Callers idle today lose only their baseline; those active today keep their counts.
      std::erase_if(callers_, [&](const auto& entry) { return entry.second.day < day; });
    }
    if (callers_.size() >= limits_.max_callers) {
      d.allowed = false;
      d.retry_after_seconds = static_cast<double>((day + 1) * kDayMs - ms) / 1000;
      d.reason = "the PA already counts " + std::to_string(limits_.max_callers) +
                 " partners today and cannot count another; it frees at 00:00 UTC";
      return d;
    }
    State fresh;
    fresh.minute = minute;
    fresh.day = fresh.first_day = day;
    it = callers_.emplace(caller, fresh).first;
  }
  State& s = it->second;
  roll(s, minute, day);  // a wall clock set back keeps the later window
  const PartnerBudget own = budget_of(caller);
  const std::int64_t per_day = own.elements_per_day, per_minute = own.elements_per_minute;
  const std::string batch = std::to_string(count) + (count == 1 ? " element" : " elements");
  if (per_day > 0 && s.day_used + count > per_day) {
    d.allowed = false;
    d.retry_after_seconds = static_cast<double>((s.day + 1) * kDayMs - ms) / 1000;
    d.reason = "the per-day budget of " + std::to_string(per_day) + " evaluations for this partner is used up (" +
               std::to_string(s.day_used) + " today, this batch " + batch + "); it frees at 00:00 UTC";
    if (s.day_alarmed != s.day) {
      s.day_alarmed = s.day;
      d.alarm = Alarm{PaAlarm::budget_hit_day, s.day_used, per_day};
    }
  } else if (per_minute > 0 && s.minute_used + count > per_minute) {
    d.allowed = false;
    d.retry_after_seconds = static_cast<double>((s.minute + 1) * kMinuteMs - ms) / 1000;
    d.reason = "the per-minute budget of " + std::to_string(per_minute) + " evaluations for this partner is used up (" +
               std::to_string(s.minute_used) + " this minute, this batch " + batch + "); it frees at " +
               utc_hh_mm(s.minute + 1) + " UTC";
    if (s.minute_alarmed != s.minute) {
      s.minute_alarmed = s.minute;
      d.alarm = Alarm{PaAlarm::budget_hit_minute, s.minute_used, per_minute};
    }
  }
  if (!d.allowed) {
    if ((per_day > 0 && count > per_day) || (per_minute > 0 && count > per_minute)) {
      d.reason += "; this batch alone exceeds the budget: send smaller batches";
    }
    s.refused_batches += 1;
    s.refused_elements += count;
    if (d.alarm) s.alarms += 1;
    return d;
  }
  s.minute_used += count;
  s.day_used += count;
  if (s.jump_alarmed != s.day) {
    const std::int64_t threshold = jump_threshold(s, per_day);
    if (threshold > 0 && s.day_used > threshold) {
      s.jump_alarmed = s.day;
      s.alarms += 1;
      d.alarm = Alarm{PaAlarm::volume_jump, s.day_used, threshold};
    }
  }
  return d;
}

std::map<std::string, PaUsage> PaBudget::usage(WallTime now) const {
  const std::int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::int64_t minute = floor_div(ms, kMinuteMs);
  const std::int64_t day = floor_div(ms, kDayMs);
  std::map<std::string, PaUsage> out;
  std::lock_guard lock(mutex_);
  for (const auto& [caller, s] : callers_) {
    out.emplace(caller, PaUsage{.elements_this_minute = s.minute >= minute ? s.minute_used : 0,
                                .elements_today = s.day >= day ? s.day_used : 0,
                                .refused_batches = s.refused_batches,
                                .refused_elements = s.refused_elements,
                                .alarms = s.alarms});
  }
  return out;
}

}  // namespace signalnode::node::pseudonyms
