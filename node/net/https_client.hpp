// A small synchronous HTTPS client with keep-alive (Boost.Beast). It verifies
// the server against the given trust anchors and host name, and can present a
// client certificate. Used by the CLI, the load tool, tests and federation.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "node/api/http_types.hpp"
#include "node/net/tls_identity.hpp"
#include "node/net/tls_peer.hpp"

namespace signalnode::node::net {

struct ClientOptions {
  std::string trust_anchors_pem;              // CA or self-signed server certificate(s)
  std::optional<TlsIdentity> client_identity;  // for mutual TLS
  std::chrono::milliseconds timeout{30'000};
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

  // Throws std::runtime_error on connection, TLS or protocol failure.
  api::HttpResponse request(const std::string& method, const std::string& target, const std::string& body = {},
                            const std::vector<std::pair<std::string, std::string>>& headers = {});
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signalnode::node::net
