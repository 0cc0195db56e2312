#include "node/federation/configuration_sync.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>

#include "crypto/secret_file.hpp"
#include "node/federation/federation.hpp"
#include "node/log/log.hpp"
#include "node/net/https_client.hpp"
#include "node/net/tls_identity.hpp"

namespace signalnode::node::federation {

namespace fs = std::filesystem;

std::vector<SignedConfiguration> ConfigurationFolder::load() const {
  std::vector<SignedConfiguration> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".json") || name == "incoming.json") continue;
    const std::string stem = name.substr(0, name.size() - 5);
    std::int64_t v = 0;
    auto [end, err] = std::from_chars(stem.data(), stem.data() + stem.size(), v);
    if (err != std::errc() || end != stem.data() + stem.size()) continue;
    try {
      out.push_back(parse_configuration(net::read_text_file(entry.path(), kMaxConfigurationBytes + 1)));
    } catch (const std::exception& e) {
      throw std::runtime_error(entry.path().string() + ": " + e.what());
    }
    if (out.back().version != v) throw std::runtime_error(entry.path().string() + ": holds version " + std::to_string(out.back().version));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  return out;
}

std::int64_t ConfigurationFolder::applied_version() const {
  std::error_code ec;
  if (!fs::exists(applied(), ec)) return 0;
  std::string text = net::read_text_file(applied(), 64);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::int64_t v = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (err != std::errc() || end != text.data() + text.size() || v < 0) throw std::runtime_error(applied().string() + ": not a version number");
  return v;
}

ConfigurationSync::ConfigurationSync(Federation& federation, ConfigurationFolder folder, std::string self_org,
                                     Reporter report)
    : federation_(federation), folder_(std::move(folder)), self_(std::move(self_org)), report_(std::move(report)) {
  fs::create_directories(folder_.dir);
  accepted_ = folder_.load();
  for (const auto& d : accepted_) accepted_json_.push_back(d.to_json());
  applied_ = folder_.applied_version();
}

std::optional<std::string> ConfigurationSync::serve(std::optional<std::int64_t> after) const {
  std::lock_guard lock(mutex_);
  if (accepted_.empty()) return std::nullopt;
  if (!after) return accepted_json_.back();
  for (std::size_t i = 0; i < accepted_.size(); ++i) {
    if (accepted_[i].version > *after) return accepted_json_[i];
  }
  return std::nullopt;
}

void ConfigurationSync::refused(const std::string& source, const std::optional<SignedConfiguration>& doc,
                                const ConfigurationRefusal& r) {
  ConfigurationReport report;
  report.what = ConfigurationReport::What::refused;
  report.source = source;
  report.refusal = r;
  if (doc) {
    report.version = doc->version;
    report.sha256 = crypto::to_hex(doc->sha256());
    report.effective_from = doc->effective_from;
  }
  // Once per document (or per kind of garbage) and source: a partner that
  // keeps offering the same thing is not reported every round.
  std::string key = source + "|" + (doc ? report.sha256 : std::string(refusal_code(r.kind)) + r.field);
  {
    std::lock_guard lock(mutex_);
    last_refusal_ = report;
    // Bounded: a partner offering ever new garbage is reported again after 4096 of them.
    if (refused_seen_.size() >= 4096) refused_seen_.clear();
    if (!refused_seen_.insert(key).second) return;
  }
  log::warn("configuration.refused", {{"source", source}, {"version", report.version}, {"reason", refusal_code(r.kind)},
                                      {"error", r.en}});
  if (report_) report_(report);
}

ConfigurationSync::Outcome ConfigurationSync::consider(std::string_view json, const std::string& source) {
  std::optional<SignedConfiguration> doc;
  try {
    doc = parse_configuration(json);
    std::optional<SignedConfiguration> head;
    {
      std::lock_guard lock(mutex_);
      for (const auto& a : accepted_) {
        if (a.sha256() == doc->sha256()) return Outcome::known;
      }
      if (!accepted_.empty()) head = accepted_.back();
    }
    if (!head && source != "local") {
      throw ConfigurationError({ConfigurationRefusal::Kind::does_not_chain, "previousSha256",
                                "deze node heeft nog geen ondertekende configuratie: de eerste installeert de beheerder",
                                "this node holds no signed configuration yet: its admin installs the first"});
    }
    verify_configuration(*doc, head ? &*head : nullptr, self_);
    std::string text = doc->to_json();
    {
      std::lock_guard lock(mutex_);
      // Another thread may have accepted one meanwhile: only a successor of the newest is kept.
      if (!accepted_.empty() && (!head || accepted_.back().version != head->version)) return Outcome::known;
      crypto::write_file_atomically(folder_.version_file(doc->version), text);
      accepted_.push_back(*doc);
      accepted_json_.push_back(std::move(text));
    }
  } catch (const ConfigurationError& e) {
    refused(source, doc, e.refusal);
    return Outcome::refused;
  }
  log::info("configuration.accepted", {{"source", source}, {"version", doc->version}, {"effectiveFrom", doc->effective_from}});
  if (report_) {
    report_({ConfigurationReport::What::accepted, source, doc->version, crypto::to_hex(doc->sha256()),
             doc->effective_from, std::nullopt});
  }
  return Outcome::accepted;
}

