// What one case is about (issue 16, docs/cases.md): the alerts, subjects and
// records that hang together. Subjects (pseudonyms of this node's own domain)
// and records (received inbox records and own signals) are linked where a
// record names the subject; an alert belongs where its subject is. The walk is
// breadth-first from the seeds and bounded in every direction, so a partner
// that floods one subject with records, or ties many subjects together, costs
// a bounded amount of reading and yields a bounded graph marked `truncated`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "node/alerts/alerts.hpp"
#include "node/pseudonyms/pseudonymiser.hpp"
#include "node/storage/sqlite.hpp"

namespace signalnode::node::cases {

// Bounds of one graph, and of the reading behind each subject.
inline constexpr std::size_t kMaxRecords = 200;
inline constexpr std::size_t kMaxSubjects = 100;
inline constexpr std::size_t kMaxSendersPerSubject = 25;  // organisations read per subject
inline constexpr std::size_t kRecordsPerSender = 10;      // newest received records per organisation and subject
inline constexpr std::size_t kOwnSignalsPerSubject = 20;  // newest own signals per subject
inline constexpr std::size_t kSubjectsPerRecord = 64;     // far above what a record carries

struct GraphSubject {
  std::string id_kind;
  std::vector<std::uint8_t> pseudonym;  // own domain; shown only as key()
  std::vector<std::string> organisations;  // distinct, as far as read (bounded)
};

struct GraphRecord {
  std::string id;  // inbox id (received) or signal id (own)
  bool own = false;
  std::string org;  // the source organisation (this node for own signals)
  std::string category;
  std::string week;  // ISO week; empty when the record's rule does not grant it
  std::int64_t received_at_ms = 0;  // received records only
};

struct Graph {
  std::vector<GraphSubject> subjects;
  std::vector<GraphRecord> records;
  std::vector<std::pair<std::size_t, std::size_t>> links;  // (record index, subject index)
  std::vector<alerts::Alert> alerts;  // every alert on one of the subjects
  bool truncated = false;              // a bound was reached: more is connected than shown
};

// The opaque short key the API shows for a subject: the first 12 hex digits of
// SHA-256 of the pseudonym. Stable, and useless to look anything up with.
std::string subject_key(const std::vector<std::uint8_t>& pseudonym);

// The component of the seed alerts, in the caller's transaction.
Graph connected(storage::Database& db, const pseudonyms::Pseudonymiser& pseudonymiser, const std::string& self_org,
                const std::vector<alerts::Alert>& seeds);

// A received record about a pseudonym (lookups).
struct ReceivedRef {
  std::string inbox_id;
  std::string sender;
};
// The newest received records about one pseudonym, at most `per_sender` of
// each of at most `max_senders` organisations (one index seek per
// organisation, so a flood of one sender costs the same as one record).
// `more` is set when a bound left records out.
std::vector<ReceivedRef> received_about(storage::Database& db, std::span<const std::uint8_t> pseudonym,
                                        std::size_t max_senders, std::size_t per_sender, bool* more = nullptr);

}  // namespace signalnode::node::cases
