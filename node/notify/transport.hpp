// The outgoing transports of notifications: mail through an SMTP relay and
// signed webhook POSTs, both through libcurl (see
// docs/notifications-transport.md). One blocking call per message; retrying,
// queueing and choosing recipients belong to the notifier above.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include "crypto/bytes.hpp"
namespace signalnode::node::notify {
struct SendResult {
  bool ok = false;
  bool permanent = false;  // retrying the same message will not help (recipient refused by 5xx, bad address, https URL invalid)
  std::string error;       // plain words for an admin, Dutch first then English ("De mailserver is niet bereikbaar / the mail relay cannot be reached"), never a password, message content, URL query or library source path
};
struct SmtpSettings {
  std::string host;
  std::uint16_t port = 587;
  bool starttls = true;        // true: STARTTLS is required (refuse to send if the server does not offer it) and the certificate+host name are verified; false only for a demo relay on loopback
  std::string username;        // empty: no AUTH
  crypto::SecretBytes password; // wiped by its destructor
  std::string from;            // envelope sender and From: header, e.g. signalnode@gemeente-aalsmeer.nl
  std::string ca_file;         // empty: the system trust store
  int timeout_seconds = 20;    // whole exchange
  // Set by the owner when the node stops: a transfer under way ends within
  // about a second (retried after the restart), instead of at its timeout.
  const std::atomic<bool>* cancel = nullptr;
};
struct MailMessage {
  std::string to;       // one address
  std::string subject;  // UTF-8, may contain non-ASCII (encode as RFC 2047 encoded-word when needed)
  std::string text;     // UTF-8 plain text body (Content-Type: text/plain; charset=utf-8; Content-Transfer-Encoding: 8bit or quoted-printable), lines CRLF
};
[[nodiscard]] SendResult send_mail(const SmtpSettings& smtp, const MailMessage& message);

struct WebhookTarget {
  std::string name;
  std::string url;             // https:// only (http:// allowed only to 127.0.0.1/::1/localhost, for tests and demos)
  crypto::SecretBytes secret;  // HMAC key
  std::string ca_file;         // empty: system trust store
  int timeout_seconds = 10;
  const std::atomic<bool>* cancel = nullptr;  // as SmtpSettings::cancel
};
// POSTs json_body (Content-Type: application/json) with headers
//   X-Signalnode-Timestamp: <unix_seconds>
//   X-Signalnode-Signature: sha256=<lower-hex HMAC-SHA256(secret, "<unix_seconds>." + body)>
// 2xx is ok; 4xx except 408/429 permanent; 5xx/408/429/timeouts/connect errors retryable. No redirects followed.
[[nodiscard]] SendResult post_webhook(const WebhookTarget& target, std::string_view json_body, std::int64_t unix_seconds);
std::string webhook_signature(crypto::ByteView secret, std::int64_t unix_seconds, std::string_view body);
// A mail header value must not carry CR/LF (header injection): validation helper used by send_mail and by config loading.
bool is_safe_mail_address(std::string_view address);
}
