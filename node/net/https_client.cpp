#include "node/net/https_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <stdexcept>
#include <thread>
#include <mutex>
#include <condition_variable>

#include "crypto/random.hpp"

namespace signalnode::node::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;

// A system_error (its code decides whether a stale connection is retried)
// whose message is the plain one: Boost's what() appends its source file and
// line, which an officer would otherwise read as the reason a record waits.
class PlainSystemError : public boost::system::system_error {
 public:
  PlainSystemError(boost::system::error_code ec, std::string message)
      : boost::system::system_error(ec), message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};
using tcp = asio::ip::tcp;

std::string new_traceparent() {
  return "00-" + crypto::random_hex_id(16) + "-" + crypto::random_hex_id(8) + "-01";
}

struct HttpsClient::Impl {
  Impl(std::string h, std::uint16_t p, ClientOptions o)
      : host(std::move(h)), port(p), options(std::move(o)), ctx(ssl::context::tls_client) {
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_3_VERSION);
    ctx.set_verify_mode(ssl::verify_peer);
    ctx.add_certificate_authority(asio::buffer(options.trust_anchors_pem));
    if (options.client_identity) {
      ctx.use_certificate_chain(asio::buffer(options.client_identity->certificate_chain_pem));
      ctx.use_private_key(asio::buffer(options.client_identity->private_key_pem.data(),
                                       options.client_identity->private_key_pem.size()),
                          ssl::context::pem);
    }
  }

  // Runs one asynchronous operation to its completion handler. The operation
  // itself is bounded by the stream's expiry timer (or, for name resolution,
  // by `deadline`); the stop flag is looked at every 100 ms and closes the
  // socket, which completes the operation with operation_aborted.
  template <typename Start>
  beast::error_code run(Start&& start, std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt,
                        const std::function<void()>& abort = {}) {
    std::optional<beast::error_code> result;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    bool aborted = false;
    while (!result) {
      ioc.run_one_for(std::chrono::milliseconds(100));
      if (result || aborted) continue;
      bool late = deadline && std::chrono::steady_clock::now() >= *deadline;
      if (late || stopping()) {
        aborted = true;
        stopped_by_flag = !late;
        timed_out = late;
        if (abort) abort();
        if (stream) {
          beast::error_code ignored;
          beast::get_lowest_layer(*stream).socket().close(ignored);
        }
      }
    }
    if (*result == beast::error::timeout) timed_out = true;
    return *result;
  }

  bool stopping() const { return options.stop && options.stop->load(); }

  [[noreturn]] void fail(const char* stage, beast::error_code ec) {
    std::string where = std::string(stage) + " " + host + ":" + std::to_string(port);
    if (stopped_by_flag) throw std::runtime_error(where + ": the node is stopping");
    if (timed_out) throw std::runtime_error(where + ": timed out");
    throw PlainSystemError(ec, where + ": " + ec.message());
  }

  // A host name, looked up on a thread of its own: getaddrinfo cannot be
  // cancelled, so an Asio resolve would hold this call past its deadline when
  // DNS hangs. Here the call gives up at the deadline (or the stop flag) and
  // the lookup thread finishes alone, holding only its own state.
  std::vector<tcp::endpoint> resolve_by(std::chrono::steady_clock::time_point deadline) {
    struct Lookup {
      std::mutex mutex;
      std::condition_variable done_cv;
      bool done = false;
      boost::system::error_code error;
      std::vector<tcp::endpoint> endpoints;
    };
    auto lookup = std::make_shared<Lookup>();
    std::thread([lookup, h = host, service = std::to_string(port)] {
      asio::io_context own;
      tcp::resolver resolver(own);
      boost::system::error_code ec;
      auto results = resolver.resolve(h, service, ec);
      std::lock_guard lock(lookup->mutex);
      for (const auto& entry : results) lookup->endpoints.push_back(entry.endpoint());
      lookup->error = ec;
      lookup->done = true;
      lookup->done_cv.notify_one();
    }).detach();
    std::unique_lock lock(lookup->mutex);
    while (!lookup->done) {
      if (stopping()) {
        stopped_by_flag = true;
        fail("resolving", asio::error::operation_aborted);
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        timed_out = true;
        fail("resolving", asio::error::timed_out);
      }
      lookup->done_cv.wait_for(lock, std::chrono::milliseconds(100));
    }
    if (lookup->error) fail("resolving", lookup->error);
    return std::move(lookup->endpoints);
  }

  void connect() {
    stopped_by_flag = timed_out = false;
    if (stopping()) throw std::runtime_error("the node is stopping");
    auto deadline = std::chrono::steady_clock::now() + options.connect_timeout;
    boost::system::error_code addr_ec;
    auto address = asio::ip::make_address(host, addr_ec);
    // An address needs no lookup (and no lookup thread: measured, a thread
    // per new connection cost +45% per mTLS handshake under load).
    std::vector<tcp::endpoint> endpoints;
    if (addr_ec) {
      endpoints = resolve_by(deadline);
    } else {
      endpoints.emplace_back(address, port);
    }

    stream.emplace(ioc, ctx);
    SSL* ssl_handle = stream->native_handle();
    if (addr_ec) {
      // A host name: send SNI and check the certificate names it.
      SSL_set_tlsext_host_name(ssl_handle, host.c_str());
      SSL_set1_host(ssl_handle, host.c_str());
    } else {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), host.c_str());
    }
    auto& tcp_layer = beast::get_lowest_layer(*stream);
    tcp_layer.expires_at(deadline);  // connect and handshake share the deadline
    auto ec = run([&](auto done) { tcp_layer.async_connect(endpoints, done); });
    if (ec) {
      stream.reset();
      fail("connecting to", ec);
    }
    tcp_layer.socket().set_option(tcp::no_delay(true));
    ec = run([&](auto done) { stream->async_handshake(ssl::stream_base::client, done); });
    if (ec) {
      stream.reset();
      fail("TLS handshake with", ec);
    }
    tcp_layer.expires_never();
    if (options.check_server) {
      X509* cert = SSL_get0_peer_certificate(stream->native_handle());
      int len = cert ? i2d_X509(cert, nullptr) : 0;
      crypto::Bytes der(static_cast<std::size_t>(std::max(len, 0)));
      unsigned char* out = der.data();
      if (len <= 0 || i2d_X509(cert, &out) != len ||
          !options.check_server(crypto::certificate_identity_der(der))) {
        stream.reset();
        throw std::runtime_error("the server's certificate is not the one the manifest pins for " + host);
      }
    }
  }

  http::HttpResponse once(const std::string& method, const std::string& target, const std::string& body,
                         const std::vector<std::pair<std::string, std::string>>& headers) {
    stopped_by_flag = timed_out = false;
    if (stopping()) throw std::runtime_error("the node is stopping");
    bhttp::request<bhttp::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(bhttp::field::host, host);
    req.set(bhttp::field::user_agent, "signalnode");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || method == "POST" || method == "PUT") {
      req.body() = body;
      req.prepare_payload();
    }
    req.keep_alive(true);
    // One deadline for writing the request and reading the whole answer: a
    // peer that trickles its answer byte by byte is cut off too.
    beast::get_lowest_layer(*stream).expires_after(options.timeout);
    auto write_error = run([&](auto done) { bhttp::async_write(*stream, req, done); });
    // A server may answer early and close (413 for an oversize body): read
    // what it said before reporting the failed write, unless the write ran
    // out of time or was stopped.
    if (write_error && (timed_out || stopped_by_flag)) fail("sending to", write_error);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(options.max_response_bytes);
    auto read_error = run([&](auto done) { bhttp::async_read(*stream, buffer, parser, done); });
    if (read_error) fail(write_error ? "sending to" : "reading the answer of", write_error ? write_error : read_error);
    beast::get_lowest_layer(*stream).expires_never();
    auto& res = parser.get();
    http::HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.content_type = std::string(res[bhttp::field::content_type]);
    for (const auto& field : res) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    out.body = std::move(res.body());
    if (!res.keep_alive()) close();
    return out;
  }

  void close() {
    if (!stream) return;
    // A polite TLS close, bounded: a stalled peer does not hold us here, and
    // a stopping node does not wait for it at all.
    if (!stopping()) {
      beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(1));
      (void)run([&](auto done) { stream->async_shutdown(done); });
    }
    stream.reset();
    buffer.clear();
  }

  std::string host;
  std::uint16_t port;
  ClientOptions options;
  ssl::context ctx;
  asio::io_context ioc;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;
  bool stopped_by_flag = false;
  bool timed_out = false;
};

