#include "node/config/node_init.hpp"

#include <stdexcept>

#include "crypto/aead.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/secret_file.hpp"
#include "crypto/x509.hpp"
#include "node/pseudonyms/oprf_keyring.hpp"
#include "node/storage/schema.hpp"
#include "node/storage/store.hpp"

namespace signalnode::node::config {
namespace fs = std::filesystem;

namespace {
void make_private_dir(const fs::path& dir) {
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
}
}  // namespace

void init_node(const NodePaths& paths, const NodeConfig& config) {
  if (!is_valid_org(config.org)) throw std::invalid_argument("--org must be 2-64 of a-z, 0-9 and -");
  if (!is_valid_node_role(config.role)) {
    throw std::invalid_argument(
        std::string("--role ") + kNodeRoleHint);
  }
  if (config.pseudonymisation_authority != (config.role == "pseudonymisation_authority")) {
    throw std::invalid_argument("--pa goes with --role pseudonymisation_authority, and only with it: a PA receives no records");
  }
  if (!is_valid_oin(config.oin)) throw std::invalid_argument("--oin must be 20 digits");
  if (fs::exists(paths.dir) && !fs::is_empty(paths.dir)) {
    throw std::runtime_error(paths.dir.string() + " exists and is not empty; refusing to overwrite a node");
  }
  make_private_dir(paths.dir);
  make_private_dir(paths.data_key().parent_path());
  make_private_dir(paths.api_cert().parent_path());
  make_private_dir(paths.log_dir());

  crypto::AeadKey data_key = crypto::generate_aead_key();
  crypto::write_secret_file(paths.data_key(), data_key.view());
  crypto::SigningKey signing = crypto::SigningKey::generate();
  crypto::write_secret_file(paths.signing_key(), signing.secret());

  if (config.pseudonymisation_authority) pseudonyms::OprfKeyring::create_next_epoch(paths.oprf_keys());

  crypto::CertificateSpec spec;
  spec.common_name = config.org + " API";
  spec.organisation = config.org;
  spec.oin = config.oin;
  spec.dns_names = {"localhost"};
  spec.ip_addresses = {"127.0.0.1", "::1"};
  if (config.api.listen != "127.0.0.1" && config.api.listen != "0.0.0.0" && config.api.listen != "::") {
    spec.ip_addresses.push_back(config.api.listen);
  }
  spec.valid_days = 825;
  crypto::IssuedCertificate api_cert = crypto::issue_certificate(spec);
  crypto::write_file_atomically(paths.api_cert(), api_cert.certificate_pem);
  crypto::write_secret_file(paths.api_key(), api_cert.private_key_pem.view());

  { storage::Store store(paths.database(), storage::node_migrations()); }
  fs::permissions(paths.database(), fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);

  crypto::write_file_atomically(paths.config(), config_to_json(config),
                                fs::perms::owner_read | fs::perms::owner_write);
}

}  // namespace signalnode::node::config
