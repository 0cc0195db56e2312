#include "node/net/https_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "node/http/api_version.hpp"
#include "node/http/problem.hpp"
#include "node/log/log.hpp"

namespace signalnode::node::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

class Session;

struct Shared {
  Shared(ServerLimits l, http::HttpHandler h, http::Metrics& m, PeerAuthorizer a)
      : limits(l), handler(std::move(h)), metrics(m), authorize(std::move(a)) {}
  ServerLimits limits;
  http::HttpHandler handler;
  http::Metrics& metrics;
  PeerAuthorizer authorize;  // empty: no client certificates (the local API)
  std::atomic<std::size_t> connections{0};
  // A draining stop has begun (HttpsServer::begin_drain).
  std::atomic<bool> draining{false};
  // Sessions not yet closing: what a drain waits for.
  std::atomic<std::size_t> open{0};
  // Every live session, so a drain can reach the idle ones.
  std::mutex sessions_mutex;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions;

  // Admission per client address, and of connections not yet authorized.
  std::mutex admission_mutex;
  std::unordered_map<std::string, std::size_t> per_address;
  std::size_t unauthenticated = 0;

  // Admits a new connection from `address`, or says why not.
  const char* admit(const std::string& address) {
    std::lock_guard lock(admission_mutex);
    auto& n = per_address[address];
    if (n >= limits.max_connections_per_address) {
      if (n == 0) per_address.erase(address);
      return "too many connections from this address";
    }
    if (authorize && unauthenticated >= limits.max_unauthenticated) {
      if (n == 0) per_address.erase(address);
      return "too many connections without a checked certificate";
    }
    ++n;
    if (authorize) ++unauthenticated;
    return nullptr;
  }
  void authenticated() {
    std::lock_guard lock(admission_mutex);
    --unauthenticated;
  }
  void release(const std::string& address, bool was_authenticated) {
    std::lock_guard lock(admission_mutex);
    if (authorize && !was_authenticated) --unauthenticated;
    auto it = per_address.find(address);
    if (it != per_address.end() && --it->second == 0) per_address.erase(it);
  }
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, ssl::context& ctx, std::shared_ptr<Shared> shared, std::string address)
      : address_(std::move(address)),
        stream_(std::move(socket), ctx),
        buffer_(shared->limits.header_bytes + shared->limits.body_bytes + 16 * 1024),
        shared_(std::move(shared)),
        drain_timer_(stream_.get_executor()) {
    shared_->metrics.connection_opened();
    shared_->open.fetch_add(1);
  }
  ~Session() {
    leave_open();
    {
      std::lock_guard lock(shared_->sessions_mutex);
      shared_->sessions.erase(this);
    }
    shared_->metrics.connection_closed();
    shared_->release(address_, authenticated_);
    shared_->connections.fetch_sub(1);
  }

  void run() {
    {
      std::lock_guard lock(shared_->sessions_mutex);
      shared_->sessions.emplace(this, weak_from_this());
    }
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      beast::get_lowest_layer(self->stream_).expires_after(self->shared_->limits.handshake_timeout);
      self->stream_.async_handshake(ssl::stream_base::server,
                                    [self](beast::error_code ec) { self->on_handshake(ec); });
    });
  }

  // The server is draining: an idle connection gets a short while for a
  // request already on its way (answered 503), then is closed.
  void drain() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->waiting_) return;  // handshake, request or answer under way: it finishes by itself
      // A connection answered or opened just now may have its next request
      // on the way: it gets the rest of the linger; one idle for longer is
      // closed at once (so a stop never waits on idle connections).
      auto linger_end = self->last_activity_ + self->shared_->limits.drain_linger;
      if (linger_end <= std::chrono::steady_clock::now()) {
        beast::get_lowest_layer(self->stream_).cancel();
        return;
      }
      self->drain_timer_.expires_at(linger_end);
      self->drain_timer_.async_wait([self](beast::error_code ec) {
        if (!ec && self->waiting_) beast::get_lowest_layer(self->stream_).cancel();
      });
    });
  }

 private:
  void leave_open() {
    if (counted_open_) {
      counted_open_ = false;
      shared_->open.fetch_sub(1);
    }
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return;  // not TLS 1.3, no or untrusted certificate, timeout: nothing to answer
    last_activity_ = std::chrono::steady_clock::now();
    if (shared_->authorize) {
      if (!authorize_peer()) return close();
      authenticated_ = true;
      shared_->authenticated();
    }
    wait_for_request();
  }

  // The certificate chained to the trust anchors (checked by OpenSSL); now it
  // must also be a manifest partner's. Refused peers get no HTTP at all.
  bool authorize_peer() {
    X509* cert = SSL_get0_peer_certificate(stream_.native_handle());
    if (!cert) return false;
    int len = i2d_X509(cert, nullptr);
    if (len <= 0) return false;
    crypto::Bytes der(static_cast<std::size_t>(len));
    unsigned char* out = der.data();
    i2d_X509(cert, &out);
    try {
      auto org = shared_->authorize(crypto::certificate_identity_der(der));
      if (!org) {
        log::warn("federation.peer_refused", {{"reason", "certificate not in the manifest"}});
        return false;
      }
      peer_org_ = *org;
      return true;
    } catch (const std::exception& e) {
      log::warn("federation.peer_refused", {{"reason", e.what()}});
      return false;
    }
  }

  // Waits up to the idle timeout for a first byte, then gives the client the
  // request timeout to deliver the whole request: a keep-alive connection may
  // idle, but a slow sender cannot hold a connection by dribbling bytes.
  void wait_for_request() {
    if (buffer_.size() > 0) return read_request();
    // A new connection must start its first request soon; only a client that
    // has made one may keep the connection idle for longer.
    auto wait = served_ == 0 ? shared_->limits.first_request_timeout : shared_->limits.idle_timeout;
    // Draining: only a request already on its way is still read (and refused).
    if (shared_->draining.load()) wait = std::min(wait, shared_->limits.drain_linger);
    beast::get_lowest_layer(stream_).expires_after(wait);
    waiting_ = true;
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->waiting_ = false;
      if (ec) return self->close();
      self->buffer_.commit(n);
      self->read_request();
    });
  }

  void read_request() {
    // A request begun once the server drains is answered 503; one begun
    // before is handled and answered.
    begun_draining_ = shared_->draining.load();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->limits.header_bytes));
    parser_->body_limit(shared_->limits.body_bytes);
    beast::get_lowest_layer(stream_).expires_after(shared_->limits.request_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout) return close();
    if (ec == bhttp::error::header_limit) {
      return reply_and_close(http::problem(431, "headers-too-large", "Request header fields too large",
                                          "headers may total at most " +
                                              std::to_string(shared_->limits.header_bytes) + " bytes"));
    }
    if (ec == bhttp::error::body_limit) {
      return reply_and_close(http::problem(413, "body-too-large", "Content too large",
                                          "the body may be at most " + std::to_string(shared_->limits.body_bytes) +
                                              " bytes"));
    }
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
      return reply_and_close(http::problem(400, "bad-request", "Bad request", "the request is not valid HTTP/1.1"));
    }
    if (ec) return close();
    if (begun_draining_) return reply_and_close(http::node_stopping());

    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    http::HttpRequest request;
    request.method = std::string(req.method_string());
    std::string_view target = req.target();
    if (target.empty() || target.front() != '/') {
      return reply_and_close(http::problem(400, "bad-request", "Bad request", "the request target must be a path"));
    }
    auto q = target.find('?');
    request.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(req.body());
    request.peer_org = peer_org_;
    beast::error_code endpoint_error;
    auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(endpoint_error);
    if (!endpoint_error) request.remote_address = endpoint.address().to_string();
    parser_.reset();

    ++served_;
    auto self = shared_from_this();
    shared_->handler(std::move(request), [self](http::HttpResponse response) {
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response)]() mutable { self->send(std::move(response), false); });
    });
  }

  void reply_and_close(http::HttpResponse response) {
    parser_.reset();
    send(std::move(response), true);
  }

  void send(http::HttpResponse response, bool close_after) {
    response_.emplace();
    response_->version(11);
    response_->result(static_cast<bhttp::status>(response.status));
    response_->set(bhttp::field::server, "signalnode");
    response_->set(bhttp::field::content_type, response.content_type);
    response_->set(bhttp::field::cache_control, "no-store");
    response_->set("X-Content-Type-Options", "nosniff");
    response_->set(bhttp::field::strict_transport_security, "max-age=31536000");
    response_->set("Referrer-Policy", "no-referrer");
    for (auto& [k, v] : response.headers) response_->set(k, v);
    // Also on what the listener answers itself (431, 413, 400, 503 while
    // draining), which no router finished: every answer says its version.
    response_->set(http::kApiVersionHeader, http::api_version());
    response_->body() = std::move(response.body);
    close_after_ = close_after || !keep_alive_ || shared_->draining.load();
    response_->keep_alive(!close_after_);
    response_->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(shared_->limits.request_timeout);
    bhttp::async_write(stream_, *response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->response_.reset();
      self->last_activity_ = std::chrono::steady_clock::now();
      if (ec || self->close_after_) return self->close();
      self->wait_for_request();
    });
  }

  void close() {
    leave_open();
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  std::string address_;  // the client's, for admission
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<Shared> shared_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> response_;
  bool keep_alive_ = true;
  bool close_after_ = false;
  bool authenticated_ = false;  // the peer's certificate is a partner's (mTLS)
  std::size_t served_ = 0;      // requests answered on this connection
  std::string peer_org_;
  asio::steady_timer drain_timer_;
  std::chrono::steady_clock::time_point last_activity_{};  // handshake done or answer sent
  bool waiting_ = false;         // waiting for the first byte of a request
  bool begun_draining_ = false;  // the request being read began after the drain began
  bool counted_open_ = true;     // counted in shared_->open
};

}  // namespace

