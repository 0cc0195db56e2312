// Lookups (issue 16, docs/cases.md): an analyst who already knows an
// identifier (a KvK number from a phone call, an address from a colleague)
// asks what this node received about it. The identifier is pseudonymised in
// the node's own domain through the PA, and the inbox and the alerts are
// searched by that pseudonym. A lookup needs a stated purpose and is limited
// per user per day (lookup_budget), so the function cannot be used to sweep a
// register; every lookup and every refusal is audited, with the pseudonym and
// never the identifier.
#pragma once

#include <boost/json/array.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "node/pseudonyms/oprf_transport.hpp"
#include "node/pseudonyms/pseudonymiser.hpp"
#include "node/storage/store.hpp"
#include "protocol/identifiers.hpp"

namespace signalnode::node::cases {

inline constexpr int kDefaultLookupsPerUserPerDay = 20;
inline constexpr std::size_t kMinPurposeChars = 10;
inline constexpr std::size_t kMaxPurposeChars = 1000;
// What one lookup reads and answers at most: the newest records of each
// organisation, so one partner's flood cannot hide another's record.
inline constexpr std::size_t kLookupSenders = 50;
inline constexpr std::size_t kLookupRecordsPerSender = 20;

struct LookupResult {
  enum class Kind { found, over_budget, pa_unavailable };
  Kind kind = Kind::found;
  boost::json::array items;  // {"type": "record" | "alert", ...}, docs/cases.md
  std::int64_t remaining = 0;  // lookups this user has left today
  bool truncated = false;      // a bound left records out
};

class Lookups {
 public:
  using NowMs = std::function<std::int64_t()>;
  Lookups(storage::Store& store, pseudonyms::Pseudonymiser& pseudonymiser, NowMs now_ms, int per_user_per_day)
      : store_(store), pseudonymiser_(pseudonymiser), now_ms_(std::move(now_ms)), per_day_(per_user_per_day) {}

  // 10 to 1000 characters of UTF-8 without control characters.
  static bool is_purpose(std::string_view purpose);

  // A lookup refused before anything was looked up (no valid purpose):
  // audited as lookup.refused. Blocks until committed.
  void refuse(const std::string& id_kind, const std::string& by, std::string_view reason);
  // Charges the user's budget for today and looks up; over budget nothing is
  // looked up (audited lookup.refused); when the PA cannot be reached nothing
  // is charged. Blocks on the PA and on the commit: not for an API I/O thread.
  [[nodiscard]] LookupResult perform(const protocol::CanonicalId& id, const std::string& id_kind,
                                     const std::string& purpose, const std::string& by,
                                     pseudonyms::OprfTransport& transport);

 private:
  storage::Store& store_;
  pseudonyms::Pseudonymiser& pseudonymiser_;
  NowMs now_ms_;
  int per_day_;
};

// Seconds from `epoch_ms` to the next local midnight (when budgets renew).
std::int64_t seconds_to_local_midnight(std::int64_t epoch_ms);

}  // namespace signalnode::node::cases
