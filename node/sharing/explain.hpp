// What each partner would receive of a signal, and why, without sending
// anything: `signalnode policy explain` and (later) the officer's preview.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>

#include "node/federation/manifest.hpp"
#include "node/signals/signal.hpp"
#include "policies/policy.hpp"

namespace signalnode::node::sharing {

// {"policy": {name, sha256}, "partners": [{org, role, shared, rule?, reason,
//   legalBasis?, purpose?, retentionDays?, fields: {...}, pseudonyms: [{subject, kind, idKind}],
//   withheld: [{subject, idKind}]}]}
boost::json::object explain(const signals::Signal& signal, const policies::Policy& policy,
                            const federation::Manifest& manifest, const policies::Party& self,
                            std::chrono::sys_days day);

}  // namespace signalnode::node::sharing