struct HttpsServer::Impl {
  Impl(const TlsIdentity& identity, ServerLimits limits, http::HttpHandler handler, http::Metrics& metrics,
       std::optional<ClientAuth> client_auth)
      : ctx(ssl::context::tls_server),
        shared(std::make_shared<Shared>(limits, std::move(handler), metrics,
                                        client_auth ? client_auth->authorize : PeerAuthorizer{})),
        acceptor(ioc) {
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_3_VERSION);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    ctx.use_certificate_chain(asio::buffer(identity.certificate_chain_pem));
    ctx.use_private_key(asio::buffer(identity.private_key_pem.data(), identity.private_key_pem.size()),
                        ssl::context::pem);
    if (client_auth) {
      ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
      ctx.add_certificate_authority(asio::buffer(client_auth->trust_anchors_pem));
    }
  }

  void accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) {
        beast::error_code ignored;
        auto remote = socket.remote_endpoint(ignored);
        std::string address = ignored ? std::string("unknown") : remote.address().to_string();
        const char* refused = nullptr;
        if (shared->connections.fetch_add(1) >= shared->limits.max_connections) {
          refused = "the connection limit is reached";
        } else {
          refused = shared->admit(address);
        }
        if (refused) {
          shared->connections.fetch_sub(1);
          shared->metrics.count_rejected_connection();
          socket.close(ignored);
        } else {
          // Small responses must not wait for Nagle and the peer's delayed ACK.
          socket.set_option(tcp::no_delay(true), ignored);
          std::make_shared<Session>(std::move(socket), ctx, shared, std::move(address))->run();
        }
      }
      accept();
    });
  }

  // Declared so that the io_context (and the sessions it owns) goes before the
  // TLS context the sessions refer to.
  ssl::context ctx;
  std::shared_ptr<Shared> shared;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  // Keeps the I/O threads running while nothing is pending on a socket: in a
  // drain, with the acceptor closed, requests being handled wait outside Asio
  // (for a commit) and their answers must still find a thread.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
};

