// Subject access (BRIEF 3.4, GDPR art. 15): every exchange on this node that
// concerns one data subject, found by the subject's pseudonym. The identifier
// is pseudonymised through the pseudonymisation authority (or taken from the
// cache), in this node's domain and each partner's, the audit log is searched
// by those pseudonyms, and the lookup itself is
// recorded as "subject_access.performed" with the pseudonym, never the
// identifier. One implementation for the API route and the CLI command.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/oprf.hpp"
#include "node/audit/audit_log.hpp"
#include "node/audit/audit_reader.hpp"
#include "node/pseudonyms/oprf_transport.hpp"
#include "node/pseudonyms/pseudonymiser.hpp"
#include "node/storage/store.hpp"
#include "protocol/identifiers.hpp"

namespace signalnode::node::privacy {

// What one request found: the subject's pseudonym and the events naming it.
// A received record that names the subject and is held now.
struct HeldRecord {
  std::string partner;  // who sent it
  std::string category;
  std::int64_t received_at_ms = 0;
};

struct SubjectAccessResult {
  crypto::oprf::Output pseudonym{};
  std::vector<audit::LoggedEvent> exchanges;  // oldest first
  // What the node holds now (issue 20): its own active signals that name the
  // subject, and the partners' records that do.
  std::int64_t own_signals_held = 0;
  std::vector<HeldRecord> received_held;  // oldest first
};

// The pseudonymisation authority could not pseudonymise the identifier:
// nothing was looked up and nothing recorded.
struct PseudonymisationUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class SubjectAccess {
 public:
  using NowMs = std::function<std::int64_t()>;
  // Without an audit log (audit == nullptr) the lookup is not recorded.
  SubjectAccess(storage::Store& store, pseudonyms::Pseudonymiser& pseudonymiser, audit::AuditLog* audit, NowMs now_ms)
      : store_(store), pseudonymiser_(pseudonymiser), audit_(audit), now_ms_(std::move(now_ms)) {}

  // Blocks on the PA's round trip: not for an API I/O thread. `id_kind` and
  // `by` are recorded as given. With find_exchanges false only the pseudonym
  // is computed (and the lookup recorded, finding none). `partner_domains`:
  // the OINs of the partners this node may have sent records to, whose
  // pseudonyms of the subject those records carried.
  SubjectAccessResult perform(const protocol::CanonicalId& id, const std::string& id_kind, const std::string& by,
                              pseudonyms::OprfTransport& transport, bool find_exchanges = true,
                              const std::vector<std::string>& partner_domains = {});

 private:
  storage::Store& store_;
  pseudonyms::Pseudonymiser& pseudonymiser_;
  audit::AuditLog* audit_;
  NowMs now_ms_;
};

}  // namespace signalnode::node::privacy
