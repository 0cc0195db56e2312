// Identifier validation and canonical forms (BRIEF 3.5, a contract: partners
// must agree byte for byte, since the canonical form is the OPRF input).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/result.hpp"

namespace signalnode::protocol {

enum class IdKind { bsn, kvk, iban, address, person, document, plate, phone, email };

std::string_view to_string(IdKind kind);
std::optional<IdKind> id_kind_from_string(std::string_view name);

struct CanonicalId {
  IdKind kind;
  std::string canonical;
  // The OPRF input: UTF-8 of KIND ":" CANONICAL.
  std::string oprf_input() const;
  bool operator==(const CanonicalId&) const = default;
};

// Each returns the canonical form, or a FieldError whose field is the input's
// own field name ("bsn", "postcode", ...); callers prefix the path.
Result<std::string> canonical_bsn(std::string_view input);
Result<std::string> canonical_kvk(std::string_view input);
Result<std::string> canonical_iban(std::string_view input);
Result<std::string> canonical_address(std::string_view postcode, std::string_view house_number,
                                      std::string_view house_letter, std::string_view addition);
Result<std::string> canonical_person(std::string_view name, std::string_view birth_date,
                                     std::chrono::sys_days today);
Result<std::string> canonical_document(std::string_view country, std::string_view number);
Result<std::string> canonical_plate(std::string_view country, std::string_view plate);
Result<std::string> canonical_phone(std::string_view input);
Result<std::string> canonical_email(std::string_view input);

// Name normalisation used by canonical_person: format characters (Unicode Cf)
// removed, NFKC, case-folded, combining marks stripped, white space collapsed
// and trimmed. nullopt for invalid UTF-8 or control characters.
std::optional<std::string> normalise_name(std::string_view name);

// YYYY-MM-DD, a real calendar date; nullopt otherwise.
std::optional<std::chrono::sys_days> parse_date(std::string_view text);
bool is_iso_country(std::string_view code);

}  // namespace signalnode::protocol

namespace signalnode::protocol {

// One identifier given as a single string, as in a subject-access request
// {"idKind": "...", "value": "..."}: compound kinds separate their parts with
// '|' in canonical order (address: postcode|number|letter|addition; person:
// name|YYYY-MM-DD; document: CC|NUMBER; plate: [CC|]PLATE). The error names
// the field "value".
Result<CanonicalId> canonicalise(IdKind kind, std::string_view value, std::chrono::sys_days today);

}  // namespace signalnode::protocol
