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
#include "node/storage/store.hpp"

namespace signalnode::node::signals {

struct ListQuery {
  std::size_t limit = 50;
  std::optional<std::string> before_id;  // keyset pagination: items older than this id
  std::optional<std::string> category;
};

// How many signals there are of one category.
struct CategoryCount {
  std::string category;
  std::int64_t count = 0;
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

  std::vector<SignalSummary> list(const ListQuery& query) const;
  std::optional<Signal> get(const std::string& id) const;
  std::int64_t count() const;
  // Most signals first, then by category.
  std::vector<CategoryCount> count_by_category() const;

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
