// Byte buffers, encodings and wiped secret storage shared by every layer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace signalnode::crypto {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

std::string to_hex(ByteView bytes);
// Lower- or upper-case hex without separators; nullopt on any other input.
std::optional<Bytes> from_hex(std::string_view hex);
std::string to_base64(ByteView bytes);
std::optional<Bytes> from_base64(std::string_view b64);

// Constant-time equality (sizes are compared openly).
bool equal_constant_time(ByteView a, ByteView b);

// Overwrites memory in a way the optimiser may not remove.
void wipe(void* data, std::size_t size);

// Fixed-size secret (keys, scalars): not copyable, wiped when destroyed.
template <std::size_t N>
class SecretArray {
 public:
  SecretArray() = default;
  SecretArray(const SecretArray&) = delete;
  SecretArray& operator=(const SecretArray&) = delete;
  SecretArray(SecretArray&& other) noexcept : data_(other.data_) { other.clear(); }
  SecretArray& operator=(SecretArray&& other) noexcept {
    if (this != &other) {
      data_ = other.data_;
      other.clear();
    }
    return *this;
  }
  ~SecretArray() { clear(); }

  static constexpr std::size_t size() { return N; }
  std::uint8_t* data() { return data_.data(); }
  const std::uint8_t* data() const { return data_.data(); }
  ByteView view() const { return {data_.data(), N}; }
  void clear() { wipe(data_.data(), N); }

 private:
  std::array<std::uint8_t, N> data_{};
};

// Variable-size secret (decrypted plaintext, PEM keys): wiped when destroyed.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(Bytes bytes) : bytes_(std::move(bytes)) {}
  // Takes a secret out of a string (a password from a request), wiping the
  // string's whole buffer so no copy is left behind.
  static SecretBytes take(std::string& s) {
    SecretBytes out(Bytes(s.begin(), s.end()));
    wipe(s.data(), s.capacity());
    s.clear();
    return out;
  }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.bytes_.clear(); }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      clear();
      bytes_ = std::move(other.bytes_);
      other.bytes_.clear();
    }
    return *this;
  }
  ~SecretBytes() { clear(); }

  std::size_t size() const { return bytes_.size(); }
  const std::uint8_t* data() const { return bytes_.data(); }
  ByteView view() const { return bytes_; }
  std::string_view chars() const { return as_chars(bytes_); }
  void clear() {
    wipe(bytes_.data(), bytes_.size());
    bytes_.clear();
  }

 private:
  Bytes bytes_;
};

}  // namespace signalnode::crypto
