// Receiving a partner's batch: the envelope and signature checked against
// the manifest, every record against the same covenant, each message applied
// once in the batch's transaction and audited, and a signed receipt back.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/ed25519.hpp"
#include "node/audit/audit_log.hpp"
#include "node/federation/manifest.hpp"
#include "node/sharing/context.hpp"
#include "node/sharing/types.hpp"
#include "policies/policy.hpp"
#include "protocol/wire.hpp"

namespace signalnode::node::sharing {

// The sender's budget of records, asked once the batch's signature has
// verified (so the count is the partner's own): 0 takes the records, else the
// seconds until they would fit (-1: never). Empty: no budget.
using RecordBudget = std::function<double(std::size_t records)>;

// Records stored and matched per transaction: an officer's write waits for at
// most this many (tests/bench/flood_bench.cpp measures what that means).
inline constexpr std::size_t kRecordsPerTransaction = 100;

class Receiver {
 public:
  explicit Receiver(Context& ctx) : ctx_(ctx) {}

  // A batch from the authenticated partner `peer_org`. `witness`: this
  // node's newest signed audit tree head, put in the receipt. Over `budget`,
  // nothing of the batch is stored or audited (over_budget, retryable).
  [[nodiscard]] ReceiveOutcome receive(std::string_view body, const std::string& peer_org, std::string_view traceparent,
                                       const federation::Manifest& manifest, const policies::Policy& policy,
                                       const policies::Party& self, const crypto::SigningKey& key,
                                       const std::optional<audit::TreeHead>& witness = std::nullopt,
                                       const RecordBudget& budget = {});

 private:
  // One record or message inside the batch's transaction: empty when
  // accepted, else the reason it was rejected.
  struct Incoming;
  std::string receive_record(storage::Database& db, const Incoming& in, const protocol::wire::Record& r);
  std::string receive_shared(storage::Database& db, const Incoming& in, const protocol::wire::Record& r);
  std::string receive_withdrawal(storage::Database& db, const Incoming& in, const protocol::wire::Record& r);
  std::string receive_correction(storage::Database& db, const Incoming& in, const protocol::wire::Record& r);
  std::string receive_about_own(storage::Database& db, const Incoming& in, const protocol::wire::Record& r);
  void store_subjects(storage::Database& db, const std::string& inbox_id, const protocol::wire::Record& r);

  Context& ctx_;
};

}  // namespace signalnode::node::sharing
