// Own signals in the node database, with identifiers, names and summary sealed
// under the node's data key. Sealing happens on the caller's thread so the
// writer thread only does I/O.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/aead.hpp"
#include "node/pseudonyms/pseudonymiser.hpp"
#include "node/signals/signal.hpp"
#include "node/signals/signal_state.hpp"
#include "node/storage/store.hpp"
#include "policies/projection.hpp"

namespace signalnode::node::signals {

struct ListQuery {
  std::size_t limit = 50;
  std::optional<std::string> before_id;  // keyset pagination: items older than this id
  std::optional<std::string> category;
  std::optional<std::string> submitted_by;  // only these (an officer's own: "Mijn signalen")
};

// How many signals there are of one category.
struct CategoryCount {
  std::string category;
  std::int64_t count = 0;
};

// What a withdrawal checks of a signal.
// Where a signal stands, with its category (for the withdrawal's audit event).
struct StatusAndCategory {
  SignalStatus status;
  std::string category;
};

// A signal waiting to be shared whose identifiers all have their pseudonym,
// with what the covenant's projection reads of it.
struct ReadySignal {
  std::string id;
  policies::SignalFacts facts;
  std::int64_t created_at_ms = 0;
};

struct WrongDataKey : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct NotCorrectable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class SignalRepository {
 public:
  SignalRepository(storage::Store& store, const crypto::AeadKey& data_key, int key_id = 1);

  // Seals the signal now and returns the write that stores it: the signal, its
  // subjects, and its identifiers' links and pseudonym queue entries, all in
  // one transaction.
  storage::Store::WriteJob insert_job(const Signal& signal,
                                      std::vector<pseudonyms::PreparedIdentifier> identifiers = {}) const;

  // The write that replaces a signal's content with its correction (same id,
  // new revision) and queues its identifiers again, so sharing sends each
  // partner the corrected record. Throws NotCorrectable inside the write
  // when the signal is unknown or withdrawn: nothing is changed then.
  storage::Store::WriteJob correct_job(const Signal& corrected,
                                       std::vector<pseudonyms::PreparedIdentifier> identifiers = {}) const;

  // At start: proves that the data key is the one this database's data was
  // sealed under, by a sealed sample kept for it (written at the first start;
  // a database from before the sample must have its newest signal open).
  // Throws WrongDataKey otherwise: a node that starts with a wrong key would
  // answer 500 on every read and seal new signals under that key.
  void prove_key() const;

  std::vector<SignalSummary> list(const ListQuery& query) const;
  std::optional<Signal> get(const std::string& id) const;
  std::int64_t count() const;
  // Active and not yet decided for the partners: its pseudonyms are awaited.
  bool awaiting_decision(const std::string& id) const;
  // Most signals first, then by category.
  std::vector<CategoryCount> count_by_category() const;

  // For the sharing jobs, in their transaction (the caller's db):
  static std::optional<StatusAndCategory> status_of(storage::Database& db, const std::string& id);
  // The user who submitted it (who hears of feedback, hits and requests).
  static std::optional<std::string> author_of(storage::Database& db, const std::string& id);
  // Withdrawal's erasure: the sealed content, the subjects and (through the
  // Pseudonymiser) the identifier links go; the row stays, category and dates
  // only, marked withdrawn and decided.
  static void erase_content(storage::Database& db, const std::string& id, std::int64_t now_ms);
  // Every partner's decision for the signal's current revision is made.
  static void mark_decided(storage::Database& db, const std::string& id);
  // Active signals to be decided again once their pseudonyms are ready (a new
  // key epoch): each partner that has a record gets it corrected.
  static void share_again(storage::Database& db, const std::vector<std::string>& ids);
  // Signals with identifier links of a release before pseudonym domains.
  static std::vector<std::string> with_legacy_links(storage::Database& db);
  // Pending active signals whose pseudonyms are all cached, oldest first, with
  // their identifiers' pseudonyms (opened by the pseudonymiser).
  static std::vector<ReadySignal> ready_to_share(storage::Database& db, const pseudonyms::Pseudonymiser& pseudonymiser,
                                                 std::size_t max_signals);
  // Active decided signals after (after_ms, after_id) in (created_at_ms, id)
  // order, without their identifiers (fill_identifiers adds them): the
  // catch-up's walk over what was decided under an earlier covenant.
  static std::vector<ReadySignal> decided_after(storage::Database& db, std::int64_t after_ms,
                                                const std::string& after_id, std::size_t max_signals);
  static std::optional<ReadySignal> decided_one(storage::Database& db, const std::string& id);
  // The signal's identifiers with their pseudonyms in this node's domain.
  static void fill_identifiers(storage::Database& db, const pseudonyms::Pseudonymiser& pseudonymiser, ReadySignal& r);
  // Ids of signals created before cutoff_ms, oldest first, at most `limit`.
  static std::vector<std::string> created_before(storage::Database& db, std::int64_t cutoff_ms,
                                                 std::size_t limit = 10000);
  // Deletes the signal; its subjects, identifier links, decisions, outbox
  // entries and feedback go with it (foreign keys cascade).
  static void remove(storage::Database& db, const std::string& id);

 private:
  storage::Store& store_;
  const crypto::AeadKey& key_;
  int key_id_;
};

// Lookup keys and sealed inputs of every identifier of the signal, prepared
// on the caller's thread for insert_job or correct_job.
std::vector<pseudonyms::PreparedIdentifier> prepare_identifiers(const Signal& signal,
                                                                const pseudonyms::Pseudonymiser& pseudonymiser);

}  // namespace signalnode::node::signals
