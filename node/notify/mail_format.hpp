// The RFC 5322 message send_mail hands to the relay: headers, an RFC 2047
// subject and a quoted-printable UTF-8 body. Pure functions, so the bytes on
// the wire can be checked without a server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace signalnode::node::notify::mail {

// "Tue, 05 Mar 2024 14:03:09 +0000": fixed English names, never the locale's.
[[nodiscard]] std::string rfc5322_date(std::int64_t unix_seconds);

// The subject as a header value: unchanged when it is printable ASCII, else
// UTF-8 base64 encoded-words of at most 75 characters, folded onto
// continuation lines, never splitting a UTF-8 sequence.
[[nodiscard]] std::string encode_subject(std::string_view subject);

// Quoted-printable (RFC 2045) with CRLF line ends: any mix of LF, CRLF and
// CR in the input becomes CRLF; lines stay under 77 characters, so no relay
// needs 8BITMIME and none rewraps the text.
[[nodiscard]] std::string quoted_printable(std::string_view text);

struct Envelope {
  std::string_view from;
  std::string_view to;
  std::string_view subject;
  std::string_view text;
  std::int64_t unix_seconds = 0;
  std::string_view message_id;  // without the angle brackets
};
// Headers, a blank line and the encoded body, every line ending in CRLF.
[[nodiscard]] std::string compose(const Envelope& envelope);

}  // namespace signalnode::node::notify::mail
