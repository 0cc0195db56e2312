// Content rules for the fields of a received federation record (docs/protocol.md,
// "Record fields"). A partner with a valid certificate and signing key can
// still put anything into a field; the receiver checks every field against
// these rules before anything is stored or shown, and the sender's projection
// produces only values that pass them. One function per field, used by the
// receiver's check of shared records and corrections (check_received) and of
// withdrawals, feedback and bundle notices (node/sharing/receiver.cpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace signalnode::policies {

// Bounds, the same as the API applies to a signal (node/signals/signal_json.cpp).
inline constexpr std::int64_t kMaxPersons = 100000;     // persons: 0 .. 100000
inline constexpr std::size_t kMaxCategoryBytes = 100;   // a taxonomy category id
inline constexpr std::size_t kMaxRuleIdBytes = 64;      // a covenant rule id
inline constexpr std::size_t kMaxSubjectKindBytes = 32;
inline constexpr std::size_t kMaxFeedbackNoteBytes = 500;
inline constexpr std::int64_t kMaxOrganisations = 1000;  // in a bundle notice: 1 .. 1000

// 32 lowercase hexadecimal digits (record ids, refers_to).
bool valid_record_id(std::string_view id);
// "YYYY-Www": an ISO 8601 week that exists in that ISO year (W53 only in
// years that have one), year 1999 or later (the week of 2000-01-01, the
// earliest observation date the API accepts, is 1999-W52).
bool valid_iso_week(std::string_view week);
// The Monday of a valid ISO week, nullopt otherwise.
std::optional<std::chrono::sys_days> iso_week_monday(std::string_view week);
// A CBS municipality code: "GM" and 4 digits.
bool valid_municipality_code(std::string_view code);
// low, medium or high: what the API accepts for a signal's severity.
bool valid_severity(std::string_view severity);
// 0 .. kMaxPersons, the API's bound for a signal's persons.
bool valid_persons(std::int64_t persons);
// A category of the built-in taxonomy.
bool valid_category(std::string_view category);
// A subject kind of the built-in taxonomy (organisation, address, person, ...).
bool valid_subject_kind(std::string_view kind);
// An identifier kind of protocol/identifiers.hpp (bsn, kvk, iban, ...).
bool valid_id_kind(std::string_view id_kind);
// 1 .. kMaxRuleIdBytes of letters, digits, '-', '_' and '.'.
bool valid_rule_id(std::string_view rule_id);
// At most kMaxFeedbackNoteBytes of well-formed UTF-8.
bool valid_feedback_note(std::string_view note);
// 1 .. kMaxOrganisations.
bool valid_organisations(std::int64_t organisations);

}  // namespace signalnode::policies
