// RFC 8785 JSON Canonicalization Scheme for the audit log's leaves (BRIEF
// 3.7, a contract: an independent verifier recomputes these bytes). Events
// hold strings, integers, booleans, null, arrays and objects; a float is
// refused rather than canonicalised.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace signalnode::protocol {

// Throws std::invalid_argument for a floating-point number anywhere.
std::string jcs(const boost::json::value& value);

}  // namespace signalnode::protocol
