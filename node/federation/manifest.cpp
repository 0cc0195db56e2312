#include "node/federation/manifest.hpp"


#include <algorithm>
#include <array>
#include <cstring>
#include <set>
#include <sstream>

#include "node/config/node_config.hpp"
#include "node/net/tls_identity.hpp"
#include "policies/areas.hpp"
#include "policies/policy.hpp"
#include "policies/toml_reader.hpp"

namespace signalnode::node::federation {

namespace {

constexpr std::string_view kPartnerKeys[] = {"org",        "name",         "role",          "oin",
                                             "endpoint",   "tls_cert_sha256", "tls_spki_sha256", "signing_key",
                                             "pseudonymisation_authority", "share_index", "share_public_key",
                                             "areas",      "send_only",  "read_api"};
constexpr std::string_view kPseudonymisationKeys[] = {"epoch", "threshold", "group_public_key"};

using Reader = policies::TomlReader<ManifestError>;

crypto::oprf::Element element(const Reader& r, const toml::node& n, const std::string& field) {
  auto v = n.value<std::string>();
  auto bytes = v ? crypto::from_hex(*v) : std::nullopt;
  crypto::oprf::Element e{};
  if (bytes && bytes->size() == e.size()) std::memcpy(e.data(), bytes->data(), e.size());
  if (!bytes || bytes->size() != e.size() || !crypto::oprf::is_valid_element(e)) {
    r.fail(n.source(), field, "must be 64 hex characters of a ristretto255 element");
  }
  return e;
}

std::int64_t whole(const Reader& r, const toml::node* n, const toml::node& parent, const std::string& field,
                   std::int64_t lo, std::int64_t hi) {
  auto v = n ? n->value<std::int64_t>() : std::nullopt;
  if (!v || !n->is_integer() || *v < lo || *v > hi) {
    r.fail(n ? n->source() : parent.source(), field,
           "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return *v;
}

crypto::Digest256 digest(const Reader& r, const toml::node& n, const std::string& field) {
  auto v = n.value<std::string>();
  auto bytes = v ? crypto::from_hex(*v) : std::nullopt;
  if (!bytes || bytes->size() != 32) r.fail(n.source(), field, "must be 64 hex characters (SHA-256)");
  crypto::Digest256 d{};
  std::memcpy(d.data(), bytes->data(), d.size());
  return d;
}

bool parse_endpoint(const std::string& url, std::string& host, std::uint16_t& port) {
  constexpr std::string_view kScheme = "https://";
  if (url.rfind(kScheme, 0) != 0) return false;
  std::string rest = url.substr(kScheme.size());
  auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = rest.substr(0, colon);
  std::string digits = rest.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  int p = std::stoi(digits);
  if (p < 1 || p > 65535) return false;
  port = static_cast<std::uint16_t>(p);
  return host.find_first_of("/ ?#@") == std::string::npos;
}

bool valid_read_api(const std::string& url) {
  return url.rfind("https://", 0) == 0 && url.size() > 8 && url.size() <= 200 &&
         url.find_first_of(" \t\r\n\"'<>\\") == std::string::npos;
}

}  // namespace

const Partner* Manifest::find(std::string_view org) const {
  for (const auto& p : partners) {
    if (p.org == org) return &p;
  }
  return nullptr;
}

std::vector<const Partner*> Manifest::share_holders() const {
  std::vector<const Partner*> out;
  for (const auto& p : partners) {
    if (p.pseudonymisation_authority) out.push_back(&p);
  }
  return out;
}

std::vector<std::string> Manifest::recipient_domains(std::string_view self) const {
  std::vector<std::string> out;
  for (const auto& p : partners) {
    if (p.org != self && !p.pseudonymisation_authority) out.push_back(p.oin);
  }
  return out;
}

const Partner* Manifest::match_certificate(const crypto::Digest256& cert_sha256, const crypto::Digest256& spki_sha256,
                                           std::string_view subject_serial) const {
  for (const auto& p : partners) {
    bool pinned = (p.certificate_sha256 && *p.certificate_sha256 == cert_sha256) ||
                  (p.public_key_sha256 && *p.public_key_sha256 == spki_sha256);
    if (pinned && p.oin == subject_serial) return &p;
  }
  return nullptr;
}

Manifest parse_manifest(std::string_view text, const std::string& source_name) {
  Reader r(source_name);
  toml::table root = r.parse(text);
  Manifest m;
  m.sha256 = crypto::sha256(crypto::as_bytes(text));
  r.only(root, std::array<std::string_view, 4>{"version", "name", "partners", "pseudonymisation"}, "");
  const toml::node* version = root.get("version");
  if (!version || version->value<std::int64_t>() != 1) {
    r.fail(version ? version->source() : root.source(), "version", "must be 1");
  }
  m.name = r.text(root, "name", "");
  const toml::array* partners = root.get_as<toml::array>("partners");
  if (!partners || partners->empty()) r.fail(root.source(), "partners", "needs at least one [[partners]] entry");

  std::set<std::string> orgs, oins;
  for (std::size_t i = 0; i < partners->size(); ++i) {
    const toml::table* t = (*partners)[i].as_table();
    std::string path = "partners[" + std::to_string(i) + "].";
    if (!t) r.fail((*partners)[i].source(), path, "must be a table");
    r.only(*t, kPartnerKeys, path);
    Partner p;
    p.org = r.text(*t, "org", path);
    if (!config::is_valid_org(p.org)) r.fail(t->get("org")->source(), path + "org", "must be 2-64 of a-z, 0-9 and -");
    if (!orgs.insert(p.org).second) r.fail(t->get("org")->source(), path + "org", "appears twice");
    p.name = r.text(*t, "name", path);
    p.role = r.text(*t, "role", path);
    if (!config::is_valid_node_role(p.role)) r.fail(t->get("role")->source(), path + "role", config::kNodeRoleHint);
    p.oin = r.text(*t, "oin", path);
    if (!config::is_valid_oin(p.oin)) r.fail(t->get("oin")->source(), path + "oin", "must be 20 digits");
    if (!oins.insert(p.oin).second) r.fail(t->get("oin")->source(), path + "oin", "appears twice");
    std::string endpoint = r.text(*t, "endpoint", path);
    if (!parse_endpoint(endpoint, p.host, p.port)) {
      r.fail(t->get("endpoint")->source(), path + "endpoint", "must be https://host:port");
    }
    if (const toml::node* n = t->get("read_api")) {
      // Logboek Dataverwerkingen read API (BRIEF 3.13): where a privacy
      // officer follows an exchange with this partner further.
      auto url = n->value<std::string>();
      if (!url || !valid_read_api(*url)) {
        r.fail(n->source(), path + "read_api", "must be an https:// URL of at most 200 characters without spaces");
      }
      p.read_api = *url;
    }
    if (const toml::node* n = t->get("tls_cert_sha256")) p.certificate_sha256 = digest(r, *n, path + "tls_cert_sha256");
    if (const toml::node* n = t->get("tls_spki_sha256")) p.public_key_sha256 = digest(r, *n, path + "tls_spki_sha256");
    if (!p.certificate_sha256 && !p.public_key_sha256) {
      r.fail(t->source(), path + "tls_cert_sha256", "a pin is required (tls_cert_sha256 or tls_spki_sha256)");
    }
    const toml::node* key = t->get("signing_key");
    if (!key) r.fail(t->source(), path + "signing_key", "is required");
    auto key_bytes = key->value<std::string>() ? crypto::from_hex(*key->value<std::string>()) : std::nullopt;
    if (!key_bytes || key_bytes->size() != 32) {
      r.fail(key->source(), path + "signing_key", "must be 64 hex characters (Ed25519 public key)");
    }
    std::memcpy(p.signing_key.data(), key_bytes->data(), 32);
    if (const toml::node* pa = t->get("pseudonymisation_authority")) {
      auto v = pa->value<bool>();
      if (!v) r.fail(pa->source(), path + "pseudonymisation_authority", "must be true or false");
      p.pseudonymisation_authority = *v;
    }
    if (p.pseudonymisation_authority != (p.role == "pseudonymisation_authority")) {
      r.fail(t->source(), path + "pseudonymisation_authority",
             "must be true exactly when role is pseudonymisation_authority (a PA receives no records)");
    }
    const toml::node* index = t->get("share_index");
    const toml::node* share_key = t->get("share_public_key");
    if (p.pseudonymisation_authority) {
      crypto::threshold::PublicShare share;
      share.index = static_cast<crypto::threshold::ShareIndex>(
          whole(r, index, *t, path + "share_index", 0, crypto::threshold::kMaxHolders));
      if (!share_key) r.fail(t->source(), path + "share_public_key", "is required for a pseudonymisation authority");
      share.point = element(r, *share_key, path + "share_public_key");
      p.share = share;
    } else if (index || share_key) {
      r.fail((index ? index : share_key)->source(), path + (index ? "share_index" : "share_public_key"),
             "belongs to a pseudonymisation authority only");
    }
    if (const toml::node* areas = t->get("areas")) {
      p.areas = r.list(*t, "areas", path, true);
      const auto& known = policies::Areas::builtin();
      std::set<std::string> seen;
      for (const auto& code : p.areas) {
        if (!known.find(code)) r.fail(areas->source(), path + "areas", "'" + code.substr(0, 16) + "' is not a CBS municipality code");
        if (!seen.insert(code).second) r.fail(areas->source(), path + "areas", code + " appears twice");
      }
      std::sort(p.areas.begin(), p.areas.end());
      if (p.pseudonymisation_authority && !p.areas.empty()) {
        r.fail(areas->source(), path + "areas", "a pseudonymisation authority serves no area");
      }
    }
    if (const toml::node* send_only = t->get("send_only")) {
      if (!send_only->is_boolean()) r.fail(send_only->source(), path + "send_only", "must be true or false");
      p.send_only = send_only->value<bool>().value_or(false);
      if (p.send_only && p.pseudonymisation_authority) {
        r.fail(send_only->source(), path + "send_only", "a pseudonymisation authority neither sends nor receives records");
      }
    }
    // Two partners of one role serving one municipality would both receive
    // what routes by area there: refused, the operator decides which.
    for (const auto& other : m.partners) {
      if (other.role != p.role) continue;
      for (const auto& code : p.areas) {
        if (std::binary_search(other.areas.begin(), other.areas.end(), code)) {
          r.fail(t->get("areas")->source(), path + "areas",
                 code + " is already in the area of " + other.org + ", which has the same role");
        }
      }
    }
    m.partners.push_back(std::move(p));
  }
  const toml::table* ps = root.get_as<toml::table>("pseudonymisation");
  if (!ps) r.fail(root.source(), "pseudonymisation", "is required: [pseudonymisation] with epoch, threshold, group_public_key");
  r.only(*ps, kPseudonymisationKeys, "pseudonymisation.");
  auto& keys = m.pseudonymisation;
  keys.epoch = static_cast<int>(whole(r, ps->get("epoch"), *ps, "pseudonymisation.epoch", 1, 9999));
  keys.threshold = static_cast<std::size_t>(
      whole(r, ps->get("threshold"), *ps, "pseudonymisation.threshold", 1, crypto::threshold::kMaxHolders));
  const toml::node* group = ps->get("group_public_key");
  if (!group) r.fail(ps->source(), "pseudonymisation.group_public_key", "is required");
  keys.group_public_key = element(r, *group, "pseudonymisation.group_public_key");
  for (const auto& p : m.partners) {
    if (p.share) keys.shares.push_back(*p.share);
  }
  if (keys.shares.size() < keys.threshold) {
    r.fail(ps->source(), "pseudonymisation.threshold",
           "is " + std::to_string(keys.threshold) + " but only " + std::to_string(keys.shares.size()) +
               " partners are pseudonymisation authorities");
  }
  if (!pseudonyms::public_key_set_is_consistent(keys)) {
    r.fail(ps->source(), "pseudonymisation.group_public_key",
           "the authorities' share_public_key values do not fit it (a repeated share_index, or not from one key ceremony)");
  }
  return m;
}

Manifest with_key_set(Manifest manifest, const pseudonyms::PublicKeySet& keys) {
  std::vector<Partner*> holders;
  for (auto& p : manifest.partners) {
    if (p.pseudonymisation_authority) holders.push_back(&p);
  }
  if (holders.size() != keys.shares.size()) {
    throw ManifestError("the key set has " + std::to_string(keys.shares.size()) + " shares but the manifest " +
                        std::to_string(holders.size()) + " pseudonymisation authorities");
  }
  if (keys.epoch <= manifest.pseudonymisation.epoch) {
    throw ManifestError("the key set is of epoch " + std::to_string(keys.epoch) + "; the manifest's is already " +
                        std::to_string(manifest.pseudonymisation.epoch));
  }
  if (!pseudonyms::public_key_set_is_consistent(keys)) throw ManifestError("the key set is not one ceremony's");
  for (std::size_t i = 0; i < holders.size(); ++i) holders[i]->share = keys.shares[i];
  manifest.pseudonymisation = keys;
  return manifest;
}

Manifest load_manifest(const std::filesystem::path& path) {
  std::string text;
  try {
    text = net::read_text_file(path, 4 * 1024 * 1024);
  } catch (const std::exception& e) {
    throw ManifestError(e.what());
  }
  return parse_manifest(text, path.string());
}

namespace {
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(ch) < 0x20) continue;
    out.push_back(ch);
  }
  return out + "\"";
}
}  // namespace

