// A bounded CBOR reader for what authenticators send (WebAuthn attestation
// objects, COSE keys). libcbor's streaming decoder reads the items; this
// builds a small tree from them under limits checked before anything is
// kept: at most kMaxCborItems items, kMaxCborDepth levels, definite lengths
// only, no floats or tags, and every declared length or count no larger than
// the bytes that remain. Hostile input costs at most its own size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crypto/bytes.hpp"

namespace signalnode::node::auth {

inline constexpr std::size_t kMaxCborItems = 512;
inline constexpr std::size_t kMaxCborDepth = 8;

struct CborValue {
  enum class Kind { unsigned_int, negative_int, bytes, text, array, map, boolean, null };
  Kind kind = Kind::null;
  std::int64_t integer = 0;     // unsigned_int and negative_int (value itself, e.g. -7), boolean 0/1
  crypto::Bytes bytes;          // bytes; text as UTF-8
  std::vector<CborValue> items;  // array; map: key, value, key, value ...

  bool is_int() const { return kind == Kind::unsigned_int || kind == Kind::negative_int; }
  // The value of a map entry whose key is the integer `key` / the text `key`.
  const CborValue* find(std::int64_t key) const;
  const CborValue* find(std::string_view key) const;
};

// One CBOR item from the start of `data`; `consumed` gets its length (the
// rest may be other data, as in authenticator data). nullopt on malformed
// input or any limit.
std::optional<CborValue> read_cbor(crypto::ByteView data, std::size_t* consumed = nullptr);

}  // namespace signalnode::node::auth
