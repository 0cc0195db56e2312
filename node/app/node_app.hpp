// One running node: its configuration, keys, database, API, listener and
// background workers, wired together. `signalnode serve` runs one; integration
// tests run several. A stopped NodeApp cannot be started again.
#pragma once

#include <atomic>

#include <filesystem>
#include <memory>
#include <optional>

#include "node/api/node_api.hpp"
#include "node/auth/tokens.hpp"
#include "node/config/node_config.hpp"
#include "node/pseudonyms/pa_service.hpp"
#include "node/pseudonyms/pseudonymiser.hpp"

namespace signalnode::node::federation {
class Federation;
class ConfigurationSync;
}
namespace signalnode::node::sharing {
class Sharing;
}
namespace signalnode::node::audit {
class AuditLog;
}

namespace signalnode::node::auth {
class UserStore;
}
namespace signalnode::node::notify {
class Notifier;
}

namespace signalnode::node::app {

struct NodeOptions {
  std::filesystem::path dir;
  std::optional<std::uint16_t> port;  // overrides node.json (0: any free port)
  api::Clock clock = [] { return std::chrono::system_clock::now(); };
  // How often partners are asked for a newer signed federation configuration.
  int configuration_fetch_seconds = 10;
};

class NodeApp {
 public:
  explicit NodeApp(NodeOptions options);  // loads everything; throws with a clear message
  ~NodeApp();
  NodeApp(const NodeApp&) = delete;
  NodeApp& operator=(const NodeApp&) = delete;

  std::uint16_t start();  // binds, starts serving and the workers; returns the API port
  // A draining stop within api.shutdownGraceSeconds; `hurry` set (a second
  // SIGTERM) ends the grace early.
  void stop(const std::atomic<bool>* hurry = nullptr);

  const config::NodeConfig& config() const;
  const config::NodePaths& paths() const;
  auth::TokenStore& tokens();
  auth::UserStore& users();
  api::Router& router();
  pseudonyms::Pseudonymiser& pseudonymiser();
  // Only on the pseudonymisation authority; nullptr elsewhere.
  pseudonyms::PaService* pa_service();
  // How this node reaches the PA; nullptr while it has no way (a non-PA node
  // before federation): identifiers then wait in the queue.
  pseudonyms::OprfTransport* oprf_transport();
  // Present when node.json has a "federation" block.
  federation::Federation* federation();
  std::uint16_t federation_port() const;  // 0 without federation
  // The signed federation configuration this node keeps; nullptr without federation.
  federation::ConfigurationSync* configuration();
  sharing::Sharing& sharing();
  audit::AuditLog& audit();
  // Mail and webhook notifications; nullptr before start().
  notify::Notifier* notifier();
  // Runs the pseudonym worker once now (tests; the worker also runs by itself).
  pseudonyms::PassResult pseudonymise_pending();
  // Runs the hourly retention task now (tests move the clock instead of waiting).
  void run_retention();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signalnode::node::app
