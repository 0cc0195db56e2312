// The pseudonymisation authority's service logic (BRIEF 2, 3.5): evaluates
// batches of blinded elements for manifest partners. It never sees an
// identifier; it bounds, rate-limits and budgets (per minute, per day; issue
// 15) every batch before any group work, and records each batch as a count
// with its caller, never its contents.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "crypto/voprf.hpp"
#include "node/pseudonyms/oprf_keyring.hpp"
#include "node/pseudonyms/pa_budget.hpp"
#include "node/limits/rate_limiter.hpp"
#include "protocol/result.hpp"

namespace signalnode::node::pseudonyms {

struct PaLimits {
  std::size_t max_batch = 1000;
  double elements_per_second = 5000;  // per caller
  double burst = 20000;               // per caller
  // Evaluations per caller per UTC minute and per UTC day, and the volume-jump
  // report (issue 15; node/pseudonyms/pa_budget.hpp). The rate above smooths
  // seconds; these bound what one partner can learn in a day.
  //
  // Sized from a large partner's real volume: some thousands of signals a day
  // (say 5,000) with a few identifiers each (say 3), each evaluated once per
  // recipient domain (own + up to 5) is about 90,000 a day; an epoch rotation
  // re-evaluates all its live identifiers (up to about 100,000) within a day.
  // 500,000 a day is 2.5 times such a rotation day; 20,000 a minute lets a
  // day's routine backlog (after a PA outage) clear in 5 minutes and a rotation
  // in 5 more. A guesser gets no further: the 90.9 million valid BSNs
  // (10^9 / 11, the 11-check) cost 182 days per partner identity at each share
  // holder (121 days at 2 of 3 holders, a guess needing two), and the first
  // refused batch of the day raises an alarm.
  PaBudgetLimits budget;
  // Partners with budgets of their own (node.json pa.partners).
  PartnerBudgets partner_budgets;
};

struct PaAnswer {
  std::vector<crypto::oprf::Element> evaluated;
  int key_epoch = 0;
  // BRIEF 3.8: the holder's share index (0 for a whole key) and the VOPRF
  // proof over the whole batch, checked against its public share. Optional
  // only in what a client parses: an answer without them is refused.
  std::optional<std::uint16_t> share_index;
  std::optional<crypto::voprf::Proof> proof;
};

// Why the PA does not evaluate a batch, in its own terms; the federation
// route maps the kind to an HTTP status and problem type.
struct PaRefusal {
  enum class Kind {
    invalid,       // the request is malformed (names the field)
    rate_limited,  // the partner is over its evaluation rate or burst
    over_budget,   // the partner's daily/hourly element budget is spent
  };
  Kind kind;
  protocol::FieldError error;       // names the field; the reason for every kind
  double retry_after_seconds = 0;  // for rate_limited and over_budget
};

using PaResult = std::variant<PaAnswer, PaRefusal>;

// Called after each served batch: (caller, count, epoch). The node wires it
// to its log and metrics (and the audit log once it exists).
using PaObserver = std::function<void(const std::string& caller, std::size_t count, int epoch)>;
// Called at most once per caller, kind and window (a UTC minute or day), from
// the thread that served or refused the batch, with no lock of the service
// held: the first budget refusal of the window, or today's volume jump. For
// budget_hit_*: `used` is the count when refused and `budget` the budget; for
// volume_jump: `used` is today's count and `budget` the threshold it passed.
using PaAlarmObserver =
    std::function<void(const std::string& caller, PaAlarm kind, std::int64_t used, std::int64_t budget)>;
// The wall clock the budget windows follow (UTC minutes and days); injectable for tests.
using PaWallClock = std::function<std::chrono::system_clock::time_point()>;

class PaService {
 public:
  // An empty `wall` is std::chrono::system_clock::now.
  PaService(OprfKeyring keys, PaLimits limits, PaObserver observer = {}, PaAlarmObserver alarms = {},
            PaWallClock wall = {});

  // Elements already decoded: bounds, rate, budgets, validity, then evaluation.
  // A batch refused by the rate limit or a budget charges no budget; one
  // refused for an invalid element is charged (as it is by the rate limit).
  PaResult evaluate(const std::string& caller, std::span<const crypto::oprf::Element> blinded,
                    limits::RateLimiter::Clock::time_point now = limits::RateLimiter::Clock::now());
  // The wire form of POST /federation/v1/oprf/evaluate (BRIEF 3.5).
  PaResult evaluate_json(const std::string& caller, std::string_view body,
                         limits::RateLimiter::Clock::time_point now = limits::RateLimiter::Clock::now());

  int current_epoch() const { return keys_.current_epoch(); }
  // The index this PA answers as: its share's, or 0 for a whole key.
  std::uint16_t share_index() const;
  const PaLimits& limits() const { return limits_; }
  // Per caller, for metrics: counts of the current windows and totals since start.
  std::map<std::string, PaUsage> usage() const { return budget_.usage(wall_()); }

 private:
  OprfKeyring keys_;
  PaLimits limits_;
  limits::RateLimiter rate_;
  PaBudget budget_;
  PaObserver observer_;
  PaAlarmObserver alarms_;
  PaWallClock wall_;
};

// {"evaluatedElements": [...], "suite": "ristretto255-SHA512", "keyEpoch": N}, and
// from a share holder also "mode": "voprf", "proof": {"c", "s"}, "shareIndex".
std::string pa_answer_json(const PaAnswer& answer);
// The request body {"blindedElements": [...]}, bounded before allocation.
std::string pa_request_json(std::span<const crypto::oprf::Element> blinded);
// Parses an answer; nullopt when malformed or not `expected` elements long.
std::optional<PaAnswer> parse_pa_answer(std::string_view body, std::size_t expected);

}  // namespace signalnode::node::pseudonyms
