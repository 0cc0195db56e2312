// Sharing between partners (BRIEF 3.6, docs/protocol.md): decide per signal
// and partner by the covenant, build pseudonymised records into a durable
// outbox, push them in signed batches, and receive partners' batches with the
// same covenant checked again. Default deny on both sides.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ed25519.hpp"
#include "node/alerts/bundles.hpp"
#include "node/audit/audit_log.hpp"
#include "node/federation/manifest.hpp"
#include "node/net/https_client.hpp"
#include "node/pseudonyms/pseudonymiser.hpp"
#include "node/storage/store.hpp"
#include "policies/policy.hpp"
#include "protocol/wire.hpp"

namespace signalnode::node::sharing {

using NowMs = std::function<std::int64_t()>;

struct PartnerState {
  std::string partner;
  std::string state;  // not_shared | queued | failing | delivered | rejected
  std::string rule_id;
  std::string reason;  // why not shared, why rejected, or the last delivery error
  std::int64_t attempts = 0;
  std::optional<std::int64_t> delivered_at_ms;
};

struct OutboxStats {
  std::int64_t depth = 0;
  std::int64_t oldest_ms = 0;
};

struct ReceiveResult {
  int status = 200;
  std::string content_type = "application/octet-stream";
  std::string body;  // the signed receipt, or a problem+json
};

class Sharing {
 public:
  Sharing(storage::Store& store, pseudonyms::Pseudonymiser& pseudonymiser, NowMs now_ms,
          alerts::BundleRule bundle_rule = {});

  // Signals whose pseudonyms are all ready: decide each partner, queue records.
  std::size_t share_ready(const policies::Policy& policy, const federation::Manifest& manifest,
                          const policies::Party& self, std::size_t max_signals = 200);

  // One delivery pass: for each partner with due records, one signed batch.
  using ClientFor = std::function<std::unique_ptr<net::HttpsClient>(const federation::Partner&)>;
  std::size_t deliver(const federation::Manifest& manifest, const policies::Policy& policy,
                      const policies::Party& self, const crypto::SigningKey& key, const ClientFor& client_for,
                      std::size_t max_batch = 500);

  // POST /federation/v1/batches from an authenticated partner.
  // `witness`: this node's newest signed audit tree head, put in the receipt.
  ReceiveResult receive(std::string_view body, const std::string& peer_org, std::string_view traceparent,
                        const federation::Manifest& manifest, const policies::Policy& policy,
                        const policies::Party& self, const crypto::SigningKey& key,
                        const std::optional<audit::TreeHead>& witness = std::nullopt);

  // Storage limitation: deletes received records past their rule's retention
  // (and their subjects), recording the count in the audit log. Returns it.
  std::int64_t expire_received();

  std::vector<PartnerState> state_of(const std::string& signal_id) const;
  std::map<std::string, OutboxStats> outbox_stats() const;

 private:
  void apply_receipt(const federation::Partner& partner, const policies::Policy& policy,
                     const protocol::wire::Batch& batch, const std::vector<std::string>& record_ids,
                     const protocol::wire::Receipt& receipt, const crypto::Bytes& signed_receipt,
                     const std::string& traceparent, std::int64_t started_ms);
  void record_failure(const std::vector<std::string>& record_ids, const std::vector<std::int64_t>& attempts,
                      const std::string& error);

  storage::Store& store_;
  pseudonyms::Pseudonymiser& pseudonymiser_;
  NowMs now_ms_;
  alerts::BundleRule bundle_rule_;
  std::map<std::string, std::unique_ptr<net::HttpsClient>> clients_;
  crypto::Digest256 clients_manifest_{};
};

// ISO 8601 week of a YYYY-MM-DD date, e.g. "2026-W47" (coarse time).
std::string iso_week(std::string_view date);

}  // namespace signalnode::node::sharing
