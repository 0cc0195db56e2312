#include <boost/json.hpp>

#include <iostream>

#include "node/api/node_api.hpp"
#include "node/cli/commands.hpp"
#include "node/config/node_config.hpp"
#include "node/federation/manifest.hpp"
#include "node/net/tls_identity.hpp"
#include "node/sharing/explain.hpp"
#include "node/signals/signal_json.hpp"

namespace signalnode::node::cli {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

struct Loaded {
  config::NodeConfig cfg;
  federation::Manifest manifest;
  std::optional<policies::Policy> policy;
};

Loaded load(const fs::path& dir, const fs::path& policy_override) {
  config::NodePaths paths{dir};
  Loaded l{config::load_config(paths), {}, std::nullopt};
  if (!l.cfg.federation.enabled) throw std::runtime_error(l.cfg.org + " is not in a federation: no manifest, no policy");
  l.manifest = federation::load_manifest(paths.resolve(l.cfg.federation.manifest));
  std::vector<policies::Party> parties;
  for (const auto& p : l.manifest.partners) parties.push_back(federation::party_of(p));
  fs::path policy_path = policy_override.empty() ? paths.resolve(l.cfg.federation.policy) : policy_override;
  l.policy = policies::Policy::parse(net::read_text_file(policy_path), policy_path.string(),
                                     policies::Taxonomy::builtin(), parties);
  return l;
}

std::string text_of(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return json::serialize(v);
}

}  // namespace

int run_policy_explain(const fs::path& dir, const fs::path& signal_file, bool as_json) {
  Loaded l = load(dir, {});
  auto today = api::local_today(std::chrono::system_clock::now());
  auto parsed = signals::parse_signal(net::read_text_file(signal_file), policies::Taxonomy::builtin(), today);
  if (!parsed) {
    std::cerr << "signalnode: " << signal_file.string() << ": " << parsed.error().field << " " << parsed.error().reason
              << "\n";
    return 2;
  }
  auto signal = parsed.value();
  if (!signal.municipality && l.cfg.municipality) signal.municipality = *l.cfg.municipality;  // as submit does
  const federation::Partner* me = l.manifest.find(l.cfg.org);
  json::object out = sharing::explain(signal, *l.policy, l.manifest,
                                      me ? federation::party_of(*me) : policies::Party{l.cfg.org, l.cfg.role}, today);
  if (as_json) {
    std::cout << json::serialize(out) << std::endl;
    return 0;
  }
  std::cout << "Policy " << text_of(out.at("policy").at("name")) << " (sha256 " << text_of(out.at("policy").at("sha256"))
            << ")\nSignal " << parsed.value().category << " from " << l.cfg.org
            << ". Never shared: summary, names, plain identifiers, exact dates.\n";
  for (const auto& pv : out.at("partners").as_array()) {
    const auto& p = pv.as_object();
    std::cout << "\n" << text_of(p.at("org")) << " (" << text_of(p.at("role")) << "): ";
    if (!p.at("shared").as_bool()) {
      std::cout << "receives nothing: " << text_of(p.at("reason")) << "\n";
      continue;
    }
    std::cout << "receives a record under rule " << text_of(p.at("rule")) << "\n";
    if (const auto* area = p.if_contains("area")) {
      const std::string decision = text_of(area->at("decision"));
      std::cout << "  area:        " << text_of(area->at("municipality"))
                << (decision == "national" ? " (the recipient serves the whole country)\n" : " is in its area\n");
    }
    std::cout
              << "  legal basis: " << text_of(p.at("legalBasis")) << "\n"
              << "  purpose:     " << text_of(p.at("purpose")) << "\n"
              << "  kept:        " << text_of(p.at("retentionDays")) << " days\n  fields:     ";
    for (const auto& [k, v] : p.at("fields").as_object()) std::cout << " " << std::string(k) << "=" << text_of(v);
    std::cout << "\n  pseudonyms: ";
    for (const auto& s : p.at("pseudonyms").as_array()) {
      std::cout << " " << text_of(s.at("idKind")) << " (subject " << text_of(s.at("subject")) << ", " << text_of(s.at("kind")) << ")";
    }
    if (p.at("pseudonyms").as_array().empty()) std::cout << " none";
    std::cout << "\n  withheld:   ";
    for (const auto& s : p.at("withheld").as_array()) {
      std::cout << " " << text_of(s.at("idKind")) << " (subject " << text_of(s.at("subject")) << ")";
    }
    if (p.at("withheld").as_array().empty()) std::cout << " none";
    std::cout << "\n";
  }
  return 0;
}

int run_policy_check(const fs::path& dir, const fs::path& policy_file) {
  Loaded l = load(dir, policy_file);
  std::cout << "valid: " << l.policy->name() << ", " << l.policy->rules().size() << " rules, sha256 "
            << l.policy->sha256_hex() << "\n";
  return 0;
}

}  // namespace signalnode::node::cli
