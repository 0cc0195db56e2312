#include <unistd.h>

#include <iostream>

#include "crypto/ed25519.hpp"
#include "crypto/secret_file.hpp"
#include "crypto/x509.hpp"
#include "node/app/demo_federation.hpp"
#include "node/cli/commands.hpp"
#include "node/config/node_config.hpp"
#include "node/federation/manifest.hpp"
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
