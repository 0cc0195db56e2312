// BRIEF 3.13 and the NL API Design Rules (/core/version-header): every answer
// of the node, on the API and the federation listener alike, errors and web
// pages included, says which full semantic version of the API served it.
// The version is the CMake project version (node/version.hpp.in).
#pragma once

#include <string_view>

#include "node/http/types.hpp"

namespace signalnode::node::http {

inline constexpr std::string_view kApiVersionHeader = "API-Version";

// "0.1.0": the node's version, which is the API's.
std::string_view api_version();

// Sets API-Version on the response (replacing any value a handler set).
void add_api_version(HttpResponse& response);

}  // namespace signalnode::node::http
