// The signed federation configuration (issue 22): the manifest and the
// covenant published together as one versioned JSON document, signed by k of
// the n designated signers it names itself; each version names the SHA-256 of
// the one before it, and a version is accepted only when the quorum of the
// version in force signed it too (so the signer set changes only with the old
// quorum's consent). Format and rules: docs/protocol.md, "Signed federation
// configuration"; how nodes fetch and apply it: docs/federation.md.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.hpp"
#include "crypto/sha256.hpp"
#include "node/federation/manifest.hpp"
#include "policies/policy.hpp"

namespace signalnode::node::federation {

// A document is refused before parsing when larger than this.
inline constexpr std::size_t kMaxConfigurationBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxSigners = 64;

struct ConfigurationSigner {
  std::string name;  // who holds the key (an org id or a person's role), for people to read
  crypto::PublicKey public_key{};
  bool operator==(const ConfigurationSigner&) const = default;
};

struct ConfigurationSignature {
  crypto::PublicKey public_key{};
  crypto::Signature signature{};
};

// Why a document was refused: a stable code (for tests, logs, the audit
// event) and the sentence a person reads, Dutch first, then English.
struct ConfigurationRefusal {
  enum class Kind {
    malformed,          // not a configuration document (syntax, field, size)
    invalid_content,    // the manifest or covenant inside fails its validator
    bad_signature,      // a signature does not verify
    unknown_signer,     // a signature by a key in neither signer set
    too_few_signatures, // fewer than the threshold of the document's own signers
    not_old_quorum,     // fewer than the threshold of the version in force's signers
    not_newer,          // version not above the one in force: a rollback or a replay
    does_not_chain,     // previousSha256 is not the version in force's hash
    not_this_node,      // the manifest does not list this node
  };
  Kind kind = Kind::malformed;
  std::string field;  // the document field concerned, e.g. "signatures[2]"
  std::string nl;
  std::string en;
  std::string message() const { return nl + " / " + en; }
};
std::string_view refusal_code(ConfigurationRefusal::Kind kind);

class ConfigurationError : public std::runtime_error {
 public:
  explicit ConfigurationError(ConfigurationRefusal r) : std::runtime_error(r.message()), refusal(std::move(r)) {}
  ConfigurationRefusal refusal;
};

struct SignedConfiguration {
  std::int64_t version = 0;            // 1, 2, ...: each newer than the one before
  std::string effective_from;          // "YYYY-MM-DDTHH:MM:SSZ" (UTC)
  std::int64_t effective_from_ms = 0;  // the same, as ms since the epoch
  std::optional<crypto::Digest256> previous_sha256;  // absent only in a first version
  std::string manifest;  // manifest.toml's text
  std::string covenant;  // policy.toml's text
  std::size_t threshold = 0;
  std::vector<ConfigurationSigner> signers;
  std::vector<ConfigurationSignature> signatures;

  // RFC 8785 (JCS) bytes of the document without "signatures": what is hashed.
  std::string canonical_body() const;
  // The bytes each signer signs: "signalnode-federation-configuration-v1" || 0x0a || canonical_body().
  std::string signing_message() const;
  // SHA-256 of canonical_body(): the version's identity, what the next names
  // as previousSha256. Signatures added later do not change it.
  crypto::Digest256 sha256() const;
  std::string to_json() const;  // the whole document, JCS (one line)
  bool same_signer_set(const SignedConfiguration& other) const;
};

// Parses and checks the form (bounds first): fields, types, hex lengths, the
// date, the threshold (1..n), signer names and keys unique. Does not verify
// signatures or content. Throws ConfigurationError{malformed}.
SignedConfiguration parse_configuration(std::string_view json);

// "2026-12-04T00:00:00Z" -> ms since the epoch; nullopt unless exactly that form and a real date.
std::optional<std::int64_t> parse_utc_timestamp(std::string_view text);
std::string format_utc_timestamp(std::int64_t epoch_ms);

// Adds `key`'s signature (replacing an earlier one of the same key); throws
// ConfigurationError{unknown_signer} when the key is not in the document's
// signer set nor in `previous`'s (an old signer may co-sign a change).
void sign_configuration(SignedConfiguration& doc, const crypto::SigningKey& key,
                        const SignedConfiguration* previous = nullptr);

struct VerifiedConfiguration {
  Manifest manifest;
  policies::Policy covenant;
};

// Everything a node checks before it accepts `doc` after `previous` (the
// version in force, or the newest accepted; nullptr for a first version an
// operator installs by hand):
//  - every signature verifies and is by a key of the document's signer set or
//    of previous's; at least `threshold` of the document's own signers signed;
//  - with a previous: the version is newer, previousSha256 is its hash, the
//    effective date is not earlier, and at least previous->threshold of
//    previous's signers signed (the old quorum authorises every change,
//    including a change of the signer set or threshold);
//  - the manifest and covenant pass their validators (areas known and not
//    overlapping within a role, no rule to a send-only participant or a PA);
//  - with `self_org`: the manifest lists this node.
// Throws ConfigurationError naming the first thing wrong.
VerifiedConfiguration verify_configuration(const SignedConfiguration& doc, const SignedConfiguration* previous,
                                           std::string_view self_org = {});

}  // namespace signalnode::node::federation
