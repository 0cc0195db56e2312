#include "node/privacy/subject_access.hpp"

#include "crypto/bytes.hpp"
#include "node/audit/events.hpp"

namespace signalnode::node::privacy {

SubjectAccessResult SubjectAccess::perform(const protocol::CanonicalId& id, const std::string& id_kind,
                                           const std::string& by, pseudonyms::OprfTransport& transport,
                                           bool find_exchanges) {
  SubjectAccessResult found;
  try {
    found.pseudonym = pseudonymiser_.pseudonymise_now(id, transport);
  } catch (const std::exception& e) {
    throw PseudonymisationUnavailable(e.what());
  }
  std::string hex = crypto::to_hex(found.pseudonym);
  if (find_exchanges) found.exchanges = audit::AuditReader(store_).about_subject(found.pseudonym);
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
