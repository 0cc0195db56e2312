// The federation wire format (docs/protocol.md): versioned batches of shared
// records, signed by the sender, acknowledged by receipts signed by the
// receiver. Encoded with cereal's portable binary archive (little-endian), with
// every length checked against its bound and the remaining input before
// anything is allocated, and no trailing bytes allowed.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/bytes.hpp"
#include "crypto/ed25519.hpp"

namespace signalnode::protocol::wire {

inline constexpr std::uint16_t kVersion = 1;

struct Limits {
  std::size_t max_records = 1000;
  std::size_t max_subjects = 64;
  std::size_t max_string = 256;
  std::size_t max_note = 500;       // a feedback note, when a rule allows one
  std::size_t max_categories = 64;  // in a bundle notice
  std::size_t max_batch_bytes = 8 * 1024 * 1024;
  std::size_t max_request_text = 1000;  // a request's purpose, legal ground or reference
  std::size_t max_disclosed = 64;       // identifiers in one answer
};

// What a record is. A shared signal travels from its source to a recipient;
// a withdrawal or correction follows it the same way and names it in
// `refers_to`; feedback and bundle notices travel back from the recipient to
// the source, naming the shared record they are about.
//
// Requests follow a match (docs/cases.md): a recipient asks the source of a
// record it received to get in touch (contact_request) or to disclose the
// identity behind the record's subjects (details_request), naming the shared
// record in `refers_to`; the source's answer (request_answer) names the request
// record in `refers_to` and carries the decision in `status`.
enum class RecordKind : std::uint8_t {
  shared_signal = 1,
  withdrawal = 2,
  correction = 3,
  feedback = 4,
  bundle_notice = 5,
  contact_request = 6,
  details_request = 7,
  request_answer = 8,
};
inline constexpr std::uint8_t kMaxRecordKind = 8;

constexpr bool is_request_kind(RecordKind k) {
  return k == RecordKind::contact_request || k == RecordKind::details_request || k == RecordKind::request_answer;
}

// Who to get in touch with: the requesting analyst in a request, the
// responsible officer in an approved contact answer.
struct ContactCard {
  std::string name;
  std::string organisation;
  std::string phone;
  std::string email;
  bool operator==(const ContactCard&) const = default;
};

// One identifier disclosed on an approved details request: its kind and its
// canonical form (BRIEF 3.5).
struct Disclosed {
  std::string id_kind;
  std::string value;
  bool operator==(const Disclosed&) const = default;
};

// What travels with a request and its answer only; encoded only for those
// kinds, so every earlier record kind keeps its bytes.
struct RequestPart {
  std::string purpose;        // request: why (free text the requester wrote, bounded)
  std::string legal_ground;   // request: the legal ground the requester invokes
  std::string reference;      // request: the requester's case reference
  std::vector<std::string> kinds;  // details request: the kinds asked for
  ContactCard contact;        // request: the requester; approved contact answer: the source's officer
  std::int64_t deadline_ms = 0;  // request: when it expires unanswered
  std::int64_t decided_at_ms = 0;       // answer
  std::vector<Disclosed> disclosed;     // approved details answer
  bool operator==(const RequestPart&) const = default;
};

struct SharedSubject {
  std::string kind;                      // taxonomy subject kind: organisation, address, person, ...
  std::string id_kind;                   // bsn, kvk, address, ...
  std::array<std::uint8_t, 64> pseudonym{};  // RFC 9497 OPRF output
  bool operator==(const SharedSubject&) const = default;
};

struct Record {
  std::string record_id;  // 32 hex, unique per source signal and recipient
  RecordKind kind = RecordKind::shared_signal;
  std::string category;
  std::string observed_week;  // ISO week, e.g. 2026-W47 (coarse time)
  std::string municipality;   // CBS code or empty
  std::string severity;       // or empty
  std::int64_t persons = -1;  // -1: not shared
  std::vector<SharedSubject> subjects;
  std::string rule_id;                        // the sharing rule that allowed it
  std::array<std::uint8_t, 32> policy_hash{};  // SHA-256 of the policy document
  std::int64_t expires_at_ms = 0;
  std::string refers_to;  // the shared record this message is about (empty for a shared signal)
  std::string status;     // feedback: one of the feedback statuses (docs/protocol.md)
  std::string reason;     // feedback: a coded reason, or empty
  std::string note;       // feedback: free text, only where the rule allows a note
  std::int64_t organisations = -1;      // bundle notice: organisations in the bundle, -1: not shared
  std::vector<std::string> categories;  // bundle notice: the bundle's categories, where granted
  RequestPart request;                  // requests and answers only (is_request_kind)
  bool operator==(const Record&) const = default;
};

struct Batch {
  std::uint16_t version = kVersion;
  std::string batch_id;  // 32 hex
  std::string sender;    // org ids as in the manifest
  std::string receiver;
  std::int64_t created_at_ms = 0;
  std::vector<Record> records;
  bool operator==(const Batch&) const = default;
};

struct RecordOutcome {
  std::string record_id;
  bool accepted = false;
  std::string reason;  // empty when accepted
  bool operator==(const RecordOutcome&) const = default;
};

struct Receipt {
  std::uint16_t version = kVersion;
  std::string batch_id;
  std::string sender;    // the batch's sender
  std::string receiver;  // who signs this receipt
  std::int64_t received_at_ms = 0;
  std::vector<RecordOutcome> outcomes;
  // Cross-witnessing: the receiver's newest signed audit tree head (size 0
  // when it has none yet). The sender keeps it with its record.sent events,
  // so each side's log can be checked against what the other signed.
  std::uint64_t tree_size = 0;
  std::int64_t tree_timestamp_ms = 0;
  std::array<std::uint8_t, 32> tree_root{};
  std::array<std::uint8_t, 64> tree_signature{};
  bool operator==(const Receipt&) const = default;
};

// A message and the Ed25519 signature over domain || message.
struct Signed {
  crypto::Bytes message;
  crypto::Signature signature{};
};

crypto::Bytes encode(const Batch& batch);
crypto::Bytes encode(const Receipt& receipt);
crypto::Bytes encode(const Signed& signed_message);

// Each returns nullopt and sets `error` (never echoing content) on any
// malformed, oversize or trailing input.
std::optional<Batch> decode_batch(crypto::ByteView bytes, std::string& error, const Limits& limits = {});
std::optional<Receipt> decode_receipt(crypto::ByteView bytes, std::string& error, const Limits& limits = {});
std::optional<Signed> decode_signed(crypto::ByteView bytes, std::string& error, const Limits& limits = {});

// Signing with domain separation: a batch signature can never pass as a receipt's.
Signed sign_batch(const Batch& batch, const crypto::SigningKey& key);
Signed sign_receipt(const Receipt& receipt, const crypto::SigningKey& key);
[[nodiscard]] bool verify_batch(const Signed& s, const crypto::PublicKey& key);
[[nodiscard]] bool verify_receipt(const Signed& s, const crypto::PublicKey& key);

}  // namespace signalnode::protocol::wire
