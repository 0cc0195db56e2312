// Reading alerts (the analyst's list, and one alert for its bundle notices).
// The Matcher (matching.hpp) writes the alerts table; this reads it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "node/storage/store.hpp"

namespace signalnode::node::alerts {

struct Alert {
  std::string id;
  std::string kind;  // bundle | hit
  std::string id_kind;
  std::vector<std::uint8_t> pseudonym;
  std::vector<std::string> organisations;
  std::vector<std::string> categories;
  std::vector<std::string> records;  // inbox record ids
  std::vector<std::string> signals;  // own signal ids (hits)
  std::int64_t first_seen_ms = 0;
  std::int64_t last_seen_ms = 0;
  std::int64_t updated_at_ms = 0;
};

struct AlertQuery {
  std::int64_t limit = 50;
  std::optional<std::string> kind;  // all kinds when absent
};

class Alerts {
 public:
  explicit Alerts(storage::Store& store) : store_(store) {}

  // Most recently updated first.
  [[nodiscard]] std::vector<Alert> list(const AlertQuery& query) const;
  // One alert, in the caller's transaction.
  [[nodiscard]] static std::optional<Alert> find(storage::Database& db, const std::string& id);

 private:
  storage::Store& store_;
};

}  // namespace signalnode::node::alerts
