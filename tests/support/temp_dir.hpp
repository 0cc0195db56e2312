// A fresh folder under the system's temporary directory for one test, removed
// with everything in it when the test ends. Declare it before anything that
// keeps files open in it (a Store), so it goes last.
#pragma once

#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace signalnode::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() / (prefix + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  operator const std::filesystem::path&() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace signalnode::testing
