// Reads of the processing record for people and tools: the privacy officer's
// filtered list, the events naming one data subject, the exchanges per partner
// and month for the charts, the leaf hashes proofs are built from, and the
// CSV report. AuditLog writes the audit_* tables; this reads them.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "crypto/merkle.hpp"
#include "node/storage/store.hpp"

namespace signalnode::node::audit {

// One event as stored: its index and its leaf, the event's RFC 8785 JSON
// (empty once pruned by the log's retention).
struct LoggedEvent {
  std::int64_t index = 0;
  std::string leaf;
};

// GET /api/v1/audit/events: every filter set narrows the list.
struct EventFilter {
  std::int64_t limit = 100;
  std::optional<std::int64_t> before;  // only events with a lower index
  std::optional<std::int64_t> from_ms, to_ms;
  std::optional<std::string> partner, name, category;
};

// Records sent to and received from one partner in one month (UTC).
struct ExchangeCount {
  std::string partner;
  std::string month;  // YYYY-MM
  std::int64_t sent = 0;
  std::int64_t received = 0;
};

class AuditReader {
 public:
  explicit AuditReader(storage::Store& store) : store_(store) {}

  // Newest first, at most filter.limit.
  [[nodiscard]] std::vector<LoggedEvent> events(const EventFilter& filter) const;
  // Every event naming the pseudonym as a data subject, oldest first.
  [[nodiscard]] std::vector<LoggedEvent> about_subject(std::span<const std::uint8_t> pseudonym) const;
  // Ordered by month, then partner.
  [[nodiscard]] std::vector<ExchangeCount> exchanges_per_partner_month() const;
  // The leaf hashes of the events below `limit`, in index order.
  [[nodiscard]] std::vector<crypto::Digest256> leaf_hashes(std::uint64_t limit) const;
  // The processing record for people (audit_report.hpp).
  void write_report_csv(std::ostream& out) const;

 private:
  storage::Store& store_;
};

}  // namespace signalnode::node::audit
