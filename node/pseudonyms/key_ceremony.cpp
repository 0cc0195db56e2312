#include "node/pseudonyms/key_ceremony.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <set>
#include <stdexcept>

#include "crypto/bytes.hpp"
#include "crypto/oprf.hpp"
#include "crypto/secret_file.hpp"

namespace signalnode::node::pseudonyms {
namespace fs = std::filesystem;
namespace th = crypto::threshold;
namespace json = boost::json;

namespace {

constexpr std::size_t kShareFileBytes = 2 + crypto::oprf::kScalarBytes;

// "0007": the epoch as the file names carry it.
std::string four_digits(int epoch) {
  char digits[8];
  std::snprintf(digits, sizeof digits, "%04d", epoch);
  return digits;
}

// Every window of t consecutive public shares interpolates to the group key:
// then all n lie on one polynomial of degree t-1 with f(0) = k (two windows
// that overlap in t-1 points and agree at 0 are the same polynomial).
bool shares_fit_group_key(const PublicKeySet& set) {
  if (set.threshold == 0 || set.shares.size() < set.threshold) return false;
  for (std::size_t first = 0; first + set.threshold <= set.shares.size(); ++first) {
    std::vector<th::HolderEvaluation> window;
    for (std::size_t i = first; i < first + set.threshold; ++i) {
      window.push_back({set.shares[i].index, {set.shares[i].point}});
    }
    auto combined = th::combine(window, set.threshold);
    if (!combined || combined->at(0) != set.group_public_key) return false;
  }
  return true;
}

std::optional<crypto::oprf::Element> element_from_hex(const json::value* v) {
  if (!v || !v->is_string()) return std::nullopt;
  auto bytes = crypto::from_hex(v->as_string());
  if (!bytes || bytes->size() != crypto::oprf::kElementBytes) return std::nullopt;
  crypto::oprf::Element e{};
  std::copy(bytes->begin(), bytes->end(), e.begin());
  if (!crypto::oprf::is_valid_element(e)) return std::nullopt;
  return e;
}

}  // namespace

fs::path public_key_set_file(const fs::path& out, int epoch) {
  return out / ("pseudonymisation-epoch-" + four_digits(epoch) + ".json");
}

fs::path share_file(const fs::path& out, int index, int epoch) {
  return out / ("holder-" + std::to_string(index)) / ("epoch-" + four_digits(epoch) + ".share");
}

PublicKeySet run_key_ceremony(const fs::path& out, std::size_t threshold, std::size_t holders, int epoch) {
  if (epoch < 1 || epoch > 9999) throw std::invalid_argument("epoch must be 1 to 9999");
  if (threshold < 1 || threshold > holders || holders > th::kMaxHolders) {
    throw std::invalid_argument("need 1 <= threshold <= holders <= 255");
  }
  const fs::path public_file = public_key_set_file(out, epoch);
  if (fs::exists(public_file)) throw std::runtime_error("refusing to overwrite " + public_file.string());
  PublicKeySet set;
  std::vector<th::Share> shares;
  {
    // The whole key lives only inside this block: generated, split, wiped.
    auto key = crypto::oprf::generate_key_pair();
    th::Dealing dealing = th::split(key.secret, threshold, holders);
    set = {epoch, threshold, dealing.group_public_key, dealing.public_shares};
    shares = std::move(dealing.shares);
  }
  fs::create_directories(out);
  for (const auto& share : shares) {
    const fs::path file = share_file(out, share.index, epoch);
    const fs::path dir = file.parent_path();
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
    crypto::SecretArray<kShareFileBytes> bytes;
    bytes.data()[0] = static_cast<std::uint8_t>(share.index >> 8);
    bytes.data()[1] = static_cast<std::uint8_t>(share.index & 0xff);
    std::copy(share.value.data(), share.value.data() + crypto::oprf::kScalarBytes, bytes.data() + 2);
    crypto::write_secret_file(file, bytes.view());
  }
  crypto::write_file_atomically(public_file, public_key_set_json(set) + "\n",
                                fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                    fs::perms::others_read);
  return set;
}

std::string public_key_set_json(const PublicKeySet& set) {
  json::array shares;
  for (const auto& s : set.shares) {
    shares.push_back(json::object{{"index", s.index}, {"publicKey", crypto::to_hex(s.point)}});
  }
  return json::serialize(json::object{{"epoch", set.epoch},
                                      {"threshold", set.threshold},
                                      {"groupPublicKey", crypto::to_hex(set.group_public_key)},
                                      {"shares", std::move(shares)}});
}

std::optional<PublicKeySet> parse_public_key_set(std::string_view text, std::string& error) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  const auto& o = doc.as_object();
  PublicKeySet set;
  const auto* epoch = o.if_contains("epoch");
  const auto* threshold = o.if_contains("threshold");
  if (!epoch || !epoch->is_int64() || epoch->as_int64() < 1 || epoch->as_int64() > 9999) {
    error = "epoch must be 1 to 9999";
    return std::nullopt;
  }
  set.epoch = static_cast<int>(epoch->as_int64());
  const auto* shares = o.if_contains("shares");
  if (!shares || !shares->is_array() || shares->as_array().empty() || shares->as_array().size() > th::kMaxHolders) {
    error = "shares must list 1 to 255 holders";
    return std::nullopt;
  }
  if (!threshold || !threshold->is_int64() || threshold->as_int64() < 1 ||
      threshold->as_int64() > static_cast<std::int64_t>(shares->as_array().size())) {
    error = "threshold must be 1 to the number of shares";
    return std::nullopt;
  }
  set.threshold = static_cast<std::size_t>(threshold->as_int64());
  auto group = element_from_hex(o.if_contains("groupPublicKey"));
  if (!group) {
    error = "groupPublicKey must be 64 hex of a valid group element";
    return std::nullopt;
  }
  set.group_public_key = *group;
  for (const auto& s : shares->as_array()) {
    const auto* index = s.is_object() ? s.as_object().if_contains("index") : nullptr;
    auto point = s.is_object() ? element_from_hex(s.as_object().if_contains("publicKey")) : std::nullopt;
    if (!index || !index->is_int64() || index->as_int64() < 0 || index->as_int64() > 255 || !point) {
      error = "each share needs an index 0 to 255 and a publicKey of 64 hex of a valid group element";
      return std::nullopt;
    }
    set.shares.push_back({static_cast<th::ShareIndex>(index->as_int64()), *point});
  }
  if (!public_key_set_is_consistent(set)) {
    error = "the public shares do not fit the group key (repeated index, or not from one ceremony)";
    return std::nullopt;
  }
  return set;
}

bool public_key_set_is_consistent(const PublicKeySet& set) {
  std::set<th::ShareIndex> seen;
  for (const auto& s : set.shares) {
    if (!seen.insert(s.index).second) return false;  // one index, one holder
  }
  const bool whole_key = set.shares.size() == 1 && set.shares[0].index == th::kWholeKeyIndex;
  return whole_key ? set.threshold == 1 && set.shares[0].point == set.group_public_key : shares_fit_group_key(set);
}

th::Share load_share(const fs::path& file) {
  auto perms = fs::status(file).permissions();
  if ((perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none) {
    throw std::runtime_error(file.string() + ": a share file must be readable by its owner only (0600)");
  }
  auto raw = crypto::read_secret_file(file, kShareFileBytes);
  th::Share share;
  share.index = static_cast<th::ShareIndex>((raw.data()[0] << 8) | raw.data()[1]);
  if (share.index == 0 || share.index > th::kMaxHolders) {
    throw std::runtime_error(file.string() + ": the share index must be 1 to 255");
  }
  share.value = crypto::oprf::scalar_from(crypto::ByteView(raw.data() + 2, crypto::oprf::kScalarBytes));
  return share;
}

}  // namespace signalnode::node::pseudonyms
