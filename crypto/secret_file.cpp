#include "crypto/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace signalnode::crypto {
namespace fs = std::filesystem;

namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void fail(const std::string& what, const fs::path& path) {
  throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

void write_all_and_sync(int fd, std::string_view content, const fs::path& path) {
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("cannot write", path);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("cannot sync", path);
}

void sync_directory(const fs::path& dir) {
  Fd d(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.get() >= 0) ::fsync(d.get());
}

void write_via_temp(const fs::path& path, std::string_view content, mode_t mode, bool exclusive) {
  if (exclusive && fs::exists(path)) {
    throw std::runtime_error("refusing to overwrite existing file " + path.string());
  }
  fs::path tmp = path;
  tmp += ".tmp";
  fs::remove(tmp);
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (fd.get() < 0) fail("cannot create", tmp);
    // umask may have narrowed the mode; set it exactly.
    if (::fchmod(fd.get(), mode) != 0) fail("cannot chmod", tmp);
    write_all_and_sync(fd.get(), content, tmp);
  }
  fs::rename(tmp, path);
  sync_directory(path.parent_path());
}

}  // namespace

void write_secret_file(const fs::path& path, ByteView content) {
  write_via_temp(path, as_chars(content), S_IRUSR | S_IWUSR, /*exclusive=*/true);
}

void write_file_atomically(const fs::path& path, std::string_view content, fs::perms mode) {
  write_via_temp(path, content, static_cast<mode_t>(mode), /*exclusive=*/false);
}

SecretBytes read_secret_file(const fs::path& path, std::size_t expected_size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot open key file", path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail("cannot stat key file", path);
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    throw std::runtime_error("key file " + path.string() +
                             " is accessible by group or others; chmod 600 it");
  }
  constexpr off_t kMaxKeyFile = 64 * 1024;
  if (st.st_size > kMaxKeyFile) throw std::runtime_error("key file " + path.string() + " is too large");
  if (expected_size != 0 && static_cast<std::size_t>(st.st_size) != expected_size) {
    throw std::runtime_error("key file " + path.string() + " has the wrong size");
  }
  Bytes buf(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::read(fd.get(), buf.data() + done, buf.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      wipe(buf.data(), buf.size());
      fail("cannot read key file", path);
    }
    done += static_cast<std::size_t>(n);
  }
  return SecretBytes(std::move(buf));
}

}  // namespace signalnode::crypto
