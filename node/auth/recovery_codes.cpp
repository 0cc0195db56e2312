#include "node/auth/recovery_codes.hpp"

#include "crypto/random.hpp"

namespace signalnode::node::auth {

namespace {
// Digits 2-9 and the letters without look-alikes (no i, l, o): 31 symbols.
constexpr std::string_view kSymbols = "23456789abcdefghjkmnpqrstuvwxyz";
constexpr std::size_t kCodeChars = 10;  // 10 x log2(31) = 49.5 bits
}  // namespace

std::vector<std::string> make_recovery_codes() {
  std::vector<std::string> out;
  for (int i = 0; i < kRecoveryCodeCount; ++i) {
    std::string code;
    while (code.size() < kCodeChars) {
      for (std::uint8_t b : crypto::random_bytes(16)) {
        // Bytes from 248 up are skipped, so each symbol is equally likely.
        if (b >= kSymbols.size() * 8) continue;
        code.push_back(kSymbols[b % kSymbols.size()]);
        if (code.size() == kCodeChars) break;
      }
    }
    out.push_back(code.substr(0, 5) + "-" + code.substr(5));
  }
  return out;
}

std::optional<std::string> normalised_recovery_code(std::string_view typed) {
  if (typed.size() > 32) return std::nullopt;
  std::string out;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (kSymbols.find(c) == std::string_view::npos) return std::nullopt;
    out.push_back(c);
  }
  if (out.size() != kCodeChars) return std::nullopt;
  return out;
}

}  // namespace signalnode::node::auth
