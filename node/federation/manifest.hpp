// The federation manifest: who the partners are and how each is recognised
// (BRIEF 2, 3.6). No manifest entry, no access. A TOML file that every node
// of the federation holds the same copy of; errors name file, line and field.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/ed25519.hpp"
#include "crypto/sha256.hpp"
#include "node/pseudonyms/key_ceremony.hpp"
#include "policies/policy.hpp"

namespace signalnode::node::federation {

struct Partner {
  std::string org;  // the partner's id, e.g. gemeente-aalsmeer
  std::string name;
  std::string role;  // one of policies::kPartnerRoles, or pseudonymisation_authority
  std::string oin;   // 20 digits; must equal the certificate subject serialNumber
  std::string host;  // federation endpoint
  std::uint16_t port = 0;
  // Optional: the partner's Logboek Dataverwerkingen read API
  // (https://<its API>/api/v1/ldv/processing-activities), the pointer its
  // exchanges carry in the log (dpl.read.externalReadAPI_id).
  std::string read_api;
  std::optional<crypto::Digest256> certificate_sha256;  // pin on the DER certificate
  std::optional<crypto::Digest256> public_key_sha256;   // or on its SubjectPublicKeyInfo
  crypto::PublicKey signing_key{};                      // Ed25519, verifies its records
  bool pseudonymisation_authority = false;  // exactly when role is pseudonymisation_authority
  // The CBS municipality codes it serves (sorted); empty: the whole country.
  std::vector<std::string> areas;
  // Sends, never receives (a private party): no rule may address it.
  bool send_only = false;
  // A PA's share of the epoch's key (BRIEF 3.8): its index and P_i = k_i*G.
  std::optional<crypto::threshold::PublicShare> share;

  std::string endpoint() const { return "https://" + host + ":" + std::to_string(port); }
};

// The partner as the covenant sees it: who, which role, which area.
inline policies::Party party_of(const Partner& p) { return {p.org, p.role, p.areas, p.send_only}; }

class ManifestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Manifest {
  int version = 1;
  std::string name;
  std::vector<Partner> partners;
  // [pseudonymisation]: the key epoch in force, t, the group key, and the
  // PA partners' public shares: what every node checks each proof against.
  pseudonyms::PublicKeySet pseudonymisation;
  crypto::Digest256 sha256{};  // of the file's bytes: which manifest a node runs

  const Partner* find(std::string_view org) const;
  // The share holders of the epoch in force, in manifest order.
  std::vector<const Partner*> share_holders() const;
  // The pseudonym domains (OINs) of the partners `self` may send records to:
  // every partner but itself and the PAs.
  std::vector<std::string> recipient_domains(std::string_view self) const;
  // The partner a presented certificate belongs to: a pin matches AND the
  // subject serialNumber is that partner's OIN. nullptr otherwise.
  const Partner* match_certificate(const crypto::Digest256& cert_sha256, const crypto::Digest256& spki_sha256,
                                   std::string_view subject_serial) const;
};

// Throws ManifestError "FILE:LINE:COLUMN: field: what is wrong".
Manifest parse_manifest(std::string_view text, const std::string& source_name);
Manifest load_manifest(const std::filesystem::path& path);

// The manifest with a new key epoch in force (issue 15, rotation): `keys` as
// [pseudonymisation], and its shares given to the PA partners in manifest
// order (share i to the i-th). Throws ManifestError unless there are as many
// PA partners as shares and the epoch is newer than the one in force.
Manifest with_key_set(Manifest manifest, const pseudonyms::PublicKeySet& keys);

// A manifest file for the given partners (pki and demo tooling).
std::string manifest_to_toml(const Manifest& manifest);

}  // namespace signalnode::node::federation
