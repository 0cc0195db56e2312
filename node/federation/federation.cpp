#include "node/federation/federation.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>

#include "crypto/secret_file.hpp"
#include "node/log/log.hpp"
#include "node/net/https_server.hpp"

namespace signalnode::node::federation {

namespace {

bool pin_matches(const Partner& p, const crypto::CertificateIdentity& id) {
  bool pinned = (p.certificate_sha256 && *p.certificate_sha256 == id.certificate_sha256) ||
                (p.public_key_sha256 && *p.public_key_sha256 == id.public_key_sha256);
  return pinned && id.subject_serial == p.oin;
}

// One PA share holder reached over mTLS. Calls from the pseudonym worker and
// from subject access may overlap: the kept connection serves one at a time,
// and a call that finds it busy opens its own.
class HttpsShareHolder : public pseudonyms::ShareHolder {
 public:
  HttpsShareHolder(const Federation& federation, Partner holder)
      : federation_(federation), holder_(std::move(holder)) {}
  const std::string& name() const override { return holder_.org; }
  crypto::threshold::ShareIndex index() const override { return holder_.share ? holder_.share->index : 0; }

  pseudonyms::ShareAnswer evaluate(std::span<const crypto::threshold::Element> blinded) override {
    std::unique_lock lock(mutex_, std::try_to_lock);
    std::unique_ptr<net::HttpsClient> own;
    std::unique_ptr<net::HttpsClient>& client = lock.owns_lock() ? kept_ : own;
    if (!client) client = federation_.client_for(holder_);
    http::HttpResponse response;
    try {
      response = client->request("POST", std::string(kEvaluatePath), pseudonyms::pa_request_json(blinded),
                                 {{"Content-Type", "application/json"}, {"traceparent", net::new_traceparent()}});
    } catch (const std::exception& e) {
      client.reset();
      throw pseudonyms::TransportError(std::string("unreachable: ") + e.what());
    }
    if (response.status == 429) {
      // The holder's hint, as whole seconds within [1, 86400]; anything else
      // (a date, inf, nan, garbage) counts as 1.
      double retry = 1;
      for (const auto& [k, v] : response.headers) {
        if (k != "Retry-After") continue;
        long seconds = 0;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
        if (ec == std::errc() && end == v.data() + v.size()) retry = static_cast<double>(std::clamp(seconds, 1L, 86400L));
      }
      throw pseudonyms::TransportError("refused this node for its budget or rate (HTTP 429)", retry);
    }
    if (response.status != 200) throw pseudonyms::TransportError("answered HTTP " + std::to_string(response.status));
    auto answer = pseudonyms::parse_pa_answer(response.body, blinded.size());
    if (!answer) throw pseudonyms::TransportError("answered with a malformed body");
    if (!answer->proof || !answer->share_index) throw pseudonyms::TransportError("answered without a proof (BRIEF 3.8)");
    return {*answer->share_index, answer->key_epoch, std::move(answer->evaluated), *answer->proof};
  }

