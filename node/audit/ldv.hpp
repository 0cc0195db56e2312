// Logboek Dataverwerkingen (Logius, LDV) core, and its read extension, as the
// audit log writes them (docs/audit.md, "LDV fields"). The BRIEF 3.7 event
// fields keep their names (traceId = trace_id, spanId = operation_id,
// parentSpanId = parent_operation_id, startTimeMs/endTimeMs, status,
// foreignOperation); the attributes LDV names are these.
#pragma once

#include <string>
#include <string_view>

namespace signalnode::node::audit::ldv {

// URI into the register of processing activities (processing_register.hpp).
inline constexpr std::string_view kProcessingActivityId = "dpl.core.processing_activity_id";
// One data subject per record, as a pseudonym (never an identifier).
inline constexpr std::string_view kDataSubjectId = "dpl.core.data_subject_id";
inline constexpr std::string_view kDataSubjectIdType = "dpl.core.data_subject_id_type";
// What kind of id kDataSubjectId holds: a pseudonym of BRIEF 3.8 (VOPRF,
// ristretto255-SHA512, 128 lowercase hex), in the domain of the node it is
// for (the recipient's in what a node sent, its own otherwise).
inline constexpr std::string_view kPseudonymType = "urn:signalnode:pseudonym";
// Read extension: the read API of the partner whose operation continues the
// chain (on records of an exchange this node started with that partner).
inline constexpr std::string_view kExternalReadApiId = "dpl.read.externalReadAPI_id";
// The path of the read API on every node's API listener (BRIEF 3.13).
inline constexpr std::string_view kReadApiPath = "/api/v1/ldv/processing-activities";

// The span id (16 hex) of the operation that a partner's node logs for a call
// that came with traceparent (trace_id, caller_span): derived from both, so
// the caller knows the partner's operation id without asking, and either log
// points at the other's operation in foreignOperation.
std::string callee_span_id(std::string_view trace_id, std::string_view caller_span_id);

// The partner's read API, for kExternalReadApiId: its address from the
// manifest (`read_api`), or, for a partner that publishes none, its
// organisation as urn:oin:<OIN>.
std::string external_read_api_id(std::string_view read_api_url, std::string_view oin);

}  // namespace signalnode::node::audit::ldv
