// The pseudonymisation authority's service logic (BRIEF 2, 3.5): evaluates
// batches of blinded elements for manifest partners. It never sees an
// identifier; it bounds and rate-limits every batch before any group work, and
// records each batch as a count with its caller, never its contents.
#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "crypto/voprf.hpp"
#include "node/pseudonyms/oprf_keyring.hpp"
#include "node/limits/rate_limiter.hpp"
#include "protocol/result.hpp"

namespace signalnode::node::pseudonyms {

struct PaLimits {
  std::size_t max_batch = 1000;
  double elements_per_second = 5000;  // per caller
  double burst = 20000;               // per caller
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

struct PaRefusal {
  int status;                       // 400, 429
  std::string code;                 // problem type suffix
  protocol::FieldError error;       // names the field for 400s
  double retry_after_seconds = 0;  // for 429
};

using PaResult = std::variant<PaAnswer, PaRefusal>;

// Called after each served batch: (caller, count, epoch). The node wires it
// to its log and metrics (and the audit log once it exists).
using PaObserver = std::function<void(const std::string& caller, std::size_t count, int epoch)>;

class PaService {
 public:
  PaService(OprfKeyring keys, PaLimits limits, PaObserver observer = {});

  // Elements already decoded: bounds, rate, validity, then evaluation.
  PaResult evaluate(const std::string& caller, std::span<const crypto::oprf::Element> blinded,
                    limits::RateLimiter::Clock::time_point now = limits::RateLimiter::Clock::now());
  // The wire form of POST /federation/v1/oprf/evaluate (BRIEF 3.5).
  PaResult evaluate_json(const std::string& caller, std::string_view body,
                         limits::RateLimiter::Clock::time_point now = limits::RateLimiter::Clock::now());

  int current_epoch() const { return keys_.current_epoch(); }
  // The index this PA answers as: its share's, or 0 for a whole key.
  std::uint16_t share_index() const;
  const PaLimits& limits() const { return limits_; }

 private:
  OprfKeyring keys_;
  PaLimits limits_;
  limits::RateLimiter rate_;
  PaObserver observer_;
};

// {"evaluatedElements": [...], "suite": "ristretto255-SHA512", "keyEpoch": N}, and
// from a share holder also "mode": "voprf", "proof": {"c", "s"}, "shareIndex".
std::string pa_answer_json(const PaAnswer& answer);
// The request body {"blindedElements": [...]}, bounded before allocation.
std::string pa_request_json(std::span<const crypto::oprf::Element> blinded);
// Parses an answer; nullopt when malformed or not `expected` elements long.
std::optional<PaAnswer> parse_pa_answer(std::string_view body, std::size_t expected);

}  // namespace signalnode::node::pseudonyms