 private:
  const Federation& federation_;
  Partner holder_;
  std::mutex mutex_;
  std::unique_ptr<net::HttpsClient> kept_;
};

}  // namespace

struct Federation::Listener {
  std::unique_ptr<net::HttpsServer> server;
};

Federation::Federation(const config::NodeConfig& cfg, const config::NodePaths& paths, http::Metrics& metrics)
    : cfg_(cfg), paths_(paths), metrics_(metrics) {
  trust_anchors_pem_ = net::read_text_file(paths_.resolve(cfg_.federation.ca_cert));
  auto path = paths_.resolve(cfg_.federation.manifest);
  auto m = std::make_shared<Manifest>(load_manifest(path));
  if (!m->find(cfg_.org)) throw ManifestError(path.string() + ": this node (" + cfg_.org + ") is not in the manifest");
  manifest_mtime_ = std::filesystem::last_write_time(path);
  policy_mtime_ = std::filesystem::last_write_time(paths_.resolve(cfg_.federation.policy));
  policy_ = load_policy(*m);
  log::info("policy.loaded", {{"sha256", policy_->sha256_hex()}, {"rules", policy_->rules().size()}});
  manifest_ = std::move(m);
  log::info("manifest.loaded", {{"sha256", crypto::to_hex(manifest_->sha256)}, {"partners", manifest_->partners.size()}});
}

Federation::~Federation() { stop(); }

policies::Party Federation::self() const {
  auto m = manifest();
  if (const Partner* me = m ? m->find(cfg_.org) : nullptr) return party_of(*me);
  return {cfg_.org, cfg_.role};
}

std::shared_ptr<const policies::Policy> Federation::policy() const {
  std::lock_guard lock(mutex_);
  return policy_;
}

std::shared_ptr<const Manifest> Federation::manifest() const {
  std::lock_guard lock(mutex_);
  return manifest_;
}

std::shared_ptr<policies::Policy> Federation::parse_policy(const Manifest& manifest, const std::string& text,
                                                           const std::string& source) const {
  std::vector<policies::Party> parties;
  for (const auto& p : manifest.partners) parties.push_back(party_of(p));
  try {
    return std::make_shared<policies::Policy>(
        policies::Policy::parse(text, source, policies::Taxonomy::builtin(), parties));
  } catch (const policies::PolicyError&) {
    throw;
  } catch (const std::exception& e) {
    throw policies::PolicyError(source + ": " + e.what());
  }
}

std::shared_ptr<policies::Policy> Federation::load_policy(const Manifest& manifest) const {
  auto policy_path = paths_.resolve(cfg_.federation.policy);
  std::string text;
  try {
    text = net::read_text_file(policy_path);
  } catch (const std::exception& e) {
    throw policies::PolicyError(policy_path.string() + ": " + e.what());
  }
  return parse_policy(manifest, text, policy_path.string());
}

void Federation::apply_configuration(const std::string& manifest_text, const std::string& covenant_text) {
  auto manifest_path = paths_.resolve(cfg_.federation.manifest);
  auto policy_path = paths_.resolve(cfg_.federation.policy);
  auto m = std::make_shared<Manifest>(parse_manifest(manifest_text, manifest_path.string()));
  if (!m->find(cfg_.org)) throw ManifestError(manifest_path.string() + ": this node (" + cfg_.org + ") is not in the manifest");
  auto p = parse_policy(*m, covenant_text, policy_path.string());
  // Both files whole or not at all; the mtimes are taken under the lock so
  // that reload_if_changed does not read them again.
  std::lock_guard lock(mutex_);
  crypto::write_file_atomically(manifest_path, manifest_text);
  crypto::write_file_atomically(policy_path, covenant_text);
  std::error_code ec;
  manifest_mtime_ = std::filesystem::last_write_time(manifest_path, ec);
  policy_mtime_ = std::filesystem::last_write_time(policy_path, ec);
  manifest_ = std::move(m);
  policy_ = std::move(p);
  log::info("manifest.loaded", {{"sha256", crypto::to_hex(manifest_->sha256)}, {"partners", manifest_->partners.size()}});
  log::info("policy.loaded", {{"sha256", policy_->sha256_hex()}, {"rules", policy_->rules().size()}});
}

bool Federation::reload_if_changed() {
  bool changed = false;
  auto policy_path = paths_.resolve(cfg_.federation.policy);
  std::error_code pec;
  auto policy_mtime = std::filesystem::last_write_time(policy_path, pec);
  bool policy_touched = false;
  {
    std::lock_guard lock(mutex_);
    if (!pec && policy_mtime != policy_mtime_) {
      policy_mtime_ = policy_mtime;
      policy_touched = true;
    }
  }
  if (policy_touched) {
    try {
      auto p = load_policy(*manifest());
      bool differs = false;
      {
        std::lock_guard lock(mutex_);
        differs = p->sha256() != policy_->sha256();
        if (differs) policy_ = p;
      }
      if (differs) {
        log::info("policy.loaded", {{"sha256", p->sha256_hex()}, {"rules", p->rules().size()}});
        changed = true;
      }
    } catch (const std::exception& e) {
      log::error("policy.rejected", {{"error", e.what()}, {"kept", policy()->sha256_hex()}});
    }
  }
  auto path = paths_.resolve(cfg_.federation.manifest);
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(path, ec);
  {
    std::lock_guard lock(mutex_);
    if (ec || mtime == manifest_mtime_) return changed;
    manifest_mtime_ = mtime;
  }
  try {
    auto m = std::make_shared<Manifest>(load_manifest(path));
    if (!m->find(cfg_.org)) throw ManifestError(path.string() + ": this node is not in the manifest");
    {
      std::lock_guard lock(mutex_);
      if (m->sha256 == manifest_->sha256) return changed;
      manifest_ = m;
    }
    log::info("manifest.loaded", {{"sha256", crypto::to_hex(m->sha256)}, {"partners", m->partners.size()}});
    return true;
  } catch (const std::exception& e) {
    log::error("manifest.rejected", {{"error", e.what()}, {"kept", crypto::to_hex(manifest()->sha256)}});
    return changed;
  }
}

std::uint16_t Federation::start(int threads, http::HttpHandler handler) {
  net::ServerLimits limits;
  limits.body_bytes = 8 * 1024 * 1024;
  limits.request_timeout = std::chrono::seconds(cfg_.federation.request_timeout_seconds);
  limits.handshake_timeout = std::chrono::seconds(5);
  limits.first_request_timeout = std::chrono::seconds(5);
  limits.max_connections = cfg_.federation.max_connections;
  limits.max_connections_per_address = cfg_.federation.max_connections_per_address;
  limits.max_unauthenticated = cfg_.federation.max_unauthenticated_connections;
  limits.on_io_thread_start = io_thread_start_;
  auto identity = net::TlsIdentity::load(paths_.resolve(cfg_.federation.tls_cert), paths_.resolve(cfg_.federation.tls_key));
  net::ClientAuth auth{trust_anchors_pem_, [this](const crypto::CertificateIdentity& id) -> std::optional<std::string> {
                         auto m = manifest();
                         const Partner* p = m->match_certificate(id.certificate_sha256, id.public_key_sha256,
                                                                 id.subject_serial);
                         if (!p) return std::nullopt;
                         return p->org;
                       }};
  listener_ = std::make_unique<Listener>();
  listener_->server = std::make_unique<net::HttpsServer>(identity, limits, std::move(handler), metrics_, std::move(auth));
  std::uint16_t port = listener_->server->listen(cfg_.federation.listen, cfg_.federation.port);
  listener_->server->start(threads);
  return port;
}

void Federation::stop() {
  if (listener_ && listener_->server) listener_->server->stop();
}

void Federation::begin_drain() {
  if (listener_ && listener_->server) listener_->server->begin_drain();
}

bool Federation::wait_drained(std::chrono::steady_clock::time_point deadline) {
  return !(listener_ && listener_->server) || listener_->server->wait_drained(deadline);
}

std::size_t Federation::open_connections() const {
  return listener_ && listener_->server ? listener_->server->open_connections() : 0;
}

std::unique_ptr<net::HttpsClient> Federation::client_for(const Partner& partner, std::size_t max_response_bytes) const {
  net::ClientOptions options;
  if (max_response_bytes) options.max_response_bytes = max_response_bytes;
  options.trust_anchors_pem = trust_anchors_pem_;
  options.client_identity =
      net::TlsIdentity::load(paths_.resolve(cfg_.federation.tls_cert), paths_.resolve(cfg_.federation.tls_key));
  options.timeout = std::chrono::seconds(cfg_.federation.request_timeout_seconds);
  options.connect_timeout = std::chrono::seconds(std::min(10, cfg_.federation.request_timeout_seconds));
  options.stop = stop_calls_;
  options.check_server = [partner](const crypto::CertificateIdentity& id) { return pin_matches(partner, id); };
  return std::make_unique<net::HttpsClient>(partner.host, partner.port, std::move(options));
}

std::shared_ptr<const pseudonyms::HolderSet> Federation::share_holders() {
  auto m = manifest();
  std::lock_guard lock(holders_mutex_);
  if (!holders_ || holders_manifest_ != m->sha256) {
    // Rebuilt when the manifest changes: other holders, pins or key epoch.
    auto set = std::make_shared<pseudonyms::HolderSet>();
    set->keys = m->pseudonymisation;
    for (const Partner* p : m->share_holders()) set->holders.push_back(std::make_shared<HttpsShareHolder>(*this, *p));
    holders_ = std::move(set);
    holders_manifest_ = m->sha256;
  }
  return holders_;
}

std::unique_ptr<pseudonyms::OprfTransport> Federation::pa_transport(pseudonyms::ThresholdTransport::FaultReport report) {
  return std::make_unique<pseudonyms::ThresholdTransport>([this] { return share_holders(); }, std::move(report));
}

}  // namespace signalnode::node::federation
