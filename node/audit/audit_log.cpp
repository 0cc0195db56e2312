#include "node/audit/audit_log.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include "crypto/secret_file.hpp"

#include "crypto/random.hpp"
#include "node/audit/ldv.hpp"
#include "node/http/trace_context.hpp"
#include "node/audit/processing_register.hpp"
#include "protocol/jcs.hpp"

namespace signalnode::node::audit {
namespace json = boost::json;

namespace {

constexpr std::string_view kSthDomain = "signalnode-sth-v1";

void put_u64_be(crypto::Bytes& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

crypto::Digest256 to_digest(const std::vector<std::uint8_t>& blob) {
  crypto::Digest256 d{};
  if (blob.size() == d.size()) std::memcpy(d.data(), blob.data(), d.size());
  return d;
}

// A row of (tree_size, timestamp_ms, root_hash, signature).
TreeHead read_head(const storage::Statement& st) {
  TreeHead h;
  h.tree_size = static_cast<std::uint64_t>(st.int64(0));
  h.timestamp_ms = st.int64(1);
  h.root_hash = to_digest(st.blob(2));
  auto sig = st.blob(3);
  if (sig.size() == h.signature.size()) std::memcpy(h.signature.data(), sig.data(), sig.size());
  return h;
}

bool is_hex(std::string_view s, std::size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

crypto::Bytes tree_head_message(std::uint64_t size, std::int64_t timestamp_ms, const crypto::Digest256& root) {
  crypto::Bytes out(kSthDomain.begin(), kSthDomain.end());
  put_u64_be(out, size);
  put_u64_be(out, static_cast<std::uint64_t>(timestamp_ms));
  out.insert(out.end(), root.begin(), root.end());
  return out;
}

// W3C Trace Context, version 00: lowercase hex, and an all-zero trace or
// parent id is invalid (the standard's words): such a header is ignored, as
// one that does not parse.
std::optional<std::pair<std::string, std::string>> parse_traceparent(std::string_view h) {
  if (h.size() != 55 || h.substr(0, 3) != "00-" || h[35] != '-' || h[52] != '-') return std::nullopt;
  std::string trace(h.substr(3, 32)), span(h.substr(36, 16));
  if (!is_hex(trace, 32) || !is_hex(span, 16) || !is_hex(h.substr(53, 2), 2)) return std::nullopt;
  const auto zeros = [](const std::string& id) { return id.find_first_not_of('0') == std::string::npos; };
  if (zeros(trace) || zeros(span)) return std::nullopt;
  return std::make_pair(trace, span);
}

AuditLog::AuditLog(storage::Store& store, const crypto::SigningKey& key, NowMs now_ms)
    : store_(store), key_(key), now_ms_(std::move(now_ms)) {}

namespace {

// One LDV record: the BRIEF 3.7 event object of one span.
std::string record_leaf(const Event& e, const std::string& trace, const std::string& parent,
                        const std::optional<ForeignOperation>& foreign, const json::object& attributes) {
  json::object o;
  o["traceId"] = trace;
  o["spanId"] = crypto::random_hex_id(8);
  if (!parent.empty()) o["parentSpanId"] = parent;
  o["name"] = e.name;
  o["status"] = e.status;
  o["startTimeMs"] = e.start_ms;
  o["endTimeMs"] = e.end_ms;
  if (foreign) {
    o["foreignOperation"] =
        json::object{{"traceId", foreign->trace_id}, {"spanId", foreign->span_id}, {"entity", foreign->entity}};
  }
  o["attributes"] = attributes;
  return protocol::jcs(o);
}

}  // namespace

std::uint64_t AuditLog::append(storage::Database& db, const Event& e) {
  // W3C trace context of the API caller whose request this is (carried to
  // the writer thread by the store): its trace, as a child of its span.
  const auto& caller = http::current_trace();
  const std::string trace =
      is_hex(e.trace_id, 32) ? e.trace_id : caller ? caller->trace_id : crypto::random_hex_id(16);
  json::object attributes = e.attributes;
  attributes.erase("dataSubjects");  // one subject per record, below
  const auto* activity = attributes.if_contains(ldv::kProcessingActivityId);
  if (!activity || !activity->is_string()) attributes[ldv::kProcessingActivityId] = default_activity_uri(e.name);
  const std::string activity_uri = std::string(attributes.at(ldv::kProcessingActivityId).as_string());

  // LDV: a record refers to 0 or 1 data subjects; an event about several is
  // one record each, child spans of one operation under the same trace.
  std::vector<std::string> subjects;
  for (const auto& s : e.data_subjects) {
    if (is_hex(s, 128) && std::find(subjects.begin(), subjects.end(), s) == subjects.end()) subjects.push_back(s);
  }
  // A partner's call (federation listener): its span is a foreign operation,
  // and this node's operation is the one derived from it, as the receiver of
  // a batch logs it (ldv::callee_span_id).
  const bool same_trace = caller && caller->trace_id == trace;
  const bool from_partner = same_trace && !caller->foreign_entity.empty();
  std::optional<ForeignOperation> foreign = e.foreign;
  if (!foreign && from_partner) foreign = ForeignOperation{caller->trace_id, caller->span_id, caller->foreign_entity};
  std::string parent = is_hex(e.parent_span_id, 16) ? e.parent_span_id
                       : from_partner              ? ldv::callee_span_id(caller->trace_id, caller->span_id)
                       : same_trace                ? caller->span_id
                                                   : std::string();
  if (subjects.size() > 1 && parent.empty()) parent = crypto::random_hex_id(8);

  auto next = db.cached("SELECT coalesce(max(idx) + 1, 0) FROM audit_events");
  const auto first = next.scalar();
  auto insert = db.cached(
      "INSERT INTO audit_events (idx, leaf, leaf_hash, name, time_ms, partner, category, trace_id, activity, part) "
      "VALUES (?,?,?,?,?,?,?,?,?,?)");
  auto subject = db.cached("INSERT OR IGNORE INTO audit_subjects (pseudonym, idx) VALUES (?, ?)");
  auto write = [&](std::int64_t idx, const std::string& leaf) {
    insert.reset();
    insert.bind(1, idx)
        .bind_blob(2, crypto::as_bytes(leaf))
        .bind_blob(3, crypto::merkle::leaf_hash(crypto::as_bytes(leaf)))
        .bind(4, std::string_view(e.name))
        .bind(5, e.end_ms)
        .bind(6, e.partner.empty() ? std::optional<std::string>() : std::optional<std::string>(e.partner))
        .bind(7, e.category.empty() ? std::optional<std::string>() : std::optional<std::string>(e.category))
        .bind(8, std::string_view(trace))
        .bind(9, std::string_view(activity_uri))
        .bind(10, idx - first)
        .run();
  };
  if (subjects.empty()) {
    write(first, record_leaf(e, trace, parent, foreign, attributes));
    return static_cast<std::uint64_t>(first);
  }
  std::int64_t idx = first;
  for (const auto& s : subjects) {
    json::object own = attributes;
    own[ldv::kDataSubjectId] = s;
    own[ldv::kDataSubjectIdType] = ldv::kPseudonymType;
    write(idx, record_leaf(e, trace, parent, foreign, own));
    subject.reset();
    subject.bind_blob(1, *crypto::from_hex(s)).bind(2, idx).run();
    ++idx;
  }
  return static_cast<std::uint64_t>(first);
}

void AuditLog::append_now(const Event& event) {
  store_.write([&](storage::Database& db) { append(db, event); });
}

std::optional<TreeHead> AuditLog::latest_tree_head() const {
  return store_.read([](storage::Database& db) -> std::optional<TreeHead> {
    auto st = db.cached(
        "SELECT tree_size, timestamp_ms, root_hash, signature FROM audit_tree_heads ORDER BY tree_size DESC LIMIT 1");
    std::optional<TreeHead> out;
    if (st.step()) out = read_head(st.statement());
    st.reset();
    return out;
  });
}

namespace {

// {"treeSize", "timestampMs", "rootHash" (hex), "signature" (hex)}: small,
// rewritten whole (temp file, fsync, rename) at most once a second.
void write_head_copy(const std::filesystem::path& file, const TreeHead& h) {
  boost::json::object o{{"treeSize", h.tree_size},
                        {"timestampMs", h.timestamp_ms},
                        {"rootHash", crypto::to_hex(h.root_hash)},
                        {"signature", crypto::to_hex(h.signature)}};
  crypto::write_file_atomically(file, boost::json::serialize(o) + "\n");
}

}  // namespace

std::optional<TreeHead> AuditLog::read_head_copy(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::nullopt;
  std::ifstream in(file);
  std::string text(4096, '\0');  // the copy is ~300 bytes; never read more than this
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  boost::system::error_code jec;
  auto v = boost::json::parse(text, jec);
  auto bad = [&file]() -> std::runtime_error {
    return std::runtime_error(file.string() + " (the copy of the newest signed tree head) is damaged");
  };
  if (jec || !v.is_object()) throw bad();
  const auto& o = v.as_object();
  const auto* size = o.if_contains("treeSize");
  const auto* time = o.if_contains("timestampMs");
  const auto* root = o.if_contains("rootHash");
  const auto* sig = o.if_contains("signature");
  if (!size || !time || !root || !sig || !size->is_number() || !time->is_int64() || !root->is_string() ||
      !sig->is_string()) {
    throw bad();
  }
  TreeHead h;
  h.tree_size = size->to_number<std::uint64_t>();
  h.timestamp_ms = time->as_int64();
  auto root_bytes = crypto::from_hex(root->as_string());
  auto sig_bytes = crypto::from_hex(sig->as_string());
  if (!root_bytes || root_bytes->size() != h.root_hash.size() || !sig_bytes || sig_bytes->size() != h.signature.size()) {
    throw bad();
  }
  std::copy(root_bytes->begin(), root_bytes->end(), h.root_hash.begin());
  std::copy(sig_bytes->begin(), sig_bytes->end(), h.signature.begin());
  return h;
}

std::optional<std::string> AuditLog::check_against_copy(storage::Database& db, const TreeHead& kept) {
  std::int64_t events = 0;
  {
    auto st = db.cached("SELECT coalesce(max(idx) + 1, 0) FROM audit_events");
    events = st.scalar();
  }
  if (static_cast<std::uint64_t>(events) < kept.tree_size) {
    return "the processing log holds " + std::to_string(events) + " events, but its last signed state kept outside "
           "the database covers " + std::to_string(kept.tree_size) + ": committed work was lost (a deleted or damaged "
           "WAL file, or an older copy of the database)";
  }
  auto st = db.cached("SELECT root_hash FROM audit_tree_heads WHERE tree_size = ?");
  st.bind(1, static_cast<std::int64_t>(kept.tree_size));
  if (!st.step()) {
    return "the signed tree head of size " + std::to_string(kept.tree_size) +
           " kept outside the database is missing from it: tree heads were removed";
  }
  auto root = st.blob_view(0);
  if (!std::equal(root.begin(), root.end(), kept.root_hash.begin(), kept.root_hash.end())) {
    return "the database's tree head of size " + std::to_string(kept.tree_size) +
           " differs from the copy kept outside it: the log was rewritten";
  }
  return std::nullopt;
}

std::optional<TreeHead> AuditLog::sign_tree_head(bool force) {
  std::lock_guard lock(mutex_);
  // Bring the frontier up to the committed tree: only leaves it has not seen.
  std::uint64_t before = frontier_.size();
  store_.read([&](storage::Database& db) {
    auto st = db.cached("SELECT leaf_hash FROM audit_events WHERE idx >= ? ORDER BY idx");
    st.bind(1, static_cast<std::int64_t>(frontier_.size()));
    while (st.step()) frontier_.add(to_digest(st.blob(0)));
    st.reset();
    return 0;
  });
  if (frontier_.size() == 0) return std::nullopt;
  auto latest = latest_tree_head();
  if (latest && latest->tree_size == frontier_.size() && !force) return frontier_.size() == before ? std::nullopt : latest;
  TreeHead h;
  h.tree_size = frontier_.size();
  // Never earlier than the head before it: a clock set back must not make
  // the log look as if it shrank in time (verify refuses that).
  h.timestamp_ms = std::max(now_ms_(), latest ? latest->timestamp_ms : std::int64_t{0});
  h.root_hash = frontier_.root();
  h.signature = key_.sign(tree_head_message(h.tree_size, h.timestamp_ms, h.root_hash));
  store_.write([&](storage::Database& db) {
    db.cached("INSERT OR REPLACE INTO audit_tree_heads (tree_size, timestamp_ms, root_hash, signature) VALUES (?,?,?,?)")
        .bind(1, static_cast<std::int64_t>(h.tree_size))
        .bind(2, h.timestamp_ms)
        .bind_blob(3, h.root_hash)
        .bind_blob(4, h.signature)
        .run();
  });
  if (!head_file_.empty()) write_head_copy(head_file_, h);
  return h;
}

VerifyResult AuditLog::verify(storage::Database& db, const crypto::PublicKey& key, const std::optional<TreeHead>& kept) {
  VerifyResult r;
  auto fail = [&r](std::uint64_t index, std::string message) {
    if (!r.ok) return;
    r.ok = false;
    r.first_bad_index = index;
    r.message = std::move(message);
  };
  // The signed tree heads, in size order.
  std::vector<TreeHead> heads;
  {
    auto st = db.prepare("SELECT tree_size, timestamp_ms, root_hash, signature FROM audit_tree_heads ORDER BY tree_size");
    while (st.step()) heads.push_back(read_head(st));
  }
  r.tree_heads = heads.size();
  crypto::merkle::Frontier frontier;
  std::size_t next_head = 0;
  std::uint64_t covered_from = 0;  // first index of the range the next head covers
  std::int64_t previous_time = 0;
  auto check_heads = [&]() {
    while (next_head < heads.size() && heads[next_head].tree_size == frontier.size()) {
      const auto& h = heads[next_head];
      if (!crypto::verify(key, tree_head_message(h.tree_size, h.timestamp_ms, h.root_hash), h.signature)) {
        fail(covered_from, "tree head " + std::to_string(h.tree_size) + " has an invalid signature");
      } else if (h.timestamp_ms < previous_time) {
        fail(covered_from, "tree head " + std::to_string(h.tree_size) + " is dated before the tree head before it: "
                               "time goes backwards in the log");
      } else if (frontier.root() != h.root_hash) {
        fail(covered_from, "events " + std::to_string(covered_from) + " to " + std::to_string(h.tree_size - 1) +
                               " do not match the signed tree head of size " + std::to_string(h.tree_size));
      }
      covered_from = h.tree_size;
      previous_time = std::max(previous_time, h.timestamp_ms);
      ++next_head;
    }
  };
  auto st = db.prepare("SELECT idx, leaf, leaf_hash FROM audit_events ORDER BY idx");
  std::uint64_t expected = 0;
  while (st.step() && r.ok) {
    auto idx = static_cast<std::uint64_t>(st.int64(0));
    if (idx != expected) {
      fail(expected, "event " + std::to_string(expected) + " is missing");
      break;
    }
    // The leaf bytes are what the tree signs; their hash is recomputed, never
    // taken from the stored column (that only localises an edit). A pruned
    // event keeps only its hash, which the signed roots still bind.
    auto stored = st.blob_view(2);
    crypto::Digest256 hash = to_digest(std::vector<std::uint8_t>(stored.begin(), stored.end()));
    if (!st.is_null(1)) {
      hash = crypto::merkle::leaf_hash(st.blob_view(1));
      if (stored.size() != hash.size() || !std::equal(hash.begin(), hash.end(), stored.begin())) {
        fail(idx, "event " + std::to_string(idx) + " was changed (its hash differs)");
      }
    }
    frontier.add(hash);
    ++expected;
    check_heads();
    if (kept && expected == kept->tree_size && frontier.root() != kept->root_hash) {
      fail(0, "the events up to " + std::to_string(expected) +
                  " do not match the signed tree head kept outside the database: the log was rewritten");
    }
  }
  r.events = expected;
  if (r.ok && next_head < heads.size()) {
    fail(expected, "tree head of size " + std::to_string(heads[next_head].tree_size) + " covers events beyond the " +
                       std::to_string(expected) + " present: events were removed");
  }
  if (r.ok && kept) {
    if (!crypto::verify(key, tree_head_message(kept->tree_size, kept->timestamp_ms, kept->root_hash), kept->signature)) {
      fail(expected, "the copy of the newest tree head outside the database is not signed by this node");
    } else if (expected < kept->tree_size) {
      fail(expected, "the log ends at " + std::to_string(expected) + " events, but the tree head kept outside the "
                     "database covers " + std::to_string(kept->tree_size) + ": the newest events were removed or lost");
    } else if (heads.empty() || heads.back().tree_size < kept->tree_size) {
      fail(expected, "the signed tree heads end before the one kept outside the database (size " +
                         std::to_string(kept->tree_size) + "): tree heads were removed");
    }
  }
  r.uncovered = expected - covered_from;
  if (r.ok) {
    r.message = "verified " + std::to_string(expected) + " events against " + std::to_string(heads.size()) +
                " signed tree heads" +
                (r.uncovered ? "; the newest " + std::to_string(r.uncovered) + " are not yet in a tree head" : "");
  }
  return r;
}

void AuditLog::export_jsonl(std::ostream& out, std::optional<std::int64_t> from_ms, std::optional<std::int64_t> to_ms) {
  auto head = sign_tree_head();
  if (!head) head = latest_tree_head();
  std::uint64_t limit = head ? head->tree_size : 0;
  const bool ranged = from_ms || to_ms;
  store_.read([&](storage::Database& db) {
    std::vector<crypto::Digest256> hashes;
    if (ranged) {
      auto all = db.prepare("SELECT leaf_hash FROM audit_events WHERE idx < ? ORDER BY idx");
      all.bind(1, static_cast<std::int64_t>(limit));
      while (all.step()) hashes.push_back(to_digest(all.blob(0)));
    }
    auto st = db.cached("SELECT idx, leaf, leaf_hash, time_ms FROM audit_events WHERE idx < ? ORDER BY idx");
    st.bind(1, static_cast<std::int64_t>(limit));
    while (st.step()) {
      auto idx = st.int64(0);
      auto time = st.int64(3);
      if ((from_ms && time < *from_ms) || (to_ms && time >= *to_ms)) continue;
      json::object line;
      if (st.is_null(1)) {
        line = json::object{{"type", "pruned"}, {"index", idx}, {"leafHash", crypto::to_hex(st.blob_view(2))}};
      } else {
        auto leaf = st.blob_view(1);
        line = json::object{{"type", "entry"},
                            {"index", idx},
                            {"leaf", crypto::to_base64(leaf)},
                            {"event", json::parse(crypto::as_chars(leaf))}};
      }
      if (ranged) {
        json::array proof;
        for (const auto& h : crypto::merkle::inclusion_proof(hashes, static_cast<std::uint64_t>(idx))) {
          proof.push_back(json::value(crypto::to_hex(h)));
        }
        line["inclusionProof"] = std::move(proof);
      }
      out << json::serialize(line) << "\n";
    }
    st.reset();
    return 0;
  });
  if (head) {
    out << json::serialize(json::object{{"type", "sth"},
                                        {"treeSize", head->tree_size},
                                        {"timestampMs", head->timestamp_ms},
                                        {"rootHash", crypto::to_hex(head->root_hash)},
                                        {"signature", crypto::to_base64(head->signature)},
                                        {"publicKey", crypto::to_hex(key_.public_key())}})
        << "\n";
  }
}

std::int64_t AuditLog::prune_before(std::int64_t cutoff_ms) {
  std::int64_t pruned = 0;
  store_.write([&](storage::Database& db) {
    db.cached(
          "DELETE FROM audit_subjects WHERE idx IN (SELECT idx FROM audit_events WHERE time_ms < ? AND leaf IS NOT NULL)")
        .bind(1, cutoff_ms)
        .run();
    db.cached("UPDATE audit_events SET leaf = NULL WHERE time_ms < ? AND leaf IS NOT NULL").bind(1, cutoff_ms).run();
    pruned = db.changes();
    if (pruned > 0) {
      Event e;
      e.name = events::kAuditPruned;
      e.start_ms = e.end_ms = now_ms_();
      e.attributes = {{"count", pruned}, {"before", cutoff_ms}};
      append(db, e);
    }
  });
  return pruned;
}

}  // namespace signalnode::node::audit
