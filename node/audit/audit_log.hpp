// The tamper-evident processing record (BRIEF 3.7, Logboek Dataverwerkingen):
// every exchange and processing step is one event, appended in the same
// transaction as the state change it records. Leaves are the RFC 8785 bytes
// of the events; the RFC 9162 Merkle tree over them is signed in tree heads
// with the node's Ed25519 key. No plain identifier or free text is ever in an
// event: data subjects appear as pseudonyms only.
#pragma once

#include <boost/json/object.hpp>

#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "crypto/ed25519.hpp"
#include "crypto/merkle.hpp"
#include "node/audit/events.hpp"
#include "node/storage/store.hpp"

namespace signalnode::node::audit {

struct ForeignOperation {
  std::string trace_id;  // the partner's, from its traceparent
  std::string span_id;
  std::string entity;  // urn:oin:<OIN>
};

// One processing step, as its callers describe it. The log writes it in
// Logboek Dataverwerkingen form (ldv.hpp, docs/audit.md "LDV fields"): one
// record (leaf) per data subject, each its own span, children of one
// operation under one trace, each naming its subject as
// dpl.core.data_subject_id; every record names its processing activity
// (dpl.core.processing_activity_id: the caller's, or the node activity the
// event's name belongs to, processing_register.hpp).
struct Event {
  std::string name;  // one of the catalogue's (events.hpp): e.name = events::kRecordSent
  std::string status = "ok";
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  // 32 hex. Empty: the trace of the API request being handled when its
  // caller sent a traceparent (http/trace_context.hpp), else a new one.
  std::string trace_id;
  // The operation this step is part of (16 hex): the records' parentSpanId.
  // Empty: in the API caller's trace, the caller's span; else one record has
  // none, and several records get a new common parent.
  std::string parent_span_id;
  std::optional<ForeignOperation> foreign;
  boost::json::object attributes;
  std::vector<std::string> data_subjects;  // pseudonyms (hex): one record each, indexed for subject access
  std::string partner;                     // org id, indexed
  std::string category;                    // indexed
};

struct TreeHead {
  std::uint64_t tree_size = 0;
  std::int64_t timestamp_ms = 0;
  crypto::Digest256 root_hash{};
  crypto::Signature signature{};
};

// The bytes an STH signature covers: "signalnode-sth-v1" || size (u64 BE) ||
// timestamp ms (u64 BE) || root (32 bytes).
crypto::Bytes tree_head_message(std::uint64_t size, std::int64_t timestamp_ms, const crypto::Digest256& root);

// "00-<trace>-<span>-01" -> (trace, span); nullopt when malformed.
std::optional<std::pair<std::string, std::string>> parse_traceparent(std::string_view header);

struct VerifyResult {
  bool ok = true;
  std::optional<std::uint64_t> first_bad_index;
  std::string message;
  std::uint64_t events = 0;
  std::uint64_t tree_heads = 0;
  std::uint64_t uncovered = 0;  // events after the newest tree head
};

class AuditLog {
 public:
  using NowMs = std::function<std::int64_t()>;
  AuditLog(storage::Store& store, const crypto::SigningKey& key, NowMs now_ms);

  // In the caller's write transaction: the event and its state change commit
  // together or not at all. Returns the index of its first record (an event
  // about n > 1 subjects is n records, at consecutive indexes).
  static std::uint64_t append(storage::Database& db, const Event& event);
  // Appends in a transaction of its own (events without a state change).
  void append_now(const Event& event);

  // Signs a tree head over all committed events if any were added since the
  // last one (or force). Incremental: only new leaf hashes are read.
  std::optional<TreeHead> sign_tree_head(bool force = false);
  [[nodiscard]] std::optional<TreeHead> latest_tree_head() const;

  // Recomputes every leaf hash and the tree, checks every tree head's
  // signature and root. Pure: changes nothing.
  // With `kept`, the newest signed tree head as last written outside the
  // database (keep_head_copy): the log must still reach it with the same
  // root, so a cut tail, a lost WAL or removed tree heads fail.
  [[nodiscard]] static VerifyResult verify(storage::Database& db, const crypto::PublicKey& key,
                                           const std::optional<TreeHead>& kept = std::nullopt);

  // Every newly signed tree head is also written to `file` (atomically,
  // outside the database), so that a database that lost its newest commits
  // (a deleted WAL, an older copy put back) is told apart from an honest one.
  void keep_head_copy(std::filesystem::path file) { head_file_ = std::move(file); }
  // The copy, when the file exists; throws when it is there but unreadable.
  [[nodiscard]] static std::optional<TreeHead> read_head_copy(const std::filesystem::path& file);
  // At start: the database's log reaches the kept head with the same root,
  // or why not (the node then refuses to serve). Cheap: no leaf is read.
  [[nodiscard]] static std::optional<std::string> check_against_copy(storage::Database& db, const TreeHead& kept);

  // BRIEF 3.7 export: one {"type":"entry",...} line per event, then the newest
  // tree head as {"type":"sth",...} (signing one first if events are uncovered).
  // With a time range, only events in [from_ms, to_ms), each with an
  // "inclusionProof" against that tree head. A pruned event is exported as
  // {"type":"pruned","index","leafHash"} so the tree still verifies.
  void export_jsonl(std::ostream& out, std::optional<std::int64_t> from_ms = std::nullopt,
                    std::optional<std::int64_t> to_ms = std::nullopt);

  // Retention of the log itself: drops the bytes (and subject index) of events
  // older than cutoff_ms, keeping their leaf hashes. Records the pruning as an
  // event. Returns the number pruned.
  std::int64_t prune_before(std::int64_t cutoff_ms);

 private:
  storage::Store& store_;
  const crypto::SigningKey& key_;
  NowMs now_ms_;
  std::mutex mutex_;
  crypto::merkle::Frontier frontier_;
  std::filesystem::path head_file_;
};

}  // namespace signalnode::node::audit
