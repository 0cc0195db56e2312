// The Logboek Dataverwerkingen read API's answer (Logius' read extension,
// media/openapi.json: ListProcessingActivities): the log records that match
// a query, each as a ProcessingActivity (traceId, spanId, parentSpanId,
// status Ok/Error/Unset, name, startTime, endTime, resource, attributes with
// the dpl.* ones), oldest first, at most kMaxLdvRecords.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>

#include "node/audit/ldv_query.hpp"
#include "node/storage/store.hpp"

namespace signalnode::node::audit {

inline constexpr std::int64_t kMaxLdvRecords = 1000;

// Who keeps the log, for each record's `resource`.
struct LdvResource {
  std::string org;      // this node's id
  std::string oin;      // its OIN (may be empty)
  std::string version;  // the node's version
};

class LdvReader {
 public:
  LdvReader(storage::Store& store, LdvResource resource) : store_(store), resource_(std::move(resource)) {}

  // {"processingActivities": [...], "truncated": bool}; pruned records are
  // not in it (their contents are gone, their hashes stay in the tree).
  [[nodiscard]] boost::json::object find(const LdvQuery& query) const;

 private:
  storage::Store& store_;
  LdvResource resource_;
};

// One stored event leaf (BRIEF 3.7) as the read extension's ProcessingActivity.
boost::json::object to_processing_activity(const boost::json::object& event, std::int64_t index,
                                           const boost::json::object& resource);

}  // namespace signalnode::node::audit
