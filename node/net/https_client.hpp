// A small synchronous HTTPS client with keep-alive (Boost.Beast). It verifies
// the server against the given trust anchors and host name, and can present a
// client certificate. Used by the CLI, the load tool, tests and federation.
//
// Every call has a real deadline: the client runs Beast's asynchronous
// operations on its own io_context, whose timers close the socket when the
// deadline passes (Beast's blocking calls ignore expires_after). A peer that
// accepts and then stalls costs the caller at most connect_timeout +
// timeout, and a raised stop flag ends a call within a tenth of a second.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "node/http/types.hpp"
#include "node/net/tls_identity.hpp"
#include "node/net/tls_peer.hpp"

namespace signalnode::node::net {

// Shared by the clients of one owner (a node): raised when it stops, so that
// calls under way end at once instead of at their deadline.
using StopFlag = std::shared_ptr<const std::atomic<bool>>;

struct ClientOptions {
  std::string trust_anchors_pem;              // CA or self-signed server certificate(s)
  std::optional<TlsIdentity> client_identity;  // for mutual TLS
  // Name resolution, TCP connect and TLS handshake together.
  std::chrono::milliseconds connect_timeout{10'000};
  // Writing the request and reading the whole response, together.
  std::chrono::milliseconds timeout{30'000};
  StopFlag stop;
  std::size_t max_response_bytes = 16 * 1024 * 1024;
  // Federation: the server's certificate must also satisfy this (manifest pin
  // and OIN); checked after the handshake, before the request is sent.
  std::function<bool(const crypto::CertificateIdentity&)> check_server;
};

// A fresh W3C trace context (version 00, sampled): "00-<32 hex>-<16 hex>-01".
std::string new_traceparent();

class HttpsClient {
 public:
  HttpsClient(std::string host, std::uint16_t port, ClientOptions options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // Throws std::runtime_error on connection, TLS or protocol failure, on a
  // passed deadline ("timed out") and when the stop flag is raised.
  http::HttpResponse request(const std::string& method, const std::string& target, const std::string& body = {},
                            const std::vector<std::pair<std::string, std::string>>& headers = {});
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signalnode::node::net
