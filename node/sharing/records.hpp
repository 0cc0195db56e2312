// Internal to node/sharing: what the sharing files have in common. The
// processing-activity attributes of wire records' audit events, and the
// outbox row every outgoing message becomes. (What a record may carry, and the
// receiver's check of it, are the covenant's: policies/projection.hpp.)
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "crypto/aead.hpp"
#include "node/storage/sqlite.hpp"
#include "policies/policy.hpp"
#include "protocol/wire.hpp"

namespace signalnode::node::sharing::detail {

inline constexpr std::int64_t kDayMs = 86'400'000;

std::chrono::sys_days day_of(std::int64_t ms);
std::string_view kind_name(protocol::wire::RecordKind kind);

// Logboek attributes of the processing activity a record belongs to.
boost::json::object activity(const protocol::wire::Record& r, const policies::Policy& policy);
std::vector<std::string> subjects_of(const protocol::wire::Record& r);
// What a request or answer adds to its audit events: the request's id, type,
// kinds, purpose, legal ground and reference, the decision and its reason;
// never a disclosed value or a contact card.
void add_request_attributes(boost::json::object& attributes, const protocol::wire::Record& r);

struct OutboxEntry {
  const protocol::wire::Record* record;
  std::string recipient;
  std::string rule_id;
  std::optional<std::string> signal_id;
  std::optional<std::string> inbox_id;
  // Set for a message that carries identities (a request's contact card, a
  // disclosure): the outbox keeps it sealed under this key, never in plain.
  const crypto::AeadKey* seal_with = nullptr;
};
// The outbox row's record in the clear: `sealed` rows are opened with the data
// key. Empty when it does not open.
std::optional<crypto::Bytes> outbox_record_bytes(crypto::ByteView stored, bool sealed, std::string_view record_id,
                                                 const crypto::AeadKey& key);
// Queues a message for delivery, in the caller's transaction. Returns false
// when a message with the same id is already queued (idempotent notices).
bool enqueue(storage::Database& db, const OutboxEntry& entry, std::int64_t now);

// A record in flight cannot be cancelled, so a withdrawal meanwhile was queued
// behind it; when the record goes back to the queue it and that withdrawal
// are cancelled instead (every path that puts a 'sending' record back).
void cancel_if_withdrawn_in_flight(storage::Database& db, std::string_view record_id);

// The record `record_id` will never be the partner's (refused, or damaged in
// storage): the withdrawals and corrections still queued behind it for
// `recipient` are void, with `reason`.
void void_follow_ups(storage::Database& db, std::string_view record_id, std::string_view recipient,
                     std::string_view reason);

// What a partner's error answer says, fit to show an officer and to log: the
// problem's title and detail if it is one, printable ASCII only, bounded.
std::string partner_error_text(int status, const std::string& body);

}  // namespace signalnode::node::sharing::detail