HttpsClient::HttpsClient(std::string host, std::uint16_t port, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(host), port, std::move(options))) {}

HttpsClient::~HttpsClient() {
  try {
    impl_->close();
  } catch (...) {
    // closing is best effort
  }
}

http::HttpResponse HttpsClient::request(const std::string& method, const std::string& target, const std::string& body,
                                       const std::vector<std::pair<std::string, std::string>>& headers) {
  bool reused = impl_->stream.has_value();
  auto forget_connection = [this] {
    impl_->stream.reset();
    impl_->buffer.clear();
  };
  try {
    if (!impl_->stream) impl_->connect();
    return impl_->once(method, target, body, headers);
  } catch (const boost::system::system_error& e) {
    forget_connection();
    // A kept-alive connection the server has since closed: one fresh attempt.
    if (reused && (e.code() == bhttp::error::end_of_stream || e.code() == asio::error::connection_reset ||
                   e.code() == asio::ssl::error::stream_truncated || e.code() == asio::error::broken_pipe)) {
      try {
        impl_->connect();
        return impl_->once(method, target, body, headers);
      } catch (const std::exception& retry) {
        forget_connection();
        throw std::runtime_error(std::string("HTTPS request failed: ") + retry.what());
      }
    }
    throw std::runtime_error(std::string("HTTPS request failed: ") + e.what());
  } catch (const std::exception& e) {
    forget_connection();  // timed out or stopped mid-exchange: the stream is unusable
    throw std::runtime_error(std::string("HTTPS request failed: ") + e.what());
  }
}

void HttpsClient::close() { impl_->close(); }

}  // namespace signalnode::node::net
