#include "node/pseudonyms/oprf_keyring.hpp"

#include <cstdio>
#include <stdexcept>

#include "crypto/secret_file.hpp"

namespace signalnode::node::pseudonyms {
namespace fs = std::filesystem;

namespace {
std::optional<int> epoch_of(const fs::path& file) {
  std::string name = file.filename().string();
  int epoch = 0;
  char tail = 0;
  if (name.size() != 14 || std::sscanf(name.c_str(), "epoch-%4d.ke%c", &epoch, &tail) != 2 || tail != 'y' ||
      epoch <= 0) {
    return std::nullopt;
  }
  return epoch;
}

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
      auto epoch = epoch_of(entry.path());
      if (!epoch) continue;
      auto raw = crypto::read_secret_file(entry.path(), crypto::oprf::kScalarBytes);
      ring.keys_.emplace(*epoch, crypto::oprf::scalar_from(raw.view()));
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

const crypto::oprf::Scalar* OprfKeyring::at(int epoch) const {
  auto it = keys_.find(epoch);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace signalnode::node::pseudonyms
