// Bundles (issue 7): records from at least N distinct organisations about the
// same pseudonym within W days become one alert per subject, updated as new
// records arrive. Matching goes through the pseudonym index, never a scan.
#pragma once

#include <cstdint>
#include <string>

#include "node/storage/sqlite.hpp"

namespace signalnode::node::alerts {

struct BundleRule {
  int min_organisations = 2;
  int window_days = 180;
};

// Inside the transaction that stored a received record: re-evaluates the
// bundle of each of the record's subject pseudonyms. Returns the number of
// alerts created or updated.
int update_bundles_for(storage::Database& db, const std::string& inbox_id, std::int64_t now_ms, const BundleRule& rule);

}  // namespace signalnode::node::alerts
