// The threshold key ceremony (issue 15, BRIEF 3.8): one offline run creates an
// epoch's VOPRF key, splits it into n Shamir shares of which any t evaluate,
// writes each share to a folder of its own for one share holder, writes the
// public part every node needs (group key and public shares), and wipes the
// whole key: after the ceremony it exists nowhere. Fewer than t holders learn
// nothing of it (crypto/threshold.hpp says why).
//
// Files, per epoch e (4 digits):
//   OUT/holder-<i>/epoch-<e>.share  0600, 34 bytes: index (uint16 big-endian)
//                                   || k_i (32 bytes, little-endian scalar)
//   OUT/pseudonymisation-epoch-<e>.json  {"epoch", "threshold", "groupPublicKey",
//                                   "shares": [{"index", "publicKey"}]}
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "crypto/threshold.hpp"

namespace signalnode::node::pseudonyms {

struct PublicKeySet {
  int epoch = 0;
  std::size_t threshold = 0;
  crypto::threshold::Element group_public_key{};
  std::vector<crypto::threshold::PublicShare> shares;
};

// Runs the ceremony into `out` (created; must not hold this epoch yet) and
// returns the public part it wrote. Throws std::invalid_argument for t, n or an
// epoch out of range, std::runtime_error when a file exists or cannot be written.
PublicKeySet run_key_ceremony(const std::filesystem::path& out, std::size_t threshold, std::size_t holders, int epoch);

// The public part as JSON (the file's content), and back; the parser checks
// every point and index and that t of the public shares give the group key.
std::string public_key_set_json(const PublicKeySet& set);
// nullopt with `error` set when the text is not a valid public key set.
std::optional<PublicKeySet> parse_public_key_set(std::string_view json, std::string& error);

// True when every public share is a valid point of one ceremony: t of them
// interpolate to the group key (or a whole key: one share 0 that is it).
bool public_key_set_is_consistent(const PublicKeySet& set);

// Where the ceremony puts epoch `epoch`'s public key set and holder i's share.
std::filesystem::path public_key_set_file(const std::filesystem::path& out, int epoch);
std::filesystem::path share_file(const std::filesystem::path& out, int index, int epoch);

// A holder's share file; throws std::runtime_error naming the file when it is
// not 34 bytes, 0600, with a canonical non-zero scalar.
crypto::threshold::Share load_share(const std::filesystem::path& file);

}  // namespace signalnode::node::pseudonyms
