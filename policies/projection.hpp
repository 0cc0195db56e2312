// What a covenant rule lets travel of a signal (the projection), and the
// receiver's check of what arrived. Defined once, here, for all three users:
// the sender's record builder, the officer's preview of what each partner
// would receive, and the receiver of a shared or corrected record. They
// cannot drift apart: the preview and the queued record are the same
// projection, and the check refuses exactly what no projection of the rule
// could carry.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policies/policy.hpp"
#include "protocol/wire.hpp"

namespace signalnode::policies {

// ISO 8601 week of a YYYY-MM-DD date, e.g. "2026-W47" (coarse time); empty
// when the text is not a date.
std::string iso_week(std::string_view date);

// One identifier of one of a signal's subjects, as far as sharing needs it:
// its kind and pseudonym, never its value.
struct SubjectIdentifier {
  std::size_t subject = 0;   // the subject's position in the signal
  std::string subject_kind;  // taxonomy subject kind: organisation, address, person, ...
  std::string id_kind;       // bsn, kvk, address, ...
  // The OPRF output, for sending; a preview, which has none yet, leaves it zero.
  std::array<std::uint8_t, 64> pseudonym{};
  bool operator==(const SubjectIdentifier&) const = default;
};

// Everything of a signal a rule could let travel: its coarse facts and its
// subjects' identifiers. Free text and names have no place here, so no rule
// can share them.
struct SignalFacts {
  std::string category;
  std::string observed_on;  // YYYY-MM-DD
  std::optional<std::string> municipality;  // CBS code
  std::string severity;
  std::optional<std::int64_t> persons;
  std::vector<SubjectIdentifier> identifiers;  // in the order given
};

// What travels of one signal under one rule: each coarse field the rule
// grants and the signal has, the pseudonyms of the idKinds the rule grants
// (the others are withheld), and when the receiver must delete the record.
struct Projection {
  std::string rule_id;
  std::string category;
  std::optional<std::string> week;
  std::optional<std::string> municipality;
  std::optional<std::string> severity;
  std::optional<std::int64_t> persons;
  std::vector<SubjectIdentifier> sent;      // in the order of SignalFacts::identifiers
  std::vector<SubjectIdentifier> withheld;  // likewise
  std::int64_t expires_at_ms = 0;           // now + the rule's retention
};

Projection project(const Rule& rule, const SignalFacts& facts, std::int64_t now_ms);

// A shared record carrying exactly the projection, under `policy`'s hash.
// Its id, kind and the record it refers to are the caller's to set.
protocol::wire::Record to_record(const Projection& projection, const Policy& policy);

// Every field of a received record by its content (policies/record_fields.hpp):
// empty when each passes, else a short reason naming the first field that
// does not, never repeating its content. check_received starts with it.
std::string check_fields(const protocol::wire::Record& record);

// The receiver's check of a shared or corrected record's content against its
// own copy of the covenant, `sender` to `self` at `now_ms`: empty when it
// passes, else the reason the sender will see in the receipt.
[[nodiscard]] std::string check_received(const protocol::wire::Record& record, const Policy& policy,
                                         const Party& sender, const Party& self, std::int64_t now_ms);
// Whether a refusal by check_received may pass later without either side
// changing the record: the two nodes' clocks disagree about the day (a rule
// not yet or no longer in force, an observed week "in the future") or the
// receiver does not run the covenant version yet. The sender retries those
// (issue 18) instead of giving the record up.
[[nodiscard]] bool is_temporary_refusal(std::string_view reason);
// When the receiver deletes a record it received at `received_at_ms` under
// `rule`: its own clock and the rule's retention, whatever the sender's
// expires_at says (a sender's clock running days fast must not make every
// record refused, nor a slow one keep records past the retention).
std::int64_t received_expiry(const Rule& rule, std::int64_t received_at_ms);

}  // namespace signalnode::policies
