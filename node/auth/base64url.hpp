// base64url without padding (RFC 4648 section 5): how WebAuthn and JOSE write
// bytes in JSON. Decoding is bounded: longer input is refused before any
// allocation.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/bytes.hpp"

namespace signalnode::node::auth {

std::string to_base64url(crypto::ByteView bytes);
// nullopt for characters outside the alphabet, padding, a length that is not
// base64, or more than `max_bytes` decoded bytes.
std::optional<crypto::Bytes> from_base64url(std::string_view text, std::size_t max_bytes);

// Percent-encoding of everything but RFC 3986's unreserved characters
// (A-Z a-z 0-9 - . _ ~): for URI parts (otpauth:// links, the provider's
// authorization URL) and form values (the token request).
std::string percent_encode(std::string_view value);

}  // namespace signalnode::node::auth
