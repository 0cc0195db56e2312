#include "node/auth/totp.hpp"

#include "node/auth/base64url.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace signalnode::node::auth {

std::string hotp_code(crypto::ByteView key, std::uint64_t counter, int digits) {
  if (digits < 6 || digits > 8) throw std::invalid_argument("hotp: 6 to 8 digits");
  std::uint8_t message[8];
  for (int i = 7; i >= 0; --i) {
    message[i] = static_cast<std::uint8_t>(counter & 0xff);
    counter >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (!HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), message, sizeof message, mac, &mac_len) ||
      mac_len != 20) {
    throw std::runtime_error("hotp: HMAC-SHA-1 failed");
  }
  const int offset = mac[19] & 0x0f;
  const std::uint32_t binary = (std::uint32_t{mac[offset] & 0x7fu} << 24) | (std::uint32_t{mac[offset + 1]} << 16) |
                               (std::uint32_t{mac[offset + 2]} << 8) | std::uint32_t{mac[offset + 3]};
  crypto::wipe(mac, sizeof mac);
  std::uint32_t modulo = 1;
  for (int i = 0; i < digits; ++i) modulo *= 10;
  std::string out = std::to_string(binary % modulo);
  return std::string(static_cast<std::size_t>(digits) - out.size(), '0') + out;
}

std::int64_t totp_step(std::int64_t unix_ms) { return unix_ms / 1000 / kTotpStepSeconds; }

std::optional<std::int64_t> match_totp(crypto::ByteView key, std::string_view code, std::int64_t now_ms,
                                       std::int64_t last_step) {
  std::string digits;
  for (char c : code) {
    if (c == ' ') continue;
    if (c < '0' || c > '9' || digits.size() >= kTotpDigits) return std::nullopt;
    digits.push_back(c);
  }
  if (digits.size() != kTotpDigits) return std::nullopt;
  const std::int64_t now = totp_step(now_ms);
  std::optional<std::int64_t> found;
  // Every candidate is computed and compared in constant time, so timing does
  // not tell which step matched.
  for (std::int64_t step = now - 1; step <= now + 1; ++step) {
    if (step < 0) continue;
    const std::string expected = hotp_code(key, static_cast<std::uint64_t>(step));
    const bool same = crypto::equal_constant_time(crypto::as_bytes(expected), crypto::as_bytes(digits));
    if (same && step > last_step && !found) found = step;
  }
  return found;
}

std::string base32(crypto::ByteView bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::uint8_t b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kAlphabet[(acc >> bits) & 31]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (5 - bits)) & 31]);
  return out;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret_base32) {
  return "otpauth://totp/" + percent_encode(issuer) + ":" + percent_encode(account) +
         "?secret=" + std::string(secret_base32) + "&issuer=" + percent_encode(issuer) + "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace signalnode::node::auth
