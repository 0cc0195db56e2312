// How a node keeps the signed federation configuration (signed_configuration.hpp):
// the versions it accepted, kept in DIR/federation-configuration/ (each as
// <version>.json, verified against the one before when it came in); which
// of them is in force (the newest whose effective date passed, written into
// manifest.toml and policy.toml); fetching newer ones from partners, in turn;
// taking one an operator published (`signalnode federation config publish`
// drops it as incoming.json). A refused document changes nothing: the last
// good configuration stays, and the refusal is reported (audited and shown
// to the admin by the node, node_app.cpp). docs/federation.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "node/federation/signed_configuration.hpp"

namespace signalnode::node::federation {

class Federation;

inline constexpr std::string_view kConfigurationPath = "/federation/v1/configuration";

// The folder's layout, shared with the CLI (which reads it offline).
struct ConfigurationFolder {
  std::filesystem::path dir;  // NODE/federation-configuration
  static ConfigurationFolder of_node(const std::filesystem::path& node_dir) {
    return {node_dir / "federation-configuration"};
  }
  std::filesystem::path version_file(std::int64_t v) const { return dir / (std::to_string(v) + ".json"); }
  std::filesystem::path incoming() const { return dir / "incoming.json"; }
  std::filesystem::path applied() const { return dir / "applied"; }
  // Every accepted version, oldest first (each file parsed; a damaged one throws).
  std::vector<SignedConfiguration> load() const;
  // The version whose manifest and covenant are in force; 0 when none yet.
  std::int64_t applied_version() const;
};

struct ConfigurationReport {
  enum class What { accepted, applied, refused };
  What what = What::refused;
  std::string source;  // "local" (an operator) or the partner's org
  std::int64_t version = 0;
  std::string sha256;             // hex, when the document parsed
  std::string effective_from;
  std::optional<ConfigurationRefusal> refusal;
};

struct ConfigurationStatus {
  std::optional<SignedConfiguration> in_force;
  std::vector<SignedConfiguration> pending;  // accepted, effective later
  std::optional<ConfigurationReport> last_refusal;
};

class ConfigurationSync {
 public:
  using Reporter = std::function<void(const ConfigurationReport&)>;
  // Loads the folder (creating it). `report` hears of every acceptance,
  // application and (first) refusal of a document.
  ConfigurationSync(Federation& federation, ConfigurationFolder folder, std::string self_org, Reporter report);

  // What the federation route answers: the newest accepted version, or with
  // `after`, the oldest accepted version newer than it (so a node that fell
  // behind catches up one link of the chain at a time); nullopt: none.
  std::optional<std::string> serve(std::optional<std::int64_t> after) const;

  enum class Outcome { accepted, known, refused };
  // Verifies `json` against the newest accepted version (a first version is
  // taken only from `local`) and keeps it when good.
  Outcome consider(std::string_view json, const std::string& source);
  // An operator's incoming.json, if there: considered, then removed.
  bool take_published();
  // Asks up to `partners` partners in turn (the next ones each round) for
  // what follows the newest accepted version; returns how many were accepted.
  int fetch_round(std::size_t partners = 3);
  // Puts the newest accepted version whose effective date passed in force:
  // true when the manifest and covenant changed.
  bool apply_due(std::int64_t now_ms);

  ConfigurationStatus status(std::int64_t now_ms) const;

 private:
  void refused(const std::string& source, const std::optional<SignedConfiguration>& doc, const ConfigurationRefusal& r);

  Federation& federation_;
  ConfigurationFolder folder_;
  std::string self_;
  Reporter report_;
  mutable std::mutex mutex_;
  std::vector<SignedConfiguration> accepted_;  // oldest first
  std::vector<std::string> accepted_json_;
  std::int64_t applied_ = 0;
  std::set<std::string> refused_seen_;  // sha256 or reason: reported once each
  std::optional<ConfigurationReport> last_refusal_;
  std::size_t cursor_ = 0;
};

}  // namespace signalnode::node::federation
