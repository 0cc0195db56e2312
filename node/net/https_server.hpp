// HTTPS listener (Boost.Beast over Asio SSL, TLS 1.3 only). It bounds everything
// a client controls before it costs memory or time: header bytes, body bytes,
// time to send a request, idle keep-alive time and the number of connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "node/http/types.hpp"
#include "node/http/metrics.hpp"
#include "node/net/tls_identity.hpp"
#include "node/net/tls_peer.hpp"

namespace signalnode::node::net {

struct ServerLimits {
  std::size_t header_bytes = 8 * 1024;  // over it: 431
  std::size_t body_bytes = 1024 * 1024;  // over it: 413
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds request_timeout{10'000};  // from first byte to complete request
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive wait for a next request
  std::size_t max_connections = 1024;
  // Admission: no one client address may hold more than this many connections
  // at once, so a few hundred idle sockets from one place lock no one out.
  std::size_t max_connections_per_address = 64;
  // With mutual TLS: connections whose certificate is not yet checked (a bare
  // TCP connection, a handshake under way) may hold at most this many slots,
  // so strangers cannot take the slots of manifest partners.
  std::size_t max_unauthenticated = 64;
  // After the handshake the first request must begin within this; later
  // keep-alive waits get idle_timeout.
  std::chrono::milliseconds first_request_timeout{5'000};
  // Run first on each I/O thread: the node marks them as threads that must
  // never wait on the disk (storage::Store::forbid_blocking_writes_here).
  std::function<void()> on_io_thread_start;
  // While draining: how long after its handshake or last answer a connection
  // may still deliver a request (answered 503) before it is closed; one idle
  // for longer is closed at once.
  std::chrono::milliseconds drain_linger{300};
};

// Mutual TLS for the federation listener: a client certificate is required,
// must chain to `trust_anchors_pem`, and `authorize` must name its partner.
struct ClientAuth {
  std::string trust_anchors_pem;
  PeerAuthorizer authorize;
};

class HttpsServer {
 public:
  HttpsServer(const TlsIdentity& identity, ServerLimits limits, http::HttpHandler handler, http::Metrics& metrics,
              std::optional<ClientAuth> client_auth = std::nullopt);
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // Binds; port 0 picks a free one. Returns the bound port.
  std::uint16_t listen(const std::string& address, std::uint16_t port);
  void start(int threads);
  // The start of a draining stop: no new connections are accepted; requests
  // being read or handled go on and are answered, with Connection: close; a
  // request begun after this (a kept-alive or just accepted connection) is
  // answered 503 with Retry-After and Connection: close; idle connections
  // get a short while for a request already on its way, then are closed.
  void begin_drain();
  // Waits until every accepted connection has been answered and is closing,
  // or until `deadline`; true when drained. Call begin_drain first.
  bool wait_drained(std::chrono::steady_clock::time_point deadline);
  // Connections not yet answered and closing (during a drain, what is left).
  std::size_t open_connections() const;
  // Stops accepting and ends the I/O threads; answers not yet sent are
  // dropped (after a drain, only those that outlived the grace period).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signalnode::node::net