HttpsServer::HttpsServer(const TlsIdentity& identity, ServerLimits limits, http::HttpHandler handler,
                         http::Metrics& metrics, std::optional<ClientAuth> client_auth)
    : impl_(std::make_unique<Impl>(identity, limits, std::move(handler), metrics, std::move(client_auth))) {}

HttpsServer::~HttpsServer() { stop(); }

std::uint16_t HttpsServer::listen(const std::string& address, std::uint16_t port) {
  tcp::endpoint endpoint(asio::ip::make_address(address), port);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  return impl_->acceptor.local_endpoint().port();
}

void HttpsServer::start(int threads) {
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->accept();
  for (int i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([this] {
      if (impl_->shared->limits.on_io_thread_start) impl_->shared->limits.on_io_thread_start();
      for (;;) {
        try {
          impl_->ioc.run();
          return;
        } catch (const std::exception& e) {
          log::error("http.io_thread_error", {{"error", e.what()}});
        }
      }
    });
  }
}

void HttpsServer::begin_drain() {
  if (!impl_) return;
  impl_->shared->draining = true;
  asio::post(impl_->ioc, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(impl_->shared->sessions_mutex);
    for (auto& [raw, weak] : impl_->shared->sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->drain();
}

bool HttpsServer::wait_drained(std::chrono::steady_clock::time_point deadline) {
  if (!impl_) return true;
  while (impl_->shared->open.load() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::size_t HttpsServer::open_connections() const { return impl_ ? impl_->shared->open.load() : 0; }

void HttpsServer::stop() {
  if (!impl_) return;
  asio::post(impl_->ioc, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
}

}  // namespace signalnode::node::net
