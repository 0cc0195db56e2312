// Turns what libcurl reports about the connection (name lookup, TCP, TLS,
// deadlines) into the plain bilingual texts an admin reads. Protocol answers
// (SMTP reply codes, HTTP statuses) are mapped by each transport itself.
#pragma once

#include <curl/curl.h>

#include <optional>
#include <string>
#include <string_view>

#include "node/notify/transport.hpp"

namespace signalnode::node::notify {

// Who was spoken to, for the texts: {"de mailserver", "the mail relay",
// "smtp.example.nl:587"}. `where` is a host and port only, never a URL path
// or query.
struct Peer {
  std::string_view nl;
  std::string_view en;
  std::string where;
};

[[nodiscard]] SendResult failed(bool permanent, std::string error);
[[nodiscard]] std::string capitalised(std::string_view text);

// The result for a connection-level failure, or nullopt when `code` is about
// the protocol exchange and the transport must decide. `curl_message` is the
// CURLOPT_ERRORBUFFER text: consulted, never copied into the result.
[[nodiscard]] std::optional<SendResult> connection_failure(CURL* handle, CURLcode code, std::string_view curl_message,
                                                           const Peer& peer, int timeout_seconds);

// Keeps environment proxies (a government network may need one) but never
// for loopback, where the tests and demos run.
void set_no_proxy_for_loopback(CURL* handle);

}  // namespace signalnode::node::notify
