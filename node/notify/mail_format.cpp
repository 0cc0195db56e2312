#include "node/notify/mail_format.hpp"

#include <array>
#include <ctime>

#include "crypto/bytes.hpp"

namespace signalnode::node::notify::mail {
namespace {

constexpr std::string_view kHex = "0123456789ABCDEF";

std::string two_digits(int value) { return {static_cast<char>('0' + value / 10), static_cast<char>('0' + value % 10)}; }

bool is_printable_ascii(std::string_view text) {
  for (char c : text) {
    auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b > 0x7e) return false;
  }
  // "=?" would be read back as the start of an encoded-word.
  return text.find("=?") == std::string_view::npos;
}

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

}  // namespace

std::string rfc5322_date(std::int64_t unix_seconds) {
  static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return std::string(kDays.at(static_cast<std::size_t>(tm.tm_wday))) + ", " + two_digits(tm.tm_mday) + " " +
         kMonths.at(static_cast<std::size_t>(tm.tm_mon)) + " " + std::to_string(tm.tm_year + 1900) + " " +
         two_digits(tm.tm_hour) + ":" + two_digits(tm.tm_min) + ":" + two_digits(tm.tm_sec) + " +0000";
}

std::string encode_subject(std::string_view subject) {
  if (is_printable_ascii(subject)) return std::string(subject);
  // 39 input bytes make 52 base64 characters, a 64-character encoded-word:
  // with "Subject: " in front the line stays within RFC 2047's 76.
  constexpr std::size_t kChunk = 39;
  std::string out;
  std::size_t start = 0;
  while (start < subject.size()) {
    std::size_t end = std::min(subject.size(), start + kChunk);
    while (end < subject.size() && end > start + 1 && is_continuation(static_cast<unsigned char>(subject[end]))) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + crypto::to_base64(crypto::as_bytes(subject.substr(start, end - start))) + "?=";
    start = end;
  }
  return out;
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  std::string line;  // the encoded current line, so soft breaks can be placed
  auto flush_line = [&out, &line] {
    // Trailing white space would be stripped in transit: encode it.
    if (!line.empty() && (line.back() == ' ' || line.back() == '\t')) {
      const auto b = static_cast<unsigned char>(line.back());
      line.pop_back();
      line += '=';
      line += kHex[b >> 4];
      line += kHex[b & 0x0F];
    }
    out += line;
    out += "\r\n";
    line.clear();
  };
  auto put = [&out, &line](std::string_view token) {
    if (line.size() + token.size() > 75) {  // room for the soft break "="
      out += line;
      out += "=\r\n";
      line.clear();
    }
    line += token;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      flush_line();
      continue;
    }
    const auto b = static_cast<unsigned char>(c);
    // A leading '.' is escaped too: relays that mishandle dot-stuffing exist.
    const bool literal = (b >= 33 && b <= 126 && b != '=' && !(b == '.' && line.empty())) || b == ' ' || b == '\t';
    if (literal) {
      put(std::string_view(&c, 1));
    } else {
      const char encoded[3] = {'=', kHex[b >> 4], kHex[b & 0x0F]};
      put(std::string_view(encoded, 3));
    }
  }
  if (!line.empty()) flush_line();
  return out;
}

std::string compose(const Envelope& envelope) {
  std::string out;
  out += "Date: " + rfc5322_date(envelope.unix_seconds) + "\r\n";
  out += "From: <" + std::string(envelope.from) + ">\r\n";
  out += "To: <" + std::string(envelope.to) + ">\r\n";
  out += "Subject: " + encode_subject(envelope.subject) + "\r\n";
  out += "Message-ID: <" + std::string(envelope.message_id) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n";
  // Notifications are machine mail: no out-of-office answers back to the node.
  out += "Auto-Submitted: auto-generated\r\n";
  out += "\r\n";
  out += quoted_printable(envelope.text);
  return out;
}

}  // namespace signalnode::node::notify::mail
