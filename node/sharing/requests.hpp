// From a match to action (issue 16, docs/cases.md): a recipient of a record
// asks its source to get in touch (contact) or to disclose the identity behind
// the record's subjects (details, only the kinds the record's rule lists under
// `disclosure`). The request and its answer travel as signed records through
// the outbox like any other; both sides keep the request's state, and every
// step is audited under one trace, the request's id. What an answer discloses
// is sealed at rest, shown to the requesting analyst only, and deleted with
// the rule's retention.
#pragma once

#include <boost/json/object.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node/sharing/context.hpp"
#include "node/sharing/types.hpp"
#include "policies/policy.hpp"
#include "protocol/identifiers.hpp"
#include "protocol/wire.hpp"

namespace signalnode::node::sharing {

// Why a source refuses a request: codes, shown to both sides in their words.
inline constexpr std::string_view kRefusalReasons[] = {
    "investigation_interest",  // disclosure would harm an investigation
    "insufficient_purpose",    // the purpose does not justify it
    "not_proportionate",       // not proportionate to the purpose
    "no_legal_ground",         // the ground named does not carry it
    "not_held",                // the source no longer holds it
    "other_channel",           // to be asked through another channel (e.g. police, OM)
};
bool is_refusal_reason(std::string_view code);

inline constexpr std::int64_t kRequestDeadlineMs = 14LL * 86'400'000;  // two weeks to decide
inline constexpr std::int64_t kMaxRequestDeadlineMs = 60LL * 86'400'000;
inline constexpr std::size_t kMaxRequestText = 1000;  // purpose, legal ground
inline constexpr std::size_t kMaxReference = 100;
inline constexpr std::size_t kMinPurpose = 10;  // a purpose says something

enum class RequestType { contact, details };
std::string_view to_string(RequestType t);

// What the requesting analyst asks (POST /api/v1/requests).
struct NewRequest {
  RequestType type = RequestType::contact;
  std::string inbox_id;
  std::vector<std::string> kinds;  // details only
  std::string purpose;
  std::string legal_ground;  // empty: the rule's legal basis
  std::string reference;
  std::string case_id;  // optional
  std::string by;       // principal id, e.g. user:alice
  protocol::wire::ContactCard requester;
};

// The request as the source's decider sees it before deciding.
struct PendingRequest {
  RequestType type = RequestType::contact;
  std::string signal_id;
  std::vector<std::string> kinds;
  std::string decider_role;
  std::string state;
};

// The source's decision (POST /api/v1/requests/{id}/decision).
struct Decision {
  bool approve = false;
  std::string reason;  // a refusal code; required to refuse
  std::string by;
  std::string role;  // the decider's role
  protocol::wire::ContactCard contact;  // approved contact
  std::vector<protocol::wire::Disclosed> disclosed;  // approved details (canonical forms)
};

class Requests {
 public:
  explicit Requests(Context& ctx) : ctx_(ctx) {}

  // Requester: checks the request against the record and its rule, stores it
  // and queues it for the record's source.
  [[nodiscard]] Outcome create(const NewRequest& request, const policies::Policy& policy);
  // Source: what a decision needs to read first (nullopt: no incoming request).
  [[nodiscard]] std::optional<PendingRequest> pending(const std::string& id) const;
  // Source: decides, queues the answer (sealed when it carries identities).
  [[nodiscard]] Outcome decide(const std::string& id, const Decision& decision, const policies::Policy& policy);

  // Both sides, for the API. `viewer`: the caller's principal id; an
  // approved answer's content is opened for the requester only.
  // `role`: incoming requests are listed for the role that decides on each.
  [[nodiscard]] std::vector<boost::json::object> list(std::string_view direction, std::size_t limit,
                                                      std::string_view role = {}) const;
  [[nodiscard]] std::vector<boost::json::object> of_case(const std::string& case_id) const;
  // nullopt: no such request. `opened`: set when disclosed content was shown.
  [[nodiscard]] std::optional<boost::json::object> get(const std::string& id, const std::string& viewer,
                                                       bool* opened = nullptr);
  // Both sides: pending requests past their deadline expire (the requester
  // waits an hour longer for an answer in flight); answers past their rule's
  // retention are deleted. Each audited; returns how many changed.
  std::size_t expire(std::int64_t now_ms);
  // Requester: whether each disclosed identifier, pseudonymised in this
  // node's own domain (`pseudonymise`, a PA round trip), is one of the
  // record's pseudonyms of its kind: that the source disclosed the identity
  // behind this record and not another. Stored with the request and shown as
  // "verified"; throws what `pseudonymise` throws (nothing stored then).
  bool verify_disclosure(const std::string& id, const std::vector<protocol::wire::Disclosed>& disclosed,
                         const std::function<std::array<std::uint8_t, 64>(const protocol::CanonicalId&)>& pseudonymise);

  // In a partner's batch transaction (Receiver): empty when accepted, else why not.
  static std::string receive_request(storage::Database& db, const Context& ctx, const std::string& sender,
                                     const policies::Policy& policy, std::int64_t now,
                                     const protocol::wire::Record& r);
  static std::string receive_answer(storage::Database& db, const Context& ctx, const std::string& sender,
                                    std::int64_t now, const protocol::wire::Record& r);
  // The requester's pseudonyms of the subjects of the record an outgoing
  // request is about: its audit events name them, so subject access finds them.
  static std::vector<std::string> subjects_of_request(storage::Database& db, const std::string& request_id);
  // The source withdrew the record: what it disclosed about it is deleted
  // (audited as disclosure.deleted), in the withdrawal's transaction.
  static void forget_answers_about(storage::Database& db, const std::string& inbox_id, std::int64_t now);
  // On the source's receipt refusing a request record (Delivery).
  static void refused_on_receipt(storage::Database& db, const std::string& request_id, const std::string& why,
                                 std::int64_t now);

 private:
  Context& ctx_;
};

}  // namespace signalnode::node::sharing
