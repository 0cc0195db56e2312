#include "node/privacy/subject_access.hpp"

#include <map>

#include "crypto/bytes.hpp"
#include "node/audit/events.hpp"

namespace signalnode::node::privacy {

SubjectAccessResult SubjectAccess::perform(const protocol::CanonicalId& id, const std::string& id_kind,
                                           const std::string& by, pseudonyms::OprfTransport& transport,
                                           bool find_exchanges, const std::vector<std::string>& partner_domains) {
  SubjectAccessResult found;
  std::vector<crypto::oprf::Output> theirs;
  try {
    found.pseudonym = pseudonymiser_.pseudonymise_now(id, transport);
    if (find_exchanges) theirs = pseudonymiser_.pseudonymise_in(id, partner_domains, transport);
  } catch (const std::exception& e) {
    throw PseudonymisationUnavailable(e.what());
  }
  std::string hex = crypto::to_hex(found.pseudonym);
  if (find_exchanges) {
    // What this node received or matched names the subject in its own
    // domain; what it sent, in each recipient's (BRIEF 3.8).
    audit::AuditReader reader(store_);
    std::map<std::int64_t, audit::LoggedEvent> by_index;
    for (auto& e : reader.about_subject(found.pseudonym)) by_index.emplace(e.index, std::move(e));
    for (const auto& p : theirs) {
      for (auto& e : reader.about_subject(p)) by_index.emplace(e.index, std::move(e));
    }
    for (auto& [index, e] : by_index) found.exchanges.push_back(std::move(e));
    // What is held now: own signals link the identifier by its lookup key,
    // received records name it by this node's pseudonym.
    const auto own = pseudonymiser_.prepare(0, id);
    store_.read([&](storage::Database& db) {
      auto signals = db.cached(
          "SELECT COUNT(DISTINCT si.signal_id) FROM signal_identifiers si JOIN signals s ON s.id = si.signal_id "
          "WHERE si.lookup_key = ? AND s.status = 'active'");
      signals.bind_blob(1, own.lookup_key);
      found.own_signals_held = signals.scalar();
      signals.reset();
      auto received = db.cached(
          "SELECT i.sender, i.category, i.received_at_ms FROM inbox i WHERE i.id IN "
          "(SELECT inbox_id FROM inbox_subjects WHERE pseudonym = ?) ORDER BY i.received_at_ms LIMIT 1000");
      received.bind_blob(1, found.pseudonym);
      while (received.step()) found.received_held.push_back({received.text(0), received.text(1), received.int64(2)});
      received.reset();
      return 0;
    });
  }
  // The lookup itself is recorded, with the pseudonym and never the identifier.
  if (audit_) {
    audit::Event e;
    e.name = audit::events::kSubjectAccessPerformed;
    e.start_ms = e.end_ms = now_ms_();
    e.attributes = {{"idKind", id_kind}, {"by", by}, {"found", found.exchanges.size()}};
    e.data_subjects = {hex};
    audit_->append_now(e);
  }
  return found;
}

}  // namespace signalnode::node::privacy
