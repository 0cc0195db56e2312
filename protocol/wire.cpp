#include "protocol/wire.hpp"

#include <cereal/archives/portable_binary.hpp>

#include <sstream>
#include <stdexcept>
#include <streambuf>

namespace signalnode::protocol::wire {

namespace {

constexpr std::string_view kBatchDomain = "signalnode-batch-v1";
constexpr std::string_view kReceiptDomain = "signalnode-receipt-v1";

struct DecodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A read-only streambuf over the input, so decoding never copies it and always
// knows how many bytes remain.
class SpanBuf : public std::streambuf {
 public:
  explicit SpanBuf(crypto::ByteView bytes) {
    char* p = const_cast<char*>(reinterpret_cast<const char*>(bytes.data()));
    setg(p, p, p + bytes.size());
  }
  std::size_t remaining() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

class Writer {
 public:
  Writer() : ar_(out_) {}
  template <typename T>
  void pod(const T& v) { ar_(v); }
  void string(const std::string& s) {
    ar_(cereal::make_size_tag(static_cast<std::uint64_t>(s.size())));
    ar_(cereal::binary_data(s.data(), s.size()));
  }
  // An rvalue pointer: cereal sizes its endianness unit by the deduced type,
  // and a pointer lvalue would make that unit the pointer's size.
  void bytes(const std::uint8_t* data, std::size_t n) { ar_(cereal::binary_data(static_cast<const std::uint8_t*>(data), n)); }
  void count(std::size_t n) { ar_(cereal::make_size_tag(static_cast<std::uint64_t>(n))); }
  crypto::Bytes take() {
    std::string s = out_.str();
    return crypto::Bytes(s.begin(), s.end());
  }

 private:
  std::ostringstream out_;
  cereal::PortableBinaryOutputArchive ar_;
};

class Reader {
 public:
  explicit Reader(crypto::ByteView bytes) : buf_(bytes), in_(&buf_), ar_(in_) {}

  template <typename T>
  T pod() {
    need(sizeof(T), "a fixed-size field");
    T v{};
    ar_(v);
    return v;
  }
  // A length-prefixed string: the prefix is checked against its bound and the
  // bytes left before a single byte is allocated.
  std::string string(std::size_t max, const char* what) {
    std::uint64_t n = 0;
    need(sizeof n, what);
    ar_(cereal::make_size_tag(n));
    if (n > max) throw DecodeError(std::string(what) + " is longer than " + std::to_string(max) + " bytes");
    need(static_cast<std::size_t>(n), what);
    std::string s(static_cast<std::size_t>(n), '\0');
    ar_(cereal::binary_data(s.data(), s.size()));
    return s;
  }
  void bytes(std::uint8_t* out, std::size_t n, const char* what) {
    need(n, what);
    ar_(cereal::binary_data(static_cast<std::uint8_t*>(out), n));
  }
  // An element count, bounded and plausible given min_element_bytes each.
  std::size_t count(std::size_t max, std::size_t min_element_bytes, const char* what) {
    std::uint64_t n = 0;
    need(sizeof n, what);
    ar_(cereal::make_size_tag(n));
    if (n > max) throw DecodeError(std::string(what) + ": more than " + std::to_string(max) + " elements");
    if (n * min_element_bytes > buf_.remaining()) throw DecodeError(std::string(what) + ": count exceeds the input");
    return static_cast<std::size_t>(n);
  }
  void finish() {
    if (buf_.remaining() != 0) throw DecodeError("trailing bytes after the message");
  }

