// An in-process node on a free loopback port, with one token per role and an
// HTTPS client that trusts its certificate. Shared by the integration tests.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "node/app/node_app.hpp"
#include "node/net/https_client.hpp"

namespace signalnode::testing {

class TestNode {
 public:
  explicit TestNode(const std::string& org = "gemeente-aalsmeer", int request_timeout_seconds = 10,
                    bool pseudonymisation_authority = false, int login_attempts_per_minute = 10);
  ~TestNode();

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::string& token(const std::string& role) { return tokens_.at(role); }
  node::app::NodeApp& app() { return *app_; }
  std::string certificate_pem() const;

  std::unique_ptr<node::net::HttpsClient> client() const;
  // One request with the role's token (empty role: no token).
  node::http::HttpResponse call(const std::string& method, const std::string& target, const std::string& body = {},
                               const std::string& role = "officer");
  std::int64_t stored_signals();
  // Stops the node (a draining stop) and starts a new one on the same
  // directory and tokens, as after a restart; the port changes.
  void restart();

 private:
  std::filesystem::path dir_;
  std::unique_ptr<node::app::NodeApp> app_;
  std::uint16_t port_ = 0;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<node::net::HttpsClient> client_;
};

}  // namespace signalnode::testing
