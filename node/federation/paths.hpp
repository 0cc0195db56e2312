// The federation endpoints every node serves to its partners (docs/protocol.md).
#pragma once

#include <string_view>

namespace signalnode::node::federation {

inline constexpr std::string_view kBatchesPath = "/federation/v1/batches";
// Where partners ask the PA to evaluate blinded elements (RFC 9497 OPRF).
inline constexpr std::string_view kEvaluatePath = "/federation/v1/oprf/evaluate";

}  // namespace signalnode::node::federation