 private:
  void need(std::size_t n, const char* what) {
    if (n > buf_.remaining()) throw DecodeError(std::string("truncated input in ") + what);
  }
  SpanBuf buf_;
  std::istream in_;
  cereal::PortableBinaryInputArchive ar_;
};

void write_record(Writer& w, const Record& r) {
  w.string(r.record_id);
  w.pod(static_cast<std::uint8_t>(r.kind));
  w.string(r.category);
  w.string(r.observed_week);
  w.string(r.municipality);
  w.string(r.severity);
  w.pod(r.persons);
  w.count(r.subjects.size());
  for (const auto& s : r.subjects) {
    w.string(s.kind);
    w.string(s.id_kind);
    w.bytes(s.pseudonym.data(), s.pseudonym.size());
  }
  w.string(r.rule_id);
  w.bytes(r.policy_hash.data(), r.policy_hash.size());
  w.pod(r.expires_at_ms);
  w.string(r.refers_to);
  w.string(r.status);
  w.string(r.reason);
  w.string(r.note);
  w.pod(r.organisations);
  w.count(r.categories.size());
  for (const auto& c : r.categories) w.string(c);
  if (!is_request_kind(r.kind)) return;
  const RequestPart& q = r.request;
  w.string(q.purpose);
  w.string(q.legal_ground);
  w.string(q.reference);
  w.count(q.kinds.size());
  for (const auto& k : q.kinds) w.string(k);
  w.string(q.contact.name);
  w.string(q.contact.organisation);
  w.string(q.contact.phone);
  w.string(q.contact.email);
  w.pod(q.deadline_ms);
  w.pod(q.decided_at_ms);
  w.count(q.disclosed.size());
  for (const auto& d : q.disclosed) {
    w.string(d.id_kind);
    w.string(d.value);
  }
}

Record read_record(Reader& rd, const Limits& limits) {
  Record r;
  r.record_id = rd.string(limits.max_string, "record id");
  auto kind = rd.pod<std::uint8_t>();
  if (kind < 1 || kind > kMaxRecordKind) throw DecodeError("unknown record kind");
  r.kind = static_cast<RecordKind>(kind);
  r.category = rd.string(limits.max_string, "category");
  r.observed_week = rd.string(limits.max_string, "observed week");
  r.municipality = rd.string(limits.max_string, "municipality");
  r.severity = rd.string(limits.max_string, "severity");
  r.persons = rd.pod<std::int64_t>();
  std::size_t n = rd.count(limits.max_subjects, 8 + 8 + 64, "subjects");
  r.subjects.resize(n);
  for (auto& s : r.subjects) {
    s.kind = rd.string(limits.max_string, "subject kind");
    s.id_kind = rd.string(limits.max_string, "subject id kind");
    rd.bytes(s.pseudonym.data(), s.pseudonym.size(), "pseudonym");
  }
  r.rule_id = rd.string(limits.max_string, "rule id");
  rd.bytes(r.policy_hash.data(), r.policy_hash.size(), "policy hash");
  r.expires_at_ms = rd.pod<std::int64_t>();
  r.refers_to = rd.string(limits.max_string, "refers to");
  r.status = rd.string(limits.max_string, "status");
  r.reason = rd.string(limits.max_string, "reason");
  r.note = rd.string(limits.max_note, "note");
  r.organisations = rd.pod<std::int64_t>();
  std::size_t categories = rd.count(limits.max_categories, 8, "categories");
  r.categories.resize(categories);
  for (auto& c : r.categories) c = rd.string(limits.max_string, "category");
  if (!is_request_kind(r.kind)) return r;
  RequestPart& q = r.request;
  q.purpose = rd.string(limits.max_request_text, "purpose");
  q.legal_ground = rd.string(limits.max_request_text, "legal ground");
  q.reference = rd.string(limits.max_string, "reference");
  q.kinds.resize(rd.count(limits.max_subjects, 8, "requested kinds"));
  for (auto& k : q.kinds) k = rd.string(limits.max_string, "requested kind");
  q.contact.name = rd.string(limits.max_string, "contact name");
  q.contact.organisation = rd.string(limits.max_string, "contact organisation");
  q.contact.phone = rd.string(limits.max_string, "contact phone");
  q.contact.email = rd.string(limits.max_string, "contact e-mail");
  q.deadline_ms = rd.pod<std::int64_t>();
  q.decided_at_ms = rd.pod<std::int64_t>();
  q.disclosed.resize(rd.count(limits.max_disclosed, 16, "disclosed identifiers"));
  for (auto& d : q.disclosed) {
    d.id_kind = rd.string(limits.max_string, "disclosed kind");
    d.value = rd.string(limits.max_string, "disclosed value");
  }
  return r;
}

template <typename F>
auto guarded(crypto::ByteView bytes, std::string& error, const Limits& limits, F&& f) -> decltype(f(std::declval<Reader&>())) {
  if (bytes.size() > limits.max_batch_bytes) {
    error = "message larger than " + std::to_string(limits.max_batch_bytes) + " bytes";
    return std::nullopt;
  }
  // The portable archive starts with its byte order; we only write and accept
  // little-endian (1), so no input can make the reader swap bytes.
  if (bytes.empty() || bytes[0] != 1) {
    error = "not a little-endian signalnode message";
    return std::nullopt;
  }
  try {
    Reader rd(bytes);
    auto out = f(rd);
    rd.finish();
    return out;
  } catch (const DecodeError& e) {
    error = e.what();
  } catch (const cereal::Exception&) {
    error = "truncated input";
  }
  return std::nullopt;
}

crypto::Bytes with_domain(std::string_view domain, const crypto::Bytes& message) {
  crypto::Bytes out(domain.begin(), domain.end());
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

}  // namespace

crypto::Bytes encode(const Batch& b) {
  Writer w;
  w.pod(b.version);
  w.string(b.batch_id);
  w.string(b.sender);
  w.string(b.receiver);
  w.pod(b.created_at_ms);
  w.count(b.records.size());
  for (const auto& r : b.records) write_record(w, r);
  return w.take();
}

crypto::Bytes encode(const Receipt& r) {
  Writer w;
  w.pod(r.version);
  w.string(r.batch_id);
  w.string(r.sender);
  w.string(r.receiver);
  w.pod(r.received_at_ms);
  w.count(r.outcomes.size());
  for (const auto& o : r.outcomes) {
    w.string(o.record_id);
    w.pod(static_cast<std::uint8_t>(o.accepted ? 1 : 0));
    w.string(o.reason);
  }
  w.pod(r.tree_size);
  w.pod(r.tree_timestamp_ms);
  w.bytes(r.tree_root.data(), r.tree_root.size());
  w.bytes(r.tree_signature.data(), r.tree_signature.size());
  return w.take();
}

crypto::Bytes encode(const Signed& s) {
  Writer w;
  w.count(s.message.size());
  w.bytes(s.message.data(), s.message.size());
  w.bytes(s.signature.data(), s.signature.size());
  return w.take();
}

std::optional<Batch> decode_batch(crypto::ByteView bytes, std::string& error, const Limits& limits) {
  return guarded(bytes, error, limits, [&](Reader& rd) -> std::optional<Batch> {
    Batch b;
    b.version = rd.pod<std::uint16_t>();
    if (b.version != kVersion) throw DecodeError("unsupported batch version " + std::to_string(b.version));
    b.batch_id = rd.string(64, "batch id");
    b.sender = rd.string(64, "sender");
    b.receiver = rd.string(64, "receiver");
    b.created_at_ms = rd.pod<std::int64_t>();
    // A record is at least 161 bytes (its fixed fields and length prefixes); the count cannot
    // claim more records than the input could hold.
    std::size_t n = rd.count(limits.max_records, 161, "records");
    b.records.reserve(n);
    for (std::size_t i = 0; i < n; ++i) b.records.push_back(read_record(rd, limits));
    return b;
  });
}

std::optional<Receipt> decode_receipt(crypto::ByteView bytes, std::string& error, const Limits& limits) {
  return guarded(bytes, error, limits, [&](Reader& rd) -> std::optional<Receipt> {
    Receipt r;
    r.version = rd.pod<std::uint16_t>();
    if (r.version != kVersion) throw DecodeError("unsupported receipt version " + std::to_string(r.version));
    r.batch_id = rd.string(64, "batch id");
    r.sender = rd.string(64, "sender");
    r.receiver = rd.string(64, "receiver");
    r.received_at_ms = rd.pod<std::int64_t>();
    std::size_t n = rd.count(limits.max_records, 8 + 1 + 8, "outcomes");
    r.outcomes.resize(n);
    for (auto& o : r.outcomes) {
      o.record_id = rd.string(limits.max_string, "record id");
      auto accepted = rd.pod<std::uint8_t>();
      if (accepted > 1) throw DecodeError("malformed outcome");
      o.accepted = accepted == 1;
      o.reason = rd.string(limits.max_string, "reason");
    }
    r.tree_size = rd.pod<std::uint64_t>();
    r.tree_timestamp_ms = rd.pod<std::int64_t>();
    rd.bytes(r.tree_root.data(), r.tree_root.size(), "tree root");
    rd.bytes(r.tree_signature.data(), r.tree_signature.size(), "tree signature");
    return r;
  });
}

std::optional<Signed> decode_signed(crypto::ByteView bytes, std::string& error, const Limits& limits) {
  return guarded(bytes, error, limits, [&](Reader& rd) -> std::optional<Signed> {
    Signed s;
    std::size_t n = rd.count(limits.max_batch_bytes, 1, "message");
    s.message.resize(n);
    rd.bytes(s.message.data(), n, "message");
    rd.bytes(s.signature.data(), s.signature.size(), "signature");
    return s;
  });
}

Signed sign_batch(const Batch& batch, const crypto::SigningKey& key) {
  Signed s{encode(batch), {}};
  s.signature = key.sign(with_domain(kBatchDomain, s.message));
  return s;
}

Signed sign_receipt(const Receipt& receipt, const crypto::SigningKey& key) {
  Signed s{encode(receipt), {}};
  s.signature = key.sign(with_domain(kReceiptDomain, s.message));
  return s;
}

bool verify_batch(const Signed& s, const crypto::PublicKey& key) {
  return crypto::verify(key, with_domain(kBatchDomain, s.message), s.signature);
}

bool verify_receipt(const Signed& s, const crypto::PublicKey& key) {
  return crypto::verify(key, with_domain(kReceiptDomain, s.message), s.signature);
}

}  // namespace signalnode::protocol::wire
