// Delivery of the outbox to one partner at a time: one signed batch over
// mTLS, its signed receipt checked against the partner's manifest key and
// applied, or the failure recorded with backoff.
#pragma once

#include <string>
#include <vector>

#include "crypto/ed25519.hpp"
#include "node/federation/manifest.hpp"
#include "node/net/https_client.hpp"
#include "node/sharing/context.hpp"
#include "policies/policy.hpp"
#include "protocol/wire.hpp"

namespace signalnode::node::sharing {

class Delivery {
 public:
  explicit Delivery(Context& ctx) : ctx_(ctx) {}

  // One delivery pass to one partner: at most one signed batch of its due
  // records over `client`, that partner's connection. Each partner has its
  // own delivery thread and client, so a stalled partner delays only its own
  // queue. Returns the number of records the partner acknowledged.
  std::size_t deliver_to(const federation::Partner& partner, const policies::Policy& policy,
                         const policies::Party& self, const crypto::SigningKey& key, net::HttpsClient& client,
                         std::size_t max_batch = 500);

  // The partner's signed log state in a receipt, against the last one seen
  // from it: kept when it grew, raised to the privacy officers when it does
  // not fit (bad signature, smaller, older, another root at the same size).
  // Returns whether it fits. In the caller's transaction.
  static bool check_witnessed_head(storage::Database& db, const federation::Partner& partner,
                                   const protocol::wire::Receipt& receipt, std::int64_t now);
  // The same with the head's signature already checked (head_verified),
  // so a receipt's signatures are each verified once.
  static bool check_witnessed_head(storage::Database& db, const federation::Partner& partner,
                                   const protocol::wire::Receipt& receipt, std::int64_t now, bool head_verified);
  // Whether the receiver's signed tree head in the receipt verifies under the
  // partner's manifest key (true when it carries none).
  static bool head_signature_valid(const federation::Partner& partner, const protocol::wire::Receipt& receipt);

 private:
  void apply_receipt(const federation::Partner& partner, const policies::Policy& policy,
                     const protocol::wire::Batch& batch, const std::vector<std::string>& record_ids,
                     const protocol::wire::Receipt& receipt, const crypto::Bytes& signed_receipt,
                     const std::string& traceparent, std::int64_t started_ms, bool head_valid);
  void record_failure(const std::vector<std::string>& record_ids, const std::vector<std::int64_t>& attempts,
                      const std::string& error);

  Context& ctx_;
};

}  // namespace signalnode::node::sharing
