#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>

#include "crypto/ed25519.hpp"
#include "crypto/secret_file.hpp"
#include "crypto/x509.hpp"
#include "node/app/demo_federation.hpp"
#include "node/cli/commands.hpp"
#include "node/config/node_config.hpp"
#include "node/federation/configuration_sync.hpp"
#include "node/federation/manifest.hpp"
#include "node/federation/signed_configuration.hpp"
#include "node/net/tls_identity.hpp"
#include "node/pseudonyms/key_ceremony.hpp"

namespace signalnode::node::cli {
namespace fs = std::filesystem;

namespace {
fs::path self_exe() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw std::runtime_error("cannot find the signalnode binary (/proc/self/exe)");
  return fs::path(std::string(buf, static_cast<std::size_t>(n)));
}
}  // namespace

int run_demo_up(const fs::path& dir, std::uint16_t base_port, const std::string& smtp) {
  return app::demo_up(dir, base_port, self_exe(), smtp);
}

int run_demo_down(const fs::path& dir) { return app::demo_down(dir); }

int run_pki_ca(const fs::path& dir, const std::string& name) {
  app::create_ca(dir, name);
  std::cout << "CA: " << (dir / "ca.crt").string() << " (key " << (dir / "ca.key").string() << ", 0600)\n";
  return 0;
}

int run_pki_issue(const fs::path& ca_dir, const std::string& org, const std::string& oin,
                  const std::vector<std::string>& hosts, const fs::path& cert, const fs::path& key) {
  if (!config::is_valid_org(org) || !config::is_valid_oin(oin)) {
    std::cerr << "signalnode: --org must be 2-64 of a-z, 0-9 and -; --oin 20 digits\n";
    return 2;
  }
  crypto::CertificateSpec spec{org, org, oin, {}, {}, 825, false};
  for (const auto& h : hosts) {
    bool ip = h.find_first_not_of("0123456789.:abcdef") == std::string::npos && h.find_first_of(".:") != std::string::npos;
    (ip ? spec.ip_addresses : spec.dns_names).push_back(h);
  }
  auto ca_key = crypto::read_secret_file(ca_dir / "ca.key");
  auto issued = crypto::issue_certificate(spec, net::read_text_file(ca_dir / "ca.crt"), ca_key.chars());
  crypto::write_file_atomically(cert, issued.certificate_pem);
  crypto::write_secret_file(key, issued.private_key_pem.view());
  std::cout << "issued " << cert.string() << " for " << org << " (OIN " << oin << "), SHA-256 "
            << crypto::to_hex(crypto::certificate_fingerprint(issued.certificate_pem)) << "\n";
  return 0;
}

int run_manifest_entry(const fs::path& dir, const std::string& endpoint, const std::string& name) {
  config::NodePaths paths{dir};
  auto cfg = config::load_config(paths);
  federation::Manifest m;
  m.name = "entry";
  federation::Partner p;
  p.org = cfg.org;
  p.name = name.empty() ? cfg.org : name;
  p.role = cfg.role;
  p.oin = cfg.oin;
  std::string rest = endpoint.rfind("https://", 0) == 0 ? endpoint.substr(8) : "";
  auto colon = rest.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "signalnode: --endpoint must be https://host:port\n";
    return 2;
  }
  p.host = rest.substr(0, colon);
  p.port = static_cast<std::uint16_t>(std::stoi(rest.substr(colon + 1)));
  p.certificate_sha256 = crypto::certificate_fingerprint(net::read_text_file(paths.resolve(cfg.federation.tls_cert)));
  p.signing_key = crypto::SigningKey::from_secret(crypto::read_secret_file(paths.signing_key(), 64).view()).public_key();
  p.pseudonymisation_authority = cfg.pseudonymisation_authority;
  m.partners.push_back(p);
  std::string toml = federation::manifest_to_toml(m);
  std::cout << toml.substr(toml.find("[[partners]]"));
  return 0;
}

