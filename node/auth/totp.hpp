// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA-1 from
// OpenSSL, 6 digits, 30-second steps, the step before and after now accepted
// (clock drift of a phone). A code is accepted once: the caller keeps the
// last accepted step per account and passes it in, so neither a replayed code
// nor an older one still inside the window is taken.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/bytes.hpp"

namespace signalnode::node::auth {

inline constexpr int kTotpDigits = 6;
inline constexpr std::int64_t kTotpStepSeconds = 30;
inline constexpr std::size_t kTotpKeyBytes = 20;  // 160 bits, RFC 4226's recommendation for SHA-1

// RFC 4226 HOTP value of `counter`, zero-padded to `digits` (6 to 8).
std::string hotp_code(crypto::ByteView key, std::uint64_t counter, int digits = kTotpDigits);
// The RFC 6238 time step of a moment (T0 = 0).
std::int64_t totp_step(std::int64_t unix_ms);
// The step among now-1, now, now+1 whose code is `code` and that comes after
// `last_step`; nullopt when none (wrong, too old, or used already). `code`
// may hold spaces ("123 456"); anything but 6 digits never matches.
std::optional<std::int64_t> match_totp(crypto::ByteView key, std::string_view code, std::int64_t now_ms,
                                       std::int64_t last_step);
// RFC 4648 base32 without padding: how authenticator apps take a key by hand.
std::string base32(crypto::ByteView bytes);
// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret_base32);

}  // namespace signalnode::node::auth