bool ConfigurationSync::take_published() {
  std::error_code ec;
  if (!fs::exists(folder_.incoming(), ec)) return false;
  std::string text;
  try {
    text = net::read_text_file(folder_.incoming(), kMaxConfigurationBytes + 1);
  } catch (const std::exception& e) {
    refused("local", std::nullopt, {ConfigurationRefusal::Kind::malformed, "document",
                                     "het gepubliceerde bestand is niet te lezen", e.what()});
    fs::remove(folder_.incoming(), ec);
    return false;
  }
  fs::remove(folder_.incoming(), ec);
  return consider(text, "local") == Outcome::accepted;
}

int ConfigurationSync::fetch_round(std::size_t partners) {
  std::int64_t head = 0;
  {
    std::lock_guard lock(mutex_);
    if (accepted_.empty()) return 0;  // nothing to verify against: the admin installs a first version
    head = accepted_.back().version;
  }
  auto manifest = federation_.manifest();
  std::vector<const Partner*> others;
  for (const auto& p : manifest->partners) {
    if (p.org != self_) others.push_back(&p);
  }
  if (others.empty()) return 0;
  int accepted = 0;
  for (std::size_t asked = 0; asked < std::min(partners, others.size()); ++asked) {
    const Partner& partner = *others[cursor_++ % others.size()];
    try {
      auto client = federation_.client_for(partner, kMaxConfigurationBytes + 64 * 1024);
      // One link of the chain per call; a partner far ahead is followed up to 16 links a round.
      for (int link = 0; link < 16; ++link) {
        auto response = client->request("GET", std::string(kConfigurationPath) + "?after=" + std::to_string(head), {},
                                        {{"traceparent", net::new_traceparent()}});
        if (response.status == 204 || response.status == 404) break;
        if (response.status != 200) {
          log::warn("configuration.fetch_failed", {{"partner", partner.org}, {"status", response.status}});
          break;
        }
        if (consider(response.body, partner.org) != Outcome::accepted) break;
        ++accepted;
        std::lock_guard lock(mutex_);
        head = accepted_.back().version;
      }
    } catch (const std::exception& e) {
      log::warn("configuration.fetch_failed", {{"partner", partner.org}, {"error", e.what()}});
    }
    if (accepted > 0) break;
  }
  return accepted;
}

bool ConfigurationSync::apply_due(std::int64_t now_ms) {
  std::optional<SignedConfiguration> due;
  {
    std::lock_guard lock(mutex_);
    for (const auto& d : accepted_) {
      if (d.version > applied_ && d.effective_from_ms <= now_ms) due = d;
    }
  }
  if (!due) return false;
  try {
    federation_.apply_configuration(due->manifest, due->covenant);
  } catch (const std::exception& e) {
    // Verified when it came in; the node's own files are what failed (a disk, a race): tried again next pass.
    log::error("configuration.apply_failed", {{"version", due->version}, {"error", e.what()}});
    return false;
  }
  crypto::write_file_atomically(folder_.applied(), std::to_string(due->version) + "\n");
  {
    std::lock_guard lock(mutex_);
    applied_ = due->version;
  }
  log::info("configuration.applied", {{"version", due->version}, {"sha256", crypto::to_hex(due->sha256())}});
  if (report_) {
    report_({ConfigurationReport::What::applied, "local", due->version, crypto::to_hex(due->sha256()),
             due->effective_from, std::nullopt});
  }
  return true;
}

ConfigurationStatus ConfigurationSync::status(std::int64_t) const {
  std::lock_guard lock(mutex_);
  ConfigurationStatus s;
  for (const auto& d : accepted_) {
    if (d.version == applied_) s.in_force = d;
    if (d.version > applied_) s.pending.push_back(d);
  }
  s.last_refusal = last_refusal_;
  return s;
}

}  // namespace signalnode::node::federation
