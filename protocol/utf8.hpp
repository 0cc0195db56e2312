// UTF-8 validity, checked before any JSON from the wire is parsed.
#pragma once

#include <string_view>

namespace signalnode::protocol {

// Well-formed UTF-8 without surrogates or overlong forms (RFC 3629).
bool is_valid_utf8(std::string_view text);

}  // namespace signalnode::protocol
