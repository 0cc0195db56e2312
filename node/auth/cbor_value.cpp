#include "node/auth/cbor_value.hpp"

#include <cbor.h>

#include <limits>

namespace signalnode::node::auth {

const CborValue* CborValue::find(std::int64_t key) const {
  if (kind != Kind::map) return nullptr;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].is_int() && items[i].integer == key) return &items[i + 1];
  }
  return nullptr;
}

const CborValue* CborValue::find(std::string_view key) const {
  if (kind != Kind::map) return nullptr;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].kind == Kind::text && crypto::as_chars(items[i].bytes) == key) return &items[i + 1];
  }
  return nullptr;
}

namespace {

// The tree under construction: open containers on a stack, each with how
// many items it still expects.
struct Builder {
  std::size_t remaining = 0;  // bytes not yet read, for bounding declared counts
  std::size_t items = 0;
  bool failed = false;
  bool done = false;
  CborValue root;
  struct Open {
    CborValue value;
    std::size_t expected;
  };
  std::vector<Open> stack;

  void fail() { failed = true; }

  void add(CborValue v) {
    if (failed) return;
    if (++items > kMaxCborItems) return fail();
    if (stack.empty()) {
      if (done) return fail();
      root = std::move(v);
      done = true;
      return;
    }
    stack.back().value.items.push_back(std::move(v));
    close_full();
  }
  void close_full() {
    while (!stack.empty() && stack.back().value.items.size() == stack.back().expected) {
      CborValue finished = std::move(stack.back().value);
      stack.pop_back();
      if (stack.empty()) {
        root = std::move(finished);
        done = true;
      } else {
        stack.back().value.items.push_back(std::move(finished));
      }
    }
  }
  void open(CborValue::Kind kind, std::size_t count, std::size_t per_item) {
    if (failed) return;
    if (stack.size() >= kMaxCborDepth || (stack.empty() && done)) return fail();
    // Every item takes at least one byte: a count beyond what remains is a lie.
    if (count > kMaxCborItems || count > remaining / per_item + 1) return fail();
    if (++items > kMaxCborItems) return fail();
    CborValue v;
    v.kind = kind;
    const std::size_t expected = count * (kind == CborValue::Kind::map ? 2 : 1);
    if (expected == 0) {
      items -= 1;  // add() counts it again
      add(std::move(v));
      return;
    }
    v.items.reserve(expected);
    stack.push_back({std::move(v), expected});
  }
};

Builder& ctx(void* p) { return *static_cast<Builder*>(p); }

void on_uint(Builder& b, std::uint64_t v) {
  if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return b.fail();
  CborValue c;
  c.kind = CborValue::Kind::unsigned_int;
  c.integer = static_cast<std::int64_t>(v);
  b.add(std::move(c));
}
void on_negint(Builder& b, std::uint64_t v) {
  // CBOR negative n encodes -1 - n.
  if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return b.fail();
  CborValue c;
  c.kind = CborValue::Kind::negative_int;
  c.integer = -1 - static_cast<std::int64_t>(v);
  b.add(std::move(c));
}
void on_string(Builder& b, CborValue::Kind kind, cbor_data data, std::size_t len) {
  CborValue c;
  c.kind = kind;
  c.bytes.assign(data, data + len);
  b.add(std::move(c));
}

cbor_callbacks make_callbacks() {
  cbor_callbacks cb = cbor_empty_callbacks;
  cb.uint8 = [](void* p, std::uint8_t v) { on_uint(ctx(p), v); };
  cb.uint16 = [](void* p, std::uint16_t v) { on_uint(ctx(p), v); };
  cb.uint32 = [](void* p, std::uint32_t v) { on_uint(ctx(p), v); };
  cb.uint64 = [](void* p, std::uint64_t v) { on_uint(ctx(p), v); };
  cb.negint8 = [](void* p, std::uint8_t v) { on_negint(ctx(p), v); };
  cb.negint16 = [](void* p, std::uint16_t v) { on_negint(ctx(p), v); };
  cb.negint32 = [](void* p, std::uint32_t v) { on_negint(ctx(p), v); };
  cb.negint64 = [](void* p, std::uint64_t v) { on_negint(ctx(p), v); };
  cb.byte_string = [](void* p, cbor_data d, std::size_t n) { on_string(ctx(p), CborValue::Kind::bytes, d, n); };
  cb.string = [](void* p, cbor_data d, std::size_t n) { on_string(ctx(p), CborValue::Kind::text, d, n); };
  cb.array_start = [](void* p, std::size_t n) { ctx(p).open(CborValue::Kind::array, n, 1); };
  cb.map_start = [](void* p, std::size_t n) { ctx(p).open(CborValue::Kind::map, n, 2); };
  cb.boolean = [](void* p, bool v) {
    CborValue c;
    c.kind = CborValue::Kind::boolean;
    c.integer = v ? 1 : 0;
    ctx(p).add(std::move(c));
  };
  cb.null = [](void* p) { ctx(p).add(CborValue{}); };
  // Not accepted in what authenticators send here.
  cb.byte_string_start = [](void* p) { ctx(p).fail(); };
  cb.string_start = [](void* p) { ctx(p).fail(); };
  cb.indef_array_start = [](void* p) { ctx(p).fail(); };
  cb.indef_map_start = [](void* p) { ctx(p).fail(); };
  cb.indef_break = [](void* p) { ctx(p).fail(); };
  cb.tag = [](void* p, std::uint64_t) { ctx(p).fail(); };
  cb.float2 = [](void* p, float) { ctx(p).fail(); };
  cb.float4 = [](void* p, float) { ctx(p).fail(); };
  cb.float8 = [](void* p, double) { ctx(p).fail(); };
  cb.undefined = [](void* p) { ctx(p).fail(); };
  return cb;
}

}  // namespace

std::optional<CborValue> read_cbor(crypto::ByteView data, std::size_t* consumed) {
  static const cbor_callbacks callbacks = make_callbacks();
  Builder b;
  std::size_t offset = 0;
  while (!b.done && !b.failed) {
    if (offset >= data.size()) return std::nullopt;
    b.remaining = data.size() - offset;
    const cbor_decoder_result r = cbor_stream_decode(data.data() + offset, data.size() - offset, &callbacks, &b);
    if (r.status != CBOR_DECODER_FINISHED || r.read == 0) return std::nullopt;
    offset += r.read;
    // A count announced by a header is checked against what follows it.
    b.remaining = data.size() - offset;
  }
  if (b.failed) return std::nullopt;
  if (consumed) *consumed = offset;
  return std::move(b.root);
}

}  // namespace signalnode::node::auth