std::string manifest_to_toml(const Manifest& m) {
  std::ostringstream out;
  out << "# signalnode federation manifest: every partner's node holds this same file.\n"
      << "version = 1\nname = " << quoted(m.name) << "\n";
  for (const auto& p : m.partners) {
    out << "\n[[partners]]\n"
        << "org = \"" << p.org << "\"\n"
        << "name = " << quoted(p.name) << "\n"
        << "role = \"" << p.role << "\"\n"
        << "oin = \"" << p.oin << "\"\n"
        << "endpoint = \"" << p.endpoint() << "\"\n";
    if (!p.read_api.empty()) out << "read_api = " << quoted(p.read_api) << "\n";
    if (p.certificate_sha256) out << "tls_cert_sha256 = \"" << crypto::to_hex(*p.certificate_sha256) << "\"\n";
    if (p.public_key_sha256) out << "tls_spki_sha256 = \"" << crypto::to_hex(*p.public_key_sha256) << "\"\n";
    out << "signing_key = \"" << crypto::to_hex(p.signing_key) << "\"\n"
        << "pseudonymisation_authority = " << (p.pseudonymisation_authority ? "true" : "false") << "\n";
    if (!p.areas.empty()) {
      out << "areas = [";
      for (std::size_t i = 0; i < p.areas.size(); ++i) out << (i ? ", " : "") << quoted(p.areas[i]);
      out << "]\n";
    }
    if (p.send_only) out << "send_only = true\n";
    if (p.share) {
      out << "share_index = " << p.share->index << "\n"
          << "share_public_key = \"" << crypto::to_hex(p.share->point) << "\"\n";
    }
  }
  const auto& keys = m.pseudonymisation;
  out << "\n# The pseudonymisation key in force: any `threshold` of the authorities above\n"
      << "# evaluate it together; every answer is checked against its share_public_key.\n"
      << "[pseudonymisation]\nepoch = " << keys.epoch << "\nthreshold = " << keys.threshold
      << "\ngroup_public_key = \"" << crypto::to_hex(keys.group_public_key) << "\"\n";
  return out.str();
}

}  // namespace signalnode::node::federation
