// This node's place in the federation: the manifest (reloaded when the file
// changes, the last good one kept), the mTLS listener for partners, and
// clients towards partners that check them against the same manifest.
#pragma once

#include <chrono>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "node/http/metrics.hpp"
#include "node/http/types.hpp"
#include "node/config/node_config.hpp"
#include "node/federation/manifest.hpp"
#include "node/federation/paths.hpp"
#include "node/net/https_client.hpp"
#include "node/pseudonyms/threshold_client.hpp"
#include "policies/policy.hpp"

namespace signalnode::node::federation {

class Federation {
 public:
  // Loads manifest and certificates; throws (with file and line) when invalid,
  // or when this node is not in its own manifest.
  Federation(const config::NodeConfig& cfg, const config::NodePaths& paths, http::Metrics& metrics);
  ~Federation();

  // The mTLS listener for partners, answering with `handler` (the federation
  // routes, node/api/federation_routes.hpp); returns its port.
  std::uint16_t start(int threads, http::HttpHandler handler);
  // Run first on each of the listener's I/O threads (see net::ServerLimits).
  void on_io_thread_start(std::function<void()> f) { io_thread_start_ = std::move(f); }
  void stop();
  // A draining stop of the listener (net::HttpsServer::begin_drain, wait_drained).
  void begin_drain();
  bool wait_drained(std::chrono::steady_clock::time_point deadline);
  std::size_t open_connections() const;
  // Ends every outgoing call under way (and refuses new ones) at once: the
  // node is stopping and will not wait for a stalled peer's deadline.
  void stop_calls() { stop_calls_->store(true); }

  std::shared_ptr<const Manifest> manifest() const;
  // The covenant in force (loaded with the manifest; refused if invalid).
  std::shared_ptr<const policies::Policy> policy() const;
  // This node as the covenant sees it (its area from its manifest entry).
  policies::Party self() const;
  // Re-reads the manifest and the policy when their files changed; an invalid
  // file is logged and the last good one stays in force. Returns true when a
  // new manifest or policy took effect.
  bool reload_if_changed();

  // An HTTPS client to a partner's federation endpoint: our certificate as
  // client identity, the federation CA as trust anchor, and the partner's pin
  // and OIN checked after the handshake.
  // `max_response_bytes` bounds what the partner may answer (0: the client's default).
  std::unique_ptr<net::HttpsClient> client_for(const Partner& partner, std::size_t max_response_bytes = 0) const;
  // Puts a signed configuration's manifest and covenant in force
  // (configuration_sync.hpp): both validated together (the covenant against
  // the new manifest's partners, this node listed), written over the
  // manifest and policy files, and swapped at once. Throws, changing nothing,
  // when either is invalid.
  void apply_configuration(const std::string& manifest_text, const std::string& covenant_text);
  // How this node reaches the PA: the manifest's share holders over mTLS,
  // t of them at once, every proof checked; `report` hears of each faulty one.
  std::unique_ptr<pseudonyms::OprfTransport> pa_transport(pseudonyms::ThresholdTransport::FaultReport report = {});
  // The manifest's key set and share holders (rebuilt when the manifest changes).
  std::shared_ptr<const pseudonyms::HolderSet> share_holders();

 private:
  const config::NodeConfig& cfg_;
  config::NodePaths paths_;
  http::Metrics& metrics_;
  std::string trust_anchors_pem_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Manifest> manifest_;
  std::shared_ptr<const policies::Policy> policy_;
  std::filesystem::file_time_type manifest_mtime_{};
  std::filesystem::file_time_type policy_mtime_{};
  std::shared_ptr<policies::Policy> load_policy(const Manifest& manifest) const;
  std::shared_ptr<policies::Policy> parse_policy(const Manifest& manifest, const std::string& text,
                                                 const std::string& source) const;
  struct Listener;
  std::unique_ptr<Listener> listener_;
  std::function<void()> io_thread_start_;
  std::mutex holders_mutex_;
  std::shared_ptr<const pseudonyms::HolderSet> holders_;
  crypto::Digest256 holders_manifest_{};
  std::shared_ptr<std::atomic<bool>> stop_calls_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace signalnode::node::federation
