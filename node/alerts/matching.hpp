// Matching (issue 7): where records meet on one subject pseudonym, alerts.
// - bundle: records from at least N distinct organisations about the subject
//   received within W days;
// - hit: a received record concerns a subject this node has own signals about.
// One alert per subject and kind, re-evaluated (created, updated or removed)
// in the transaction that changes what it is made of. Every lookup goes
// through an index: inbox_subjects(pseudonym, sender, received_at_ms) for
// received records and pseudonyms(match_key) for own signals, so the cost per
// record does not grow with the number of stored pseudonyms, nor with how
// many records one partner sent about the subject: an alert lists at most
// kRecordsPerSender records of each organisation (the newest), and counts
// every organisation and the first arrival over all of them.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "crypto/keyed_hash.hpp"
#include "node/storage/sqlite.hpp"

namespace signalnode::node::alerts {

inline constexpr int kRecordsPerSender = 50;
inline constexpr int kMaxSenders = 1000;  // more than a national federation has nodes

struct BundleRule {
  int min_organisations = 2;
  int window_days = 180;
};

struct Subject {
  std::string id_kind;
  std::array<std::uint8_t, 64> pseudonym{};
  crypto::LookupKey match_key{};  // the keyed hash under which own pseudonyms are indexed
  bool operator<(const Subject& o) const { return pseudonym < o.pseudonym; }
};

struct Matcher {
  std::string self_org;
  BundleRule rule;

  // Re-evaluates both alert kinds of one subject. Returns how many alerts
  // were created, updated or removed.
  int refresh(storage::Database& db, const Subject& subject, std::int64_t now_ms) const;
};

}  // namespace signalnode::node::alerts