int run_pa_ceremony(const fs::path& out, std::size_t threshold, std::size_t holders, int epoch) {
  try {
    auto set = pseudonyms::run_key_ceremony(out, threshold, holders, epoch);
    std::cout << "epoch " << set.epoch << ": " << holders << " shares, any " << threshold << " evaluate; "
              << "the whole key was never written\n";
    for (const auto& s : set.shares) {
      std::cout << "  " << pseudonyms::share_file(out, s.index, epoch).string() << "  secret: to share holder "
                << s.index << " only\n";
    }
    std::cout << "  " << pseudonyms::public_key_set_file(out, epoch).string() << "  public: to every node"
              << std::endl;
    return 0;
  } catch (const std::invalid_argument& e) {
    std::cerr << "signalnode: " << e.what() << "\n";
    return 2;
  } catch (const std::runtime_error& e) {
    std::cerr << "signalnode: " << e.what() << "\n";
    return 1;
  }
}

int run_pa_publish(const fs::path& manifest_path, const fs::path& keys_path) {
  try {
    std::string error;
    auto keys = pseudonyms::parse_public_key_set(net::read_text_file(keys_path), error);
    if (!keys) {
      std::cerr << "signalnode: " << keys_path.string() << ": " << error << "\n";
      return 2;
    }
    auto updated = federation::with_key_set(federation::load_manifest(manifest_path), *keys);
    // Written whole or not at all; nodes reload it when the file changes.
    crypto::write_file_atomically(manifest_path, federation::manifest_to_toml(updated));
    std::cout << "manifest " << manifest_path.string() << ": key epoch " << keys->epoch << " in force, any "
              << keys->threshold << " of " << keys->shares.size() << " share holders; give every node this file"
              << std::endl;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "signalnode: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace signalnode::node::cli

// ---- The signed federation configuration (issue 22; docs/federation.md) ----

namespace signalnode::node::cli {

namespace {

federation::SignedConfiguration read_configuration(const fs::path& file) {
  return federation::parse_configuration(net::read_text_file(file, federation::kMaxConfigurationBytes + 1));
}

// The newest version a node accepted, if any.
std::optional<federation::SignedConfiguration> node_head(const fs::path& node_dir) {
  auto versions = federation::ConfigurationFolder::of_node(node_dir).load();
  if (versions.empty()) return std::nullopt;
  return versions.back();
}

int refused(const federation::ConfigurationError& e) {
  std::cerr << "signalnode: geweigerd / refused (" << federation::refusal_code(e.refusal.kind) << "):\n  "
            << e.refusal.nl << "\n  " << e.refusal.en << "\n";
  return 1;
}

void describe(const federation::SignedConfiguration& d) {
  std::cout << "versie / version " << d.version << ", geldt vanaf / effective from " << d.effective_from
            << ", SHA-256 " << crypto::to_hex(d.sha256()) << "\n  ondertekenaars / signers: " << d.threshold << " van / of "
            << d.signers.size() << " (";
  for (std::size_t i = 0; i < d.signers.size(); ++i) std::cout << (i ? ", " : "") << d.signers[i].name;
  std::cout << "), handtekeningen / signatures: " << d.signatures.size() << "\n";
}

}  // namespace

int run_config_keygen(const fs::path& key_file) {
  auto key = crypto::SigningKey::generate();
  crypto::write_secret_file(key_file, key.secret());
  std::cout << crypto::to_hex(key.public_key()) << "\n";
  std::cerr << "sleutel / key " << key_file.string() << " (0600); de publieke sleutel hierboven gaat in de lijst van "
            << "ondertekenaars / the public key above goes into the signer set\n";
  return 0;
}

int run_config_draft(const ConfigDraftArgs& a) {
  try {
    federation::SignedConfiguration d;
    std::optional<federation::SignedConfiguration> previous;
    if (!a.previous.empty()) previous = read_configuration(a.previous);
    d.version = a.version ? *a.version : (previous ? previous->version + 1 : 1);
    if (previous) d.previous_sha256 = previous->sha256();
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
    d.effective_from = a.effective_from.empty() ? federation::format_utc_timestamp(now.count() / 1000 * 1000) : a.effective_from;
    d.manifest = net::read_text_file(a.manifest, federation::kMaxConfigurationBytes);
    d.covenant = net::read_text_file(a.covenant, federation::kMaxConfigurationBytes);
    for (const auto& s : a.signers) {
      auto colon = s.find(':');
      auto key = colon == std::string::npos ? std::nullopt : crypto::from_hex(s.substr(colon + 1));
      if (!key || key->size() != 32) {
        std::cerr << "signalnode: --signer moet NAAM:SLEUTEL zijn (64 hexadecimale tekens) / must be NAME:KEY (64 hex)\n";
        return 2;
      }
      federation::ConfigurationSigner signer{s.substr(0, colon), {}};
      std::memcpy(signer.public_key.data(), key->data(), 32);
      d.signers.push_back(signer);
    }
    if (d.signers.empty() && previous) d.signers = previous->signers;
    d.threshold = a.threshold ? *a.threshold : (previous && d.signers == previous->signers ? previous->threshold : d.signers.size());
    // The draft must be a well-formed document (parse checks every field).
    auto checked = federation::parse_configuration(d.to_json());
    crypto::write_file_atomically(a.out, checked.to_json());
    std::cout << "concept / draft " << a.out.string() << ": ";
    describe(checked);
    return 0;
  } catch (const federation::ConfigurationError& e) {
    return refused(e);
  }
}

int run_config_sign(const fs::path& in, const fs::path& key_file, const fs::path& previous_file, const fs::path& out) {
  try {
    auto d = read_configuration(in);
    std::optional<federation::SignedConfiguration> previous;
    if (!previous_file.empty()) previous = read_configuration(previous_file);
    auto secret = crypto::read_secret_file(key_file, 64);
    auto key = crypto::SigningKey::from_secret(secret.view());
    federation::sign_configuration(d, key, previous ? &*previous : nullptr);
    const fs::path target = out.empty() ? in : out;
    crypto::write_file_atomically(target, d.to_json());
    std::cout << "ondertekend / signed " << target.string() << ": ";
    describe(d);
    return 0;
  } catch (const federation::ConfigurationError& e) {
    return refused(e);
  }
}

int run_config_verify(const fs::path& in, const fs::path& previous_file, const fs::path& node_dir) {
  try {
    auto d = read_configuration(in);
    std::optional<federation::SignedConfiguration> previous;
    std::string self;
    if (!previous_file.empty()) previous = read_configuration(previous_file);
    if (!node_dir.empty()) {
      previous = node_head(node_dir);
      self = config::load_config(config::NodePaths{node_dir}).org;
    }
    federation::verify_configuration(d, previous ? &*previous : nullptr, self);
    std::cout << "in orde / valid";
    if (previous) std::cout << " (volgt op versie / follows version " << previous->version << ")";
    std::cout << ": ";
    describe(d);
    return 0;
  } catch (const federation::ConfigurationError& e) {
    return refused(e);
  }
}

int run_config_publish(const fs::path& in, const fs::path& node_dir) {
  try {
    auto d = read_configuration(in);
    auto previous = node_head(node_dir);
    auto self = config::load_config(config::NodePaths{node_dir}).org;
    federation::verify_configuration(d, previous ? &*previous : nullptr, self);
    auto folder = federation::ConfigurationFolder::of_node(node_dir);
    fs::create_directories(folder.dir);
    // The node takes it (verifying it again, auditing it) within seconds, or at its next start.
    crypto::write_file_atomically(folder.incoming(), d.to_json());
    std::cout << "gepubliceerd / published: de node neemt versie " << d.version
              << " binnen enkele seconden over en partners halen haar daar op / the node takes version " << d.version
              << " within seconds and partners fetch it from there\n";
    return 0;
  } catch (const federation::ConfigurationError& e) {
    return refused(e);
  }
}

int run_config_status(const fs::path& node_dir) {
  auto folder = federation::ConfigurationFolder::of_node(node_dir);
  auto versions = folder.load();
  auto applied = folder.applied_version();
  if (versions.empty()) {
    std::cout << "geen ondertekende configuratie: manifest en convenant komen uit de eigen bestanden / "
                 "no signed configuration: manifest and covenant come from the node's own files\n";
    return 0;
  }
  for (const auto& d : versions) {
    if (d.version < applied) continue;
    std::cout << (d.version == applied ? "geldt / in force: " : "wacht / pending: ");
    describe(d);
  }
  return 0;
}

}  // namespace signalnode::node::cli
