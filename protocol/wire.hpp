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
};

// What a record is. A shared signal travels from its source to a recipient;
// a withdrawal or correction follows it the same way and names it in
// `refers_to`; feedback and bundle notices travel back from the recipient to
// the source, naming the shared record they are about.
enum class RecordKind : std::uint8_t { shared_signal = 1, withdrawal = 2, correction = 3, feedback = 4, bundle_notice = 5 };

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
bool verify_batch(const Signed& s, const crypto::PublicKey& key);
bool verify_receipt(const Signed& s, const crypto::PublicKey& key);

}  // namespace signalnode::protocol::wire
