// How the API answers a domain outcome of node/sharing: the domain says what
// happened (queued, not found, in conflict, a bad field); HTTP status codes
// and problem documents are chosen here, at the edge.
#pragma once

#include <string_view>

#include "node/http/types.hpp"
#include "node/sharing/types.hpp"

namespace signalnode::node::api {

// `conflict_code` and `conflict_title`: what a conflict means on this route.
http::HttpResponse outcome_response(const sharing::Outcome& outcome, std::string_view conflict_code = "conflict",
                                    std::string_view conflict_title = "Conflict");

}  // namespace signalnode::node::api
