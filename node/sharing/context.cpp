#include "node/sharing/context.hpp"

#include <set>

namespace signalnode::node::sharing {

std::vector<alerts::Subject> Context::own_subjects(storage::Database& db, const std::string& signal_id) const {
  std::vector<alerts::Subject> out;
  for (const auto& [id_kind, pseudonym] : pseudonymiser.pseudonyms_of_signal(db, signal_id)) {
    alerts::Subject s;
    s.id_kind = id_kind;
    s.pseudonym = pseudonym;
    out.push_back(std::move(s));
  }
  return out;
}

void Context::refresh_alerts(storage::Database& db, std::vector<alerts::Subject> subjects, std::int64_t now) {
  std::set<alerts::Subject> unique(subjects.begin(), subjects.end());
  for (auto s : unique) {
    s.match_key = pseudonymiser.match_key(s.pseudonym);
    matcher.refresh(db, s, now);
  }
}

}  // namespace signalnode::node::sharing
