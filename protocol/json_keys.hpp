// Duplicate object keys in a JSON text. RFC 8259 leaves their meaning open and
// Boost.JSON silently keeps one of them, so a body such as
// {"category": "a", "category": "b"} would be read differently by different
// parsers (a reviewer's tool and this node). Request bodies with a duplicate key
// are refused instead.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace signalnode::protocol {

// The first key that occurs twice in one object (at any depth) of `json_text`;
// nullopt when there is none or when the text is not valid JSON (the caller's
// parser reports that). The key is returned as at most 64 printable ASCII
// characters (others replaced by ?), fit to show back to the client.
std::optional<std::string> first_duplicate_key(std::string_view json_text);

}  // namespace signalnode::protocol
