// The client side of pseudonymisation on every node. A stored signal's
// identifiers are queued in the same transaction as the signal; a worker
// blinds them, asks the PA, finalizes, and caches identifier -> pseudonym. So
// a signal is accepted while the PA is away, and its pseudonyms appear when
// the PA is back, once each: the queue and the cache are keyed by a keyed
// hash of the VOPRF input, and the queue row is deleted in the transaction
// that stores the pseudonym.
//
// Domains (BRIEF 3.8): the VOPRF input is `OIN:KIND:CANONICAL`, the OIN of the
// node the pseudonym is for. A signal's identifiers are linked and queued in
// this node's own domain when it is stored (its hits, bundles and subject
// access), and in a recipient's domain when sharing needs them for that
// recipient (link_domain), so two recipients never hold the same pseudonym.
// Each link keeps its sealed input, so a new key epoch can requeue it.
//
// Epochs: a cached pseudonym counts only while its key epoch is the one in
// force (set_epoch, from the manifest); adopt_epoch requeues older ones.
//
// At rest: the queued canonical identifier and the cached pseudonym are both
// sealed under the data key; the lookup key is BLAKE2b keyed with a subkey of
// the data key, so the database alone reveals neither.
//
// A queue row that cannot be pseudonymised (its sealed identifier does not
// open under the data key: damaged in storage, or sealed under another key) is
// set aside with the reason and time, logged without its content, counted, and
// the pass goes on with the other rows. It is not retried; storing the same
// identifier again (a correction, another signal) replaces it with a fresh row,
// and erasure and retention delete it like any queued row.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crypto/keyed_hash.hpp"
#include "crypto/oprf.hpp"
#include "node/pseudonyms/oprf_transport.hpp"
#include "protocol/identifiers.hpp"
#include "node/storage/store.hpp"

namespace signalnode::node::pseudonyms {

struct PreparedIdentifier {
  std::int64_t position = 0;  // subject position in the signal
  std::string id_kind;
  std::string domain;  // the OIN the pseudonym is for
  crypto::LookupKey lookup_key{};
  crypto::Bytes sealed_input;  // OIN:KIND:CANONICAL, sealed under the data key
  int epoch = 0;               // the epoch in force when prepared: an older cached pseudonym is queued again
};

// A signal's identifier as linked: the subject's position, the kind, and the
// lookup key its pseudonym is cached under.
struct IdentifierLink {
  std::int64_t position = 0;
  std::string id_kind;
  crypto::LookupKey lookup_key{};
};

// The pseudonym of one of a signal's identifiers.
struct SignalPseudonym {
  std::string id_kind;
  crypto::oprf::Output pseudonym{};
};

struct PassResult {
  std::size_t computed = 0;   // pseudonyms stored in this pass
  std::size_t failed = 0;     // queue entries left for a later attempt
  std::string error;          // the transport's reason, when it failed
  std::size_t set_aside = 0;  // queue entries set aside in this pass: they cannot be pseudonymised
};

struct QueueStats {
  std::int64_t depth = 0;      // waiting for the PA (set-aside entries not included)
  std::int64_t oldest_ms = 0;  // enqueue time of the oldest waiting entry, 0 if none
  std::int64_t cached = 0;
  std::int64_t set_aside = 0;  // entries set aside because they cannot be pseudonymised
  std::string last_error;
};

// Whether the PA answered the last time this node asked it (issue 18, honest
// health): what /healthz, the metrics and the officer's signal page say.
struct PaReachability {
  std::int64_t last_success_ms = 0;  // 0: no answer since start
  std::int64_t last_failure_ms = 0;  // 0: no failure since start
  std::int64_t failing_since_ms = 0;  // first failure after the last success; 0 while it answers
  std::int64_t waiting = 0;           // identifiers waiting for it (set-aside ones apart)
  std::int64_t oldest_waiting_ms = 0;  // enqueue time of the oldest, 0 if none
  bool unreachable() const { return failing_since_ms != 0; }
};

class Pseudonymiser {
 public:
  using NowMs = std::function<std::int64_t()>;
  // `own_domain`: this node's OIN.
  Pseudonymiser(storage::Store& store, const crypto::AeadKey& data_key, NowMs now_ms, std::string own_domain);

  const std::string& own_domain() const { return own_domain_; }
  // The node's data key, for the few rows sharing seals itself (an outbox
  // message that carries identities).
  const crypto::AeadKey& data_key() const { return data_key_; }
  // The key epoch in force (from the manifest); 0 until known: any cached
  // pseudonym counts then.
  void set_epoch(int epoch) { epoch_.store(epoch); }
  [[nodiscard]] int epoch() const { return epoch_.load(); }
  // Moves to `epoch`: every linked identifier whose pseudonym is of an older
  // epoch is queued again; returns the signals that had such identifiers
  // (their records are to be shared again in the new epoch).
  std::vector<std::string> adopt_epoch(int epoch);
  // Queues every linked identifier whose pseudonym is missing or of another
  // epoch and that is not queued (after an epoch change, and as a periodic
  // repair of anything that raced with one); returns how many.
  std::size_t requeue_missing();

