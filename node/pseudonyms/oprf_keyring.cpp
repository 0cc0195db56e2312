#include "node/pseudonyms/oprf_keyring.hpp"

#include <cstdio>
#include <string_view>
#include <stdexcept>

#include "crypto/secret_file.hpp"
#include "node/pseudonyms/key_ceremony.hpp"

namespace signalnode::node::pseudonyms {
namespace fs = std::filesystem;

namespace {
// The epoch of "epoch-NNNN<suffix>", or nullopt.
std::optional<int> epoch_of(const fs::path& file, std::string_view suffix) {
  std::string name = file.filename().string();
  if (name.size() != 10 + suffix.size() || !name.starts_with("epoch-") || !name.ends_with(suffix)) return std::nullopt;
  int epoch = 0;
  for (char ch : name.substr(6, 4)) {
    if (ch < '0' || ch > '9') return std::nullopt;
    epoch = epoch * 10 + (ch - '0');
  }
  if (epoch <= 0) return std::nullopt;
  return epoch;
}
std::optional<int> epoch_of(const fs::path& file) { return epoch_of(file, ".key"); }

fs::path key_path(const fs::path& dir, int epoch) {
  char name[32];
  std::snprintf(name, sizeof name, "epoch-%04d.key", epoch);
  return dir / name;
}
}  // namespace

OprfKeyring OprfKeyring::load(const fs::path& dir) {
  OprfKeyring ring;
  if (fs::is_directory(dir)) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (auto epoch = epoch_of(entry.path())) {
        auto raw = crypto::read_secret_file(entry.path(), crypto::oprf::kScalarBytes);
        ring.keys_.emplace(*epoch, crypto::oprf::scalar_from(raw.view()));
      } else if (auto share_epoch = epoch_of(entry.path(), ".share")) {
        auto share = load_share(entry.path());
        ring.share_index_[*share_epoch] = share.index;
        ring.keys_.emplace(*share_epoch, std::move(share.value));
      }
    }
    for (const auto& [epoch, index] : ring.share_index_) {
      (void)index;
      if (fs::exists(key_path(dir, epoch))) {
        throw std::runtime_error(dir.string() + ": epoch " + std::to_string(epoch) + " has both a whole key and a share");
      }
    }
  }
  if (ring.keys_.empty()) throw std::runtime_error("no OPRF key in " + dir.string() + " (is this node the PA?)");
  return ring;
}

int OprfKeyring::create_next_epoch(const fs::path& dir) {
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
  int next = 1;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (auto epoch = epoch_of(entry.path())) next = std::max(next, *epoch + 1);
  }
  auto kp = crypto::oprf::generate_key_pair();
  crypto::write_secret_file(key_path(dir, next), kp.secret.view());
  return next;
}

std::optional<std::uint16_t> OprfKeyring::current_share_index() const {
  auto it = share_index_.find(current_epoch());
  if (it == share_index_.end()) return std::nullopt;
  return it->second;
}

const crypto::oprf::Scalar* OprfKeyring::at(int epoch) const {
  auto it = keys_.find(epoch);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace signalnode::node::pseudonyms
