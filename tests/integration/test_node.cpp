#include "test_node.hpp"

#include <boost/json.hpp>

#include "crypto/random.hpp"
#include "node/config/node_init.hpp"

namespace signalnode::testing {
namespace fs = std::filesystem;

TestNode::TestNode(const std::string& org, int request_timeout_seconds, bool pseudonymisation_authority,
                   int login_attempts_per_minute) {
  crypto::init();
  dir_ = fs::temp_directory_path() / ("sn-node-" + crypto::random_hex_id(6));
  node::config::NodeConfig cfg;
  cfg.org = org;
  cfg.role = pseudonymisation_authority ? "pseudonymisation_authority" : "municipality";
  cfg.oin = "00000001002220647000";
  cfg.api.port = 0;
  cfg.api.header_timeout_seconds = request_timeout_seconds;
  cfg.api.idle_timeout_seconds = request_timeout_seconds;
  cfg.api.max_connections = 64;
  cfg.api.login_attempts_per_minute = login_attempts_per_minute;
  // A suite that logs in many times from 127.0.0.1 is one address for many
  // people, like a node behind a proxy: no wait per address there.
  if (login_attempts_per_minute > 100) cfg.api.login_failures_per_address = 0;
  cfg.pseudonymisation_authority = pseudonymisation_authority;
  cfg.pa.elements_per_minute = 1000;  // the smallest budget: a test reaches it with one batch
  node::config::init_node({dir_}, cfg);
  app_ = std::make_unique<node::app::NodeApp>(node::app::NodeOptions{dir_, 0});
  for (const char* role : {"officer", "analyst", "privacy_officer", "admin", "metrics"}) {
    tokens_[role] = app_->tokens().create(*node::auth::role_from_string(role), std::string(role) + " test",
                                          std::nullopt, 0);
  }
  port_ = app_->start();
  client_ = client();
}

TestNode::~TestNode() {
  client_.reset();
  app_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void TestNode::restart() {
  client_.reset();
  app_.reset();
  app_ = std::make_unique<node::app::NodeApp>(node::app::NodeOptions{dir_, 0});
  port_ = app_->start();
  client_ = client();
}

std::string TestNode::certificate_pem() const {
  return node::net::read_text_file(node::config::NodePaths{dir_}.api_cert());
}

std::unique_ptr<node::net::HttpsClient> TestNode::client() const {
  node::net::ClientOptions options;
  options.trust_anchors_pem = certificate_pem();
  options.timeout = std::chrono::seconds(10);
  return std::make_unique<node::net::HttpsClient>("127.0.0.1", port_, std::move(options));
}

node::http::HttpResponse TestNode::call(const std::string& method, const std::string& target, const std::string& body,
                                       const std::string& role) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!role.empty()) headers.emplace_back("Authorization", "Bearer " + tokens_.at(role));
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return client_->request(method, target, body, headers);
}

std::int64_t TestNode::stored_signals() {
  auto r = call("GET", "/api/v1/signals?limit=500");
  return static_cast<std::int64_t>(boost::json::parse(r.body).at("items").as_array().size());
}

}  // namespace signalnode::testing
