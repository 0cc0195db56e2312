// One running node: its configuration, keys, database, API and listener,
// wired together. `signalnode serve` runs one; integration tests run several.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "node/api/node_api.hpp"
#include "node/auth/tokens.hpp"
#include "node/config/node_config.hpp"

namespace signalnode::node::app {

struct NodeOptions {
  std::filesystem::path dir;
  std::optional<std::uint16_t> port;  // overrides node.json (0: any free port)
  api::Clock clock = [] { return std::chrono::system_clock::now(); };
};

class NodeApp {
 public:
  explicit NodeApp(NodeOptions options);  // loads everything; throws with a clear message
  ~NodeApp();
  NodeApp(const NodeApp&) = delete;
  NodeApp& operator=(const NodeApp&) = delete;

  std::uint16_t start();  // binds and starts serving; returns the API port
  void stop();

  const config::NodeConfig& config() const;
  const config::NodePaths& paths() const;
  auth::TokenStore& tokens();
  api::Router& router();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signalnode::node::app
