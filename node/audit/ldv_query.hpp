// The body of a Logboek Dataverwerkingen read query (BRIEF 3.13, Logius'
// read extension): POST /api/v1/ldv/processing-activities. Hostile input:
// bounded before it is parsed (bytes, depth, keys, string lengths), every key
// known, and at least one of the three selectors. A plain identifier (a BSN,
// a KvK number, an IBAN, ...) where a pseudonym belongs is refused by name,
// and never repeated back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/result.hpp"

namespace signalnode::node::audit {

inline constexpr std::size_t kMaxLdvQueryBytes = 4096;

struct LdvQuery {
  std::optional<std::string> trace_id;       // 32 lowercase hex (a UUID is taken without its dashes)
  std::optional<std::string> activity_uri;   // urn:signalnode:processing-activity:<id>
  std::optional<std::string> data_subject;   // a pseudonym: 128 lowercase hex
  std::optional<std::int64_t> start_ms;      // records that started at or after
  std::optional<std::int64_t> end_ms;        // records that ended at or before
  // The keys that selected (for the log of the read): traceId, ...
  std::vector<std::string> selectors() const;
};

// The query, or what is wrong with it (each problem names its field; reasons
// are fixed texts, never the value).
std::variant<LdvQuery, std::vector<protocol::FieldError>> parse_ldv_query(std::string_view body);

// Whether `value` looks like an identifier of BRIEF 3.5 rather than a
// pseudonym: digits (BSN, KvK, phone), an IBAN, a postcode, an e-mail address.
bool looks_like_plain_identifier(std::string_view value);

}  // namespace signalnode::node::audit
