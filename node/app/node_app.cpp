#include "node/app/node_app.hpp"

#include "crypto/aead.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/secret_file.hpp"
#include "node/log/log.hpp"
#include "node/net/https_server.hpp"
#include "node/storage/schema.hpp"

namespace signalnode::node::app {

struct NodeApp::Impl {
  explicit Impl(NodeOptions o)
      : options(std::move(o)),
        paths{options.dir},
        cfg(config::load_config(paths)),
        data_key(crypto::aead_key_from(crypto::read_secret_file(paths.data_key(), crypto::kAeadKeyBytes).view())),
        signing_key(crypto::SigningKey::from_secret(crypto::read_secret_file(paths.signing_key(), 64).view())),
        store(std::make_unique<storage::Store>(paths.database(), storage::node_migrations())),
        signals(*store, data_key),
        tokens(*store),
        router(metrics, [this](std::string_view token) {
          return tokens.authenticate(token, api::epoch_ms(options.clock()));
        }),
        services{policies::Taxonomy::builtin(), signals, *store, metrics, options.clock, cfg.org, cfg.role} {
    api::add_signal_routes(router, services);
    api::add_system_routes(router, services);
    metrics.add_gauge("signalnode_signals_stored", "Own signals in the node database.", [this] {
      return std::vector<std::pair<std::string, double>>{{"", static_cast<double>(signals.count())}};
    });
  }

  NodeOptions options;
  config::NodePaths paths;
  config::NodeConfig cfg;
  crypto::AeadKey data_key;
  crypto::SigningKey signing_key;
  std::unique_ptr<storage::Store> store;
  signals::SignalRepository signals;
  auth::TokenStore tokens;
  api::Metrics metrics;
  api::Router router;
  api::ApiServices services;
  std::unique_ptr<net::HttpsServer> server;
};

NodeApp::NodeApp(NodeOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

NodeApp::~NodeApp() { stop(); }

std::uint16_t NodeApp::start() {
  const auto& api_cfg = impl_->cfg.api;
  net::ServerLimits limits;
  limits.max_connections = api_cfg.max_connections;
  limits.request_timeout = std::chrono::seconds(api_cfg.header_timeout_seconds);
  limits.handshake_timeout = std::chrono::seconds(api_cfg.header_timeout_seconds);
  limits.idle_timeout = std::chrono::seconds(api_cfg.idle_timeout_seconds);
  auto identity = net::TlsIdentity::load(impl_->paths.api_cert(), impl_->paths.api_key());
  impl_->server = std::make_unique<net::HttpsServer>(identity, limits, impl_->router.as_handler(), impl_->metrics);
  std::uint16_t port = impl_->server->listen(api_cfg.listen, impl_->options.port.value_or(api_cfg.port));
  impl_->server->start(api_cfg.threads);
  log::info("node.started", {{"org", impl_->cfg.org}, {"role", impl_->cfg.role}, {"apiPort", port}});
  return port;
}

void NodeApp::stop() {
  if (!impl_ || !impl_->server) return;
  // Order matters: stop the I/O threads, then drain the writer (its
  // completions post to the still-existing I/O context), then free the server.
  impl_->server->stop();
  impl_->store.reset();
  impl_->server.reset();
  log::info("node.stopped", {{"org", impl_->cfg.org}});
}

const config::NodeConfig& NodeApp::config() const { return impl_->cfg; }
const config::NodePaths& NodeApp::paths() const { return impl_->paths; }
auth::TokenStore& NodeApp::tokens() { return impl_->tokens; }
api::Router& NodeApp::router() { return impl_->router; }

}  // namespace signalnode::node::app