  // The lookup key and sealed input of one identifier of the subject at
  // `position`, in this node's own domain (on the caller's thread, before the
  // write job).
  [[nodiscard]] PreparedIdentifier prepare(std::int64_t position, const protocol::CanonicalId& id) const;
  // In the caller's transaction: the signal's identifiers of `kinds` in
  // `domain` (a recipient's OIN), linked and queued where not yet; returns
  // their current pseudonyms by (position, kind), or nullopt while any is
  // still to come from the PA.
  std::optional<std::map<std::pair<std::int64_t, std::string>, crypto::oprf::Output>> in_domain(
      storage::Database& db, const std::string& signal_id, const std::string& domain,
      const std::set<std::string>& kinds, std::int64_t now_ms) const;
  // Inside the signal's insert transaction: links and queues (once per identifier).
  static void write_rows(storage::Database& db, const std::string& signal_id,
                         const std::vector<PreparedIdentifier>& rows, std::int64_t now_ms);
  // The signal's identifier links in this node's own domain, by position and
  // kind (caller's transaction).
  [[nodiscard]] std::vector<IdentifierLink> links_of(storage::Database& db, const std::string& signal_id) const;
  // Drops the signal's identifier links (a correction writes new ones).
  static void unlink(storage::Database& db, const std::string& signal_id);
  // Erasure of a signal's identifiers: its links, and the queue entries no
  // other signal needs.
  static void forget_links(storage::Database& db, const std::string& signal_id);
  // After signals were deleted: cached pseudonyms and queued identifiers no
  // signal links to any more. Reads every cached pseudonym: for a repair,
  // not for each deletion.
  static void forget_unreferenced(storage::Database& db);
  // The lookup keys a signal's identifiers are linked under (every domain).
  [[nodiscard]] static std::vector<std::vector<std::uint8_t>> lookup_keys_of(storage::Database& db,
                                                                            const std::string& signal_id);
  // The same for the lookup keys of signals just deleted, one index seek
  // each instead of reading everything cached (retention, issue 19).
  static void forget_unreferenced(storage::Database& db, const std::vector<std::vector<std::uint8_t>>& keys);
  // The cached own-domain pseudonyms of a signal's distinct identifiers (those
  // not yet pseudonymised are left out), in the caller's transaction.
  [[nodiscard]] std::vector<SignalPseudonym> pseudonyms_of_signal(storage::Database& db, const std::string& signal_id) const;

  // One pass over due queue entries (up to the transport's batch size). An
  // entry that does not decrypt is set aside and the others go on.
  [[nodiscard]] PassResult process_pending(OprfTransport& transport);
  // The cached own-domain pseudonym of the epoch in force, or nullopt while pending.
  [[nodiscard]] std::optional<crypto::oprf::Output> cached(const protocol::CanonicalId& id) const;
  // The cached pseudonym of the epoch in force for a lookup key (as stored in
  // signal_identifiers), nullopt when none or an older epoch's.
  [[nodiscard]] std::optional<crypto::oprf::Output> cached_by_key(storage::Database& db, const crypto::LookupKey& key) const;
  // The own-domain pseudonym from the cache, or computed through the
  // transport now (and cached).
  [[nodiscard]] crypto::oprf::Output pseudonymise_now(const protocol::CanonicalId& id, OprfTransport& transport);
  // The identifier's pseudonyms in each of `domains`, in one batch, not cached
  // (subject access: what left for each partner).
  [[nodiscard]] std::vector<crypto::oprf::Output> pseudonymise_in(const protocol::CanonicalId& id,
                                                                 const std::vector<std::string>& domains,
                                                                 OprfTransport& transport) const;
  [[nodiscard]] QueueStats stats() const;
  // The PA as last seen, with the queue's depth (two aggregates over the
  // queue only: cheap enough for every /healthz).
  [[nodiscard]] PaReachability reachability() const;

  // A keyed hash of a pseudonym (BLAKE2b, a subkey of the data key): how a
  // received record finds this node's own signals about the same subject
  // through an index, while own pseudonyms stay sealed at rest.
  [[nodiscard]] crypto::LookupKey match_key(const crypto::oprf::Output& pseudonym) const;
  // Gives cached pseudonyms stored before match keys existed their key.
  std::size_t backfill_match_keys();

 private:
  [[nodiscard]] crypto::LookupKey lookup_key(std::string_view input) const;
  [[nodiscard]] PreparedIdentifier prepare_in(std::int64_t position, std::string_view id_kind, std::string_view domain,
                                              std::string_view kind_and_canonical) const;
  void store_pseudonyms(const std::vector<crypto::LookupKey>& keys, const std::vector<std::string>& kinds,
                        const std::vector<crypto::oprf::Output>& outputs, int epoch);

  storage::Store& store_;
  const crypto::AeadKey& data_key_;
  crypto::SubKey lookup_subkey_;
  crypto::SubKey match_subkey_;
  NowMs now_ms_;
  std::string own_domain_;
  std::atomic<int> epoch_{0};
  mutable std::mutex error_mutex_;
  std::string last_error_;
  std::int64_t last_success_ms_ = 0, last_failure_ms_ = 0, failing_since_ms_ = 0;  // under error_mutex_
};

}  // namespace signalnode::node::pseudonyms
