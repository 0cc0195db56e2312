// The federation endpoints every node serves to its partners (docs/protocol.md).
#pragma once

#include <string_view>

namespace signalnode::node::federation {

inline constexpr std::string_view kBatchesPath = "/federation/v1/batches";
// Where partners ask the PA to evaluate blinded elements (RFC 9497 OPRF).
inline constexpr std::string_view kEvaluatePath = "/federation/v1/oprf/evaluate";
// Which records of the asking partner this node holds (a page of record ids
// with their category and receive time): how a node restored from a backup
// finds the records it sent after its snapshot (docs/backup.md).
inline constexpr std::string_view kHeldPath = "/federation/v1/held";

}  // namespace signalnode::node::federation
