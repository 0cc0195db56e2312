#include "node/pseudonyms/pseudonymiser.hpp"

#include <algorithm>
#include <cstring>

#include "crypto/voprf.hpp"
#include "node/log/log.hpp"
#include "protocol/identifiers.hpp"

namespace signalnode::node::pseudonyms {
namespace oprf = crypto::oprf;
namespace voprf = crypto::voprf;

namespace {

constexpr std::string_view kInputAd = "signalnode/pseudonym-queue/v1/";
constexpr std::string_view kOutputAd = "signalnode/pseudonym/v1/";

crypto::Bytes ad(std::string_view prefix, const crypto::LookupKey& key) {
  crypto::Bytes out(prefix.begin(), prefix.end());
  out.insert(out.end(), key.begin(), key.end());
  return out;
}

crypto::LookupKey to_lookup_key(const std::vector<std::uint8_t>& blob) {
  crypto::LookupKey key{};
  if (blob.size() == key.size()) std::memcpy(key.data(), blob.data(), key.size());
  return key;
}

// Backoff for entries the PA could not serve: 1, 2, 4 ... seconds, at most 5 minutes.
std::int64_t backoff_ms(std::int64_t attempts, double retry_after) {
  std::int64_t ms = std::min<std::int64_t>(300'000, 1000LL << std::min<std::int64_t>(attempts, 9));
  return std::max<std::int64_t>(ms, static_cast<std::int64_t>(retry_after * 1000));
}

}  // namespace

Pseudonymiser::Pseudonymiser(storage::Store& store, const crypto::AeadKey& data_key, NowMs now_ms, std::string own_domain)
    : store_(store), data_key_(data_key), lookup_subkey_(crypto::derive_subkey(data_key, 1, "sn-idkey")),
      match_subkey_(crypto::derive_subkey(data_key, 2, "sn-match")),
      now_ms_(std::move(now_ms)), own_domain_(std::move(own_domain)) {}

crypto::LookupKey Pseudonymiser::lookup_key(std::string_view input) const {
  return crypto::keyed_hash(lookup_subkey_, crypto::as_bytes(input));
}

PreparedIdentifier Pseudonymiser::prepare_in(std::int64_t position, std::string_view id_kind, std::string_view domain,
                                             std::string_view kind_and_canonical) const {
  PreparedIdentifier p;
  p.position = position;
  p.id_kind = std::string(id_kind);
  p.domain = std::string(domain);
  // Built in one buffer, so no temporary copy of the identifier is left unwiped.
  std::string input;
  input.reserve(domain.size() + 1 + kind_and_canonical.size());
  input.append(domain).append(":").append(kind_and_canonical);
  p.lookup_key = lookup_key(input);
  p.sealed_input = crypto::seal(data_key_, crypto::as_bytes(input), ad(kInputAd, p.lookup_key));
  p.epoch = epoch();
  crypto::wipe(input.data(), input.size());
  return p;
}

PreparedIdentifier Pseudonymiser::prepare(std::int64_t position, const protocol::CanonicalId& id) const {
  std::string input = id.oprf_input();
  auto p = prepare_in(position, protocol::to_string(id.kind), own_domain_, input);
  crypto::wipe(input.data(), input.size());
  return p;
}

void Pseudonymiser::write_rows(storage::Database& db, const std::string& signal_id,
                               const std::vector<PreparedIdentifier>& rows, std::int64_t now_ms) {
  auto link = db.cached(
      "INSERT OR IGNORE INTO signal_identifiers (signal_id, position, id_kind, domain, lookup_key, sealed_input) "
      "VALUES (?,?,?,?,?,?)");
  // Queue only what is neither cached (in the epoch in force) nor queued
  // already: one PA evaluation per distinct input, however many signals name
  // it. A row set aside (it did not decrypt) is replaced by this freshly
  // sealed one.
  auto queue = db.cached(
      "INSERT INTO pseudonym_queue (lookup_key, id_kind, sealed_input, enqueued_at_ms, next_attempt_at_ms) "
      "SELECT ?1, ?2, ?3, ?4, ?4 WHERE NOT EXISTS (SELECT 1 FROM pseudonyms WHERE lookup_key = ?1 AND (?5 = 0 OR key_epoch = ?5)) "
      "ON CONFLICT(lookup_key) DO UPDATE SET id_kind = excluded.id_kind, sealed_input = excluded.sealed_input, "
      "enqueued_at_ms = excluded.enqueued_at_ms, attempts = 0, next_attempt_at_ms = excluded.next_attempt_at_ms, "
      "last_error = NULL, set_aside_at_ms = NULL, set_aside_reason = NULL "
      "WHERE pseudonym_queue.set_aside_at_ms IS NOT NULL");
  for (const auto& row : rows) {
    link.reset();
    link.bind(1, std::string_view(signal_id)).bind(2, row.position).bind(3, std::string_view(row.id_kind))
        .bind(4, std::string_view(row.domain)).bind_blob(5, row.lookup_key).bind_blob(6, row.sealed_input).run();
    queue.reset();
    queue.bind_blob(1, row.lookup_key).bind(2, std::string_view(row.id_kind)).bind_blob(3, row.sealed_input)
        .bind(4, now_ms).bind(5, static_cast<std::int64_t>(row.epoch)).run();
  }
}

std::vector<IdentifierLink> Pseudonymiser::links_of(storage::Database& db, const std::string& signal_id) const {
  std::vector<IdentifierLink> out;
  auto st = db.cached(
      "SELECT position, id_kind, lookup_key FROM signal_identifiers WHERE signal_id = ? AND domain = ? "
      "ORDER BY position, id_kind");
  st.bind(1, std::string_view(signal_id)).bind(2, std::string_view(own_domain_));
  while (st.step()) out.push_back({st.int64(0), st.text(1), to_lookup_key(st.blob(2))});
  st.reset();
  return out;
}

std::optional<std::map<std::pair<std::int64_t, std::string>, oprf::Output>> Pseudonymiser::in_domain(
    storage::Database& db, const std::string& signal_id, const std::string& domain, const std::set<std::string>& kinds,
    std::int64_t now_ms) const {
  struct Own {
    std::int64_t position;
    std::string kind;
    crypto::LookupKey key;
    std::vector<std::uint8_t> sealed;
  };
  std::vector<Own> own;
  auto st = db.cached(
      "SELECT position, id_kind, lookup_key, sealed_input FROM signal_identifiers WHERE signal_id = ? AND domain = ? "
      "AND sealed_input IS NOT NULL ORDER BY position, id_kind");
  st.bind(1, std::string_view(signal_id)).bind(2, std::string_view(own_domain_));
  while (st.step()) {
    std::string kind = st.text(1);
    if (kinds.contains(kind)) own.push_back({st.int64(0), std::move(kind), to_lookup_key(st.blob(2)), st.blob(3)});
  }
  st.reset();
  auto existing = db.cached(
      "SELECT lookup_key FROM signal_identifiers WHERE signal_id = ? AND domain = ? AND position = ? AND id_kind = ?");
  std::vector<PreparedIdentifier> missing;
  std::map<std::pair<std::int64_t, std::string>, oprf::Output> out;
  bool complete = true;
  const std::string prefix = own_domain_ + ":";
  for (const auto& o : own) {
    existing.reset();
    existing.bind(1, std::string_view(signal_id)).bind(2, std::string_view(domain)).bind(3, o.position)
        .bind(4, std::string_view(o.kind));
    std::optional<crypto::LookupKey> key;
    if (existing.step()) key = to_lookup_key(existing.blob(0));
    existing.reset();
    if (!key) {
      auto input = crypto::open(data_key_, o.sealed, ad(kInputAd, o.key));
      if (!input || !std::string_view(input->chars()).starts_with(prefix)) {
        // Never the identifier: which kind, and that it cannot travel.
        log::error("pseudonyms.link_unreadable", {{"idKind", o.kind}, {"reason", "its sealed input does not open"}});
        continue;
      }
      missing.push_back(prepare_in(o.position, o.kind, domain, input->chars().substr(prefix.size())));
      complete = false;
      continue;
    }
    auto p = cached_by_key(db, *key);
    if (!p) {
      complete = false;
      continue;
    }
    out.emplace(std::make_pair(o.position, o.kind), *p);
  }
  if (!missing.empty()) write_rows(db, signal_id, missing, now_ms);
  if (!complete) return std::nullopt;
  return out;
}

std::vector<std::string> Pseudonymiser::adopt_epoch(int epoch) {
  set_epoch(epoch);
  std::vector<std::string> signals;
  store_.write([&](storage::Database& db) {
    auto stale = db.cached(
        "SELECT DISTINCT si.signal_id FROM signal_identifiers si JOIN pseudonyms p ON p.lookup_key = si.lookup_key "
        "WHERE p.key_epoch <> ?");
    stale.bind(1, static_cast<std::int64_t>(epoch));
    while (stale.step()) signals.push_back(stale.text(0));
    stale.reset();
  });
  requeue_missing();
  return signals;
}

std::size_t Pseudonymiser::requeue_missing() {
  const std::int64_t now = now_ms_();
  const auto current = static_cast<std::int64_t>(epoch());
  std::size_t queued = 0;
  store_.write([&](storage::Database& db) {
    // Every link whose pseudonym is missing or of another epoch, and that is
    // not queued: after a new epoch, and whatever raced with one (a batch
    // answered under the old epoch, a signal stored while it changed).
    db.cached(
          "INSERT INTO pseudonym_queue (lookup_key, id_kind, sealed_input, enqueued_at_ms, next_attempt_at_ms) "
          "SELECT si.lookup_key, si.id_kind, si.sealed_input, ?1, ?1 FROM signal_identifiers si "
          "LEFT JOIN pseudonyms p ON p.lookup_key = si.lookup_key WHERE si.sealed_input IS NOT NULL "
          "AND (p.lookup_key IS NULL OR (?2 <> 0 AND p.key_epoch <> ?2)) "
          "GROUP BY si.lookup_key ON CONFLICT(lookup_key) DO NOTHING")
        .bind(1, now)
        .bind(2, current)
        .run();
    queued = static_cast<std::size_t>(db.changes());
  });
  return queued;
}

void Pseudonymiser::unlink(storage::Database& db, const std::string& signal_id) {
  db.cached("DELETE FROM signal_identifiers WHERE signal_id = ?").bind(1, std::string_view(signal_id)).run();
}

void Pseudonymiser::forget_links(storage::Database& db, const std::string& signal_id) {
  db.cached(
        "DELETE FROM pseudonym_queue WHERE lookup_key IN (SELECT lookup_key FROM signal_identifiers WHERE signal_id = ?1) "
        "AND NOT EXISTS (SELECT 1 FROM signal_identifiers o WHERE o.lookup_key = pseudonym_queue.lookup_key "
        "AND o.signal_id <> ?1)")
      .bind(1, std::string_view(signal_id))
      .run();
  unlink(db, signal_id);
}

void Pseudonymiser::forget_unreferenced(storage::Database& db) {
  db.exec(
      "DELETE FROM pseudonyms WHERE NOT EXISTS (SELECT 1 FROM signal_identifiers si WHERE si.lookup_key = pseudonyms.lookup_key);"
      "DELETE FROM pseudonym_queue WHERE NOT EXISTS (SELECT 1 FROM signal_identifiers si "
      "WHERE si.lookup_key = pseudonym_queue.lookup_key);");
}

std::vector<std::vector<std::uint8_t>> Pseudonymiser::lookup_keys_of(storage::Database& db, const std::string& signal_id) {
  std::vector<std::vector<std::uint8_t>> keys;
  auto st = db.cached("SELECT DISTINCT lookup_key FROM signal_identifiers WHERE signal_id = ?");
  st.bind(1, std::string_view(signal_id));
  while (st.step()) keys.push_back(st.blob(0));
  return keys;
}

void Pseudonymiser::forget_unreferenced(storage::Database& db, const std::vector<std::vector<std::uint8_t>>& keys) {
  auto cached = db.cached(
      "DELETE FROM pseudonyms WHERE lookup_key = ?1 AND NOT EXISTS (SELECT 1 FROM signal_identifiers WHERE lookup_key = ?1)");
  auto queued = db.cached(
      "DELETE FROM pseudonym_queue WHERE lookup_key = ?1 AND NOT EXISTS (SELECT 1 FROM signal_identifiers WHERE lookup_key = ?1)");
  for (const auto& key : keys) {
    cached.reset();
    cached.bind_blob(1, key).run();
    queued.reset();
    queued.bind_blob(1, key).run();
  }
}

std::vector<SignalPseudonym> Pseudonymiser::pseudonyms_of_signal(storage::Database& db,
                                                                 const std::string& signal_id) const {
  std::vector<SignalPseudonym> out;
  std::vector<std::pair<std::string, crypto::LookupKey>> keys;
  auto st = db.cached("SELECT DISTINCT id_kind, lookup_key FROM signal_identifiers WHERE signal_id = ? AND domain = ?");
  st.bind(1, std::string_view(signal_id)).bind(2, std::string_view(own_domain_));
  while (st.step()) {
    crypto::LookupKey key{};
    auto blob = st.blob_view(1);
    if (blob.size() == key.size()) std::memcpy(key.data(), blob.data(), key.size());
    keys.emplace_back(st.text(0), key);
  }
  st.reset();
  for (const auto& [id_kind, key] : keys) {
    auto p = cached_by_key(db, key);
    if (!p) continue;  // never pseudonymised, so never shared or matched
    out.push_back({id_kind, *p});
  }
  return out;
}

PassResult Pseudonymiser::process_pending(OprfTransport& transport) {
  struct Due {
    std::vector<std::uint8_t> stored_key;  // as stored: how the row is found again, even if damaged
    crypto::LookupKey key;
    std::string kind;
    std::vector<std::uint8_t> sealed;
    std::int64_t attempts;
  };
  const std::int64_t now = now_ms_();
  auto rows = store_.read([&](storage::Database& db) {
    auto st = db.cached(
        "SELECT lookup_key, id_kind, sealed_input, attempts FROM pseudonym_queue WHERE next_attempt_at_ms <= ? "
        "AND set_aside_at_ms IS NULL ORDER BY enqueued_at_ms LIMIT ?");
    st.bind(1, now).bind(2, static_cast<std::int64_t>(transport.max_batch()));
    std::vector<Due> out;
    while (st.step()) {
      auto stored_key = st.blob(0);
      auto key = to_lookup_key(stored_key);
      out.push_back({std::move(stored_key), key, st.text(1), st.blob(2), st.int64(3)});
    }
    st.reset();
    return out;
  });
  PassResult result;
  if (rows.empty()) return result;

  // A row that cannot be pseudonymised is set aside; it must not stop the others.
  std::vector<Due> due;
  std::vector<std::pair<const Due*, std::string_view>> bad;
  std::vector<crypto::SecretBytes> inputs;
  std::vector<oprf::Blinded> blinds;
  std::vector<oprf::Element> blinded;
  for (const auto& d : rows) {
    auto input = crypto::open(data_key_, d.sealed, ad(kInputAd, d.key));
    if (!input) {
      bad.emplace_back(&d, "the queued identifier does not decrypt under the data key (damaged in storage, or "
                           "sealed under another key)");
      continue;
    }
    auto b = voprf::blind(input->view());
    if (!b) {
      bad.emplace_back(&d, "the queued identifier maps to the identity element of the OPRF group");
      continue;
    }
    blinded.push_back(b->blinded_element);
    blinds.push_back(std::move(*b));
    inputs.push_back(std::move(*input));
    due.push_back(d);
  }
  if (!bad.empty()) {
    store_.write([&](storage::Database& db) {
      auto st = db.cached(
          "UPDATE pseudonym_queue SET set_aside_at_ms = ?, set_aside_reason = ? WHERE lookup_key = ? "
          "AND set_aside_at_ms IS NULL");
      for (const auto& [d, reason] : bad) {
        st.reset();
        st.bind(1, now).bind(2, reason).bind_blob(3, d->stored_key).run();
      }
    });
    for (const auto& [d, reason] : bad) {
      // Never the identifier or its lookup key: the kind (when it is one) and why.
      auto kind = protocol::id_kind_from_string(d->kind);
      log::error("pseudonyms.queue_entry_set_aside",
                 {{"idKind", kind ? d->kind : std::string("unknown")}, {"attempts", d->attempts}, {"reason", reason}});
    }
    result.set_aside = bad.size();
  }
  if (due.empty()) return result;

  PaAnswer answer;
  try {
    answer = transport.evaluate(blinded);
    if (answer.evaluated.size() != blinded.size()) throw TransportError("PA answered with the wrong count");
    if (epoch() != 0 && answer.key_epoch != epoch()) {
      throw TransportError("the PA answered for key epoch " + std::to_string(answer.key_epoch) + "; the manifest's is " +
                           std::to_string(epoch()));
    }
  } catch (const TransportError& e) {
    {
      std::lock_guard lock(error_mutex_);
      last_error_ = e.what();
      last_failure_ms_ = now;
      if (failing_since_ms_ == 0) failing_since_ms_ = now;
    }
    store_.write([&](storage::Database& db) {
      auto st = db.cached(
          "UPDATE pseudonym_queue SET attempts = attempts + 1, next_attempt_at_ms = ?, last_error = ? "
          "WHERE lookup_key = ?");
      for (const auto& d : due) {
        st.reset();
        st.bind(1, now + backoff_ms(d.attempts, e.retry_after())).bind(2, std::string_view(e.what()))
            .bind_blob(3, d.key).run();
      }
    });
    result.failed = due.size();
    result.error = e.what();
    return result;
  }

  std::vector<oprf::Output> outputs;
  std::vector<crypto::LookupKey> keys;
  std::vector<std::string> kinds;
  for (std::size_t i = 0; i < due.size(); ++i) {
    auto out = voprf::finalize_verified(inputs[i].view(), blinds[i].blind, answer.evaluated[i]);
    if (!out) throw TransportError("PA answered with an invalid element");
    outputs.push_back(*out);
    keys.push_back(due[i].key);
    kinds.push_back(due[i].kind);
  }
  store_pseudonyms(keys, kinds, outputs, answer.key_epoch);
  {
    std::lock_guard lock(error_mutex_);
    last_error_.clear();
    last_success_ms_ = now;
    failing_since_ms_ = 0;
  }
  result.computed = outputs.size();
  return result;
}

void Pseudonymiser::store_pseudonyms(const std::vector<crypto::LookupKey>& keys, const std::vector<std::string>& kinds,
                                     const std::vector<oprf::Output>& outputs, int epoch) {
  std::vector<crypto::Bytes> sealed;
  for (std::size_t i = 0; i < keys.size(); ++i) sealed.push_back(crypto::seal(data_key_, outputs[i], ad(kOutputAd, keys[i])));
  const std::int64_t now = now_ms_();
  store_.write([&](storage::Database& db) {
    auto put = db.cached(
        "INSERT INTO pseudonyms (lookup_key, id_kind, key_epoch, pseudonym, computed_at_ms, match_key) "
        "VALUES (?,?,?,?,?,?) ON CONFLICT(lookup_key) DO UPDATE SET key_epoch = excluded.key_epoch, "
        "pseudonym = excluded.pseudonym, computed_at_ms = excluded.computed_at_ms, match_key = excluded.match_key");
    auto done = db.cached("DELETE FROM pseudonym_queue WHERE lookup_key = ?");
    // The epoch may have moved on since the batch was asked (a manifest
    // reload): its answers are of no use then, and their rows stay queued.
    if (epoch_.load() != 0 && epoch != epoch_.load()) return;
    // The PA answered: what waits in backoff is due now, so identifiers
    // queued while it was away are not held back for minutes.
    db.cached("UPDATE pseudonym_queue SET next_attempt_at_ms = ?1 WHERE next_attempt_at_ms > ?1 AND set_aside_at_ms IS NULL")
        .bind(1, now)
        .run();
    for (std::size_t i = 0; i < keys.size(); ++i) {
      put.reset();
      put.bind_blob(1, keys[i]).bind(2, std::string_view(kinds[i])).bind(3, static_cast<std::int64_t>(epoch))
          .bind_blob(4, sealed[i]).bind(5, now).bind_blob(6, match_key(outputs[i])).run();
      done.reset();
      done.bind_blob(1, keys[i]).run();
    }
  });
}

std::optional<oprf::Output> Pseudonymiser::cached(const protocol::CanonicalId& id) const {
  auto key = prepare(0, id).lookup_key;
  return store_.read([&](storage::Database& db) { return cached_by_key(db, key); });
}

std::optional<oprf::Output> Pseudonymiser::cached_by_key(storage::Database& db, const crypto::LookupKey& key) const {
  auto st = db.cached("SELECT pseudonym FROM pseudonyms WHERE lookup_key = ?1 AND (?2 = 0 OR key_epoch = ?2)");
  st.bind_blob(1, key).bind(2, static_cast<std::int64_t>(epoch()));
  std::optional<std::vector<std::uint8_t>> sealed;
  if (st.step()) sealed = st.blob(0);
  st.reset();
  if (!sealed) return std::nullopt;
  auto plain = crypto::open(data_key_, *sealed, ad(kOutputAd, key));
  if (!plain || plain->size() != oprf::kOutputBytes) {
    throw std::runtime_error("a cached pseudonym does not decrypt under the data key");
  }
  oprf::Output out{};
  std::memcpy(out.data(), plain->data(), out.size());
  return out;
}

namespace {
// DOMAIN:KIND:CANONICAL in one buffer (the caller wipes it).
std::string domain_input(std::string_view domain, const protocol::CanonicalId& id) {
  const auto kind = protocol::to_string(id.kind);
  std::string input;
  input.reserve(domain.size() + kind.size() + id.canonical.size() + 2);
  input.append(domain).append(":").append(kind).append(":").append(id.canonical);
  return input;
}

// Wipes identifier buffers however the scope ends (an exception included).
struct WipeAll {
  std::vector<std::string>& inputs;
  explicit WipeAll(std::vector<std::string>& v) : inputs(v) {}
  WipeAll(const WipeAll&) = delete;
  WipeAll& operator=(const WipeAll&) = delete;
  ~WipeAll() {
    for (auto& in : inputs) crypto::wipe(in.data(), in.size());
  }
};

// One batch through the transport: the VOPRF outputs of `inputs`, in order.
std::vector<oprf::Output> evaluate_inputs(const std::vector<std::string>& inputs, OprfTransport& transport,
                                          int expected_epoch, int* epoch_out) {
  std::vector<oprf::Blinded> blinds;
  std::vector<oprf::Element> blinded;
  for (const auto& in : inputs) {
    auto b = voprf::blind(crypto::as_bytes(in));
    if (!b) throw std::runtime_error("identifier maps to the identity element");
    blinded.push_back(b->blinded_element);
    blinds.push_back(std::move(*b));
  }
  PaAnswer answer = transport.evaluate(blinded);
  if (answer.evaluated.size() != blinded.size()) throw TransportError("PA answered with the wrong count");
  if (expected_epoch != 0 && answer.key_epoch != expected_epoch) {
    throw TransportError("the PA answered for another key epoch than the manifest's");
  }
  std::vector<oprf::Output> out;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    auto o = voprf::finalize_verified(crypto::as_bytes(inputs[i]), blinds[i].blind, answer.evaluated[i]);
    if (!o) throw TransportError("PA answered with an invalid element");
    out.push_back(*o);
  }
  if (epoch_out) *epoch_out = answer.key_epoch;
  return out;
}
}  // namespace

oprf::Output Pseudonymiser::pseudonymise_now(const protocol::CanonicalId& id, OprfTransport& transport) {
  auto prepared = prepare(0, id);
  if (auto hit = store_.read([&](storage::Database& db) { return cached_by_key(db, prepared.lookup_key); })) return *hit;
  std::vector<std::string> inputs{domain_input(own_domain_, id)};
  WipeAll wipe_inputs{inputs};
  int epoch_used = 0;
  auto out = evaluate_inputs(inputs, transport, epoch(), &epoch_used);
  store_pseudonyms({prepared.lookup_key}, {prepared.id_kind}, {out[0]}, epoch_used);
  return out[0];
}

std::vector<oprf::Output> Pseudonymiser::pseudonymise_in(const protocol::CanonicalId& id,
                                                         const std::vector<std::string>& domains,
                                                         OprfTransport& transport) const {
  if (domains.empty()) return {};
  std::vector<std::string> inputs;
  WipeAll wipe_inputs{inputs};
  for (const auto& d : domains) inputs.push_back(domain_input(d, id));
  return evaluate_inputs(inputs, transport, epoch(), nullptr);
}

crypto::LookupKey Pseudonymiser::match_key(const oprf::Output& pseudonym) const {
  return crypto::keyed_hash(match_subkey_, pseudonym);
}

std::size_t Pseudonymiser::backfill_match_keys() {
  auto keys = store_.read([](storage::Database& db) {
    std::vector<crypto::LookupKey> out;
    auto st = db.cached("SELECT lookup_key FROM pseudonyms WHERE match_key IS NULL");
    while (st.step()) out.push_back(to_lookup_key(st.blob(0)));
    st.reset();
    return out;
  });
  if (keys.empty()) return 0;
  store_.write([&](storage::Database& db) {
    auto set = db.cached("UPDATE pseudonyms SET match_key = ? WHERE lookup_key = ?");
    for (const auto& key : keys) {
      auto p = cached_by_key(db, key);
      if (!p) continue;
      set.reset();
      set.bind_blob(1, match_key(*p)).bind_blob(2, key).run();
    }
  });
  return keys.size();
}

QueueStats Pseudonymiser::stats() const {
  QueueStats s = store_.read([](storage::Database& db) {
    QueueStats q;
    auto st = db.cached(
        "SELECT (SELECT count(*) FROM pseudonym_queue WHERE set_aside_at_ms IS NULL), "
        "(SELECT min(enqueued_at_ms) FROM pseudonym_queue WHERE set_aside_at_ms IS NULL), "
        "(SELECT count(*) FROM pseudonyms), (SELECT count(*) FROM pseudonym_queue WHERE set_aside_at_ms IS NOT NULL)");
    if (!st.step()) return q;
    q.depth = st.int64(0);
    q.oldest_ms = st.is_null(1) ? 0 : st.int64(1);
    q.cached = st.int64(2);
    q.set_aside = st.int64(3);
    st.reset();
    return q;
  });
  std::lock_guard lock(error_mutex_);
  s.last_error = last_error_;
  return s;
}

PaReachability Pseudonymiser::reachability() const {
  PaReachability r = store_.read([](storage::Database& db) {
    PaReachability q;
    auto st = db.cached("SELECT count(*), min(enqueued_at_ms) FROM pseudonym_queue WHERE set_aside_at_ms IS NULL");
    if (st.step()) {
      q.waiting = st.int64(0);
      q.oldest_waiting_ms = st.is_null(1) ? 0 : st.int64(1);
    }
    st.reset();
    return q;
  });
  std::lock_guard lock(error_mutex_);
  r.last_success_ms = last_success_ms_;
  r.last_failure_ms = last_failure_ms_;
  r.failing_since_ms = failing_since_ms_;
  return r;
}

}  // namespace signalnode::node::pseudonyms
