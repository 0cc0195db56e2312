#include "node/sharing/context.hpp"

#include <cstring>
#include <set>

namespace signalnode::node::sharing {

std::vector<alerts::Subject> Context::own_subjects(storage::Database& db, const std::string& signal_id) const {
  std::vector<alerts::Subject> out;
  std::vector<std::pair<std::string, crypto::LookupKey>> keys;
  auto st = db.cached("SELECT DISTINCT id_kind, lookup_key FROM signal_identifiers WHERE signal_id = ?");
  st.bind(1, std::string_view(signal_id));
  while (st.step()) {
    crypto::LookupKey key{};
    auto blob = st.blob_view(1);
    if (blob.size() == key.size()) std::memcpy(key.data(), blob.data(), key.size());
    keys.emplace_back(st.text(0), key);
  }
  st.reset();
  for (const auto& [id_kind, key] : keys) {
    auto p = pseudonymiser.cached_by_key(db, key);
    if (!p) continue;  // never pseudonymised, so never shared or matched
    alerts::Subject s;
    s.id_kind = id_kind;
    s.pseudonym = *p;
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
