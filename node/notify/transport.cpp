// Mail through an SMTP relay. libcurl does the protocol (STARTTLS, AUTH,
// dot-stuffing, deadlines); this file decides what may be sent, builds the
// message and explains failures in words an admin can act on.
#include "node/notify/transport.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <utility>

#include "crypto/random.hpp"
#include "node/notify/curl_handles.hpp"
#include "node/notify/mail_format.hpp"
#include "node/notify/transfer_errors.hpp"

namespace signalnode::node::notify {
namespace {

// The SMTP command last sent, so a reply code can be told apart: a 550 to
// RCPT is a refused recipient, a 550 to MAIL a refused sender.
enum class Phase { connect, starttls, auth, mail, rcpt, data };

struct Exchange {
  std::string_view message;  // what the read callback still has to hand out
  Phase phase = Phase::connect;
};

std::size_t read_message(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  const std::size_t n = std::min(size * count, exchange->message.size());
  std::memcpy(buffer, exchange->message.data(), n);
  exchange->message.remove_prefix(n);
  return n;
}

// Looks at the first bytes of each command only: AUTH lines carry the
// password (base64), so nothing of them is kept or logged.
int watch_commands(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  if (type != CURLINFO_HEADER_OUT) return 0;
  auto* exchange = static_cast<Exchange*>(user);
  const std::string_view line(data, size);
  auto starts = [&line](std::string_view word) {
    return line.size() >= word.size() &&
           std::equal(word.begin(), word.end(), line.begin(), [](char a, char b) { return a == (b & ~0x20); });
  };
  static constexpr std::pair<std::string_view, Phase> kCommands[] = {
      {"STARTTLS", Phase::starttls}, {"AUTH", Phase::auth}, {"MAIL", Phase::mail},
      {"RCPT", Phase::rcpt},         {"DATA", Phase::data}};
  for (const auto& [word, phase] : kCommands) {
    if (starts(word)) {
      exchange->phase = phase;
      break;
    }
  }
  return 0;
}

bool is_loopback_host(std::string_view host) { return host == "127.0.0.1" || host == "::1" || host == "localhost"; }

// A host name or IP literal, nothing that could change the URL's meaning.
bool is_plain_host(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == ':';
  });
}

bool has_line_break(std::string_view text) { return text.find_first_of(std::string_view("\r\n\0", 3)) != text.npos; }

// A NUL-terminated copy of the password for curl (which keeps its own copy
// until cleanup), wiped when the send ends.
class PasswordCopy {
 public:
  explicit PasswordCopy(const crypto::SecretBytes& password) : text_(password.chars()) {}
  ~PasswordCopy() { crypto::wipe(text_.data(), text_.capacity()); }
  PasswordCopy(const PasswordCopy&) = delete;
  PasswordCopy& operator=(const PasswordCopy&) = delete;
  const char* c_str() const { return text_.c_str(); }

 private:
  std::string text_;
};

SendResult from_reply(Phase phase, long reply, const Peer& peer) {
  const std::string code = " (SMTP " + std::to_string(reply) + ")";
  if (reply >= 400 && reply < 500) {
    return failed(false, "De mailserver weigert tijdelijk" + code + " / the mail relay is temporarily refusing" + code);
  }
  if (reply < 500 || reply >= 600) {
    return failed(false, "De mailserver verbrak de verbinding (" + peer.where +
                             ") / the mail relay closed the connection (" + peer.where + ")");
  }
  switch (phase) {
    case Phase::auth:
      return failed(true, "De mailserver weigert de inlog: gebruikersnaam of wachtwoord klopt niet" + code +
                              " / the mail relay refused the login: wrong user name or password" + code);
    case Phase::mail:
      return failed(true,
                    "De mailserver weigert de afzender" + code + " / the mail relay refused the sender address" + code);
    case Phase::rcpt:
      return failed(true,
                    "De mailserver weigert de ontvanger" + code + " / the mail relay refused the recipient" + code);
    case Phase::data:
      return failed(true, "De mailserver weigert het bericht" + code + " / the mail relay refused the message" + code);
    case Phase::connect:
    case Phase::starttls:
      break;
  }
  return failed(true, "De mailserver weigert de verbinding" + code + " / the mail relay refused the session" + code);
}

std::string message_id_for(std::string_view from) {
  const auto at = from.rfind('@');
  return crypto::random_hex_id(16) + "@" + std::string(at == from.npos ? "signalnode.invalid" : from.substr(at + 1));
}

}  // namespace

bool is_safe_mail_address(std::string_view address) {
  // ASCII local@domain only: what MAIL FROM:<...>, RCPT TO:<...> and a To:
  // header take without quoting, SMTPUTF8 or any room for injection.
  if (address.empty() || address.size() > 254) return false;
  const auto at = address.find('@');
  if (at == address.npos || at == 0 || at != address.rfind('@') || at > 64) return false;
  const std::string_view local = address.substr(0, at);
  const std::string_view domain = address.substr(at + 1);
  static constexpr std::string_view kAtext = "!#$%&'*+/=?^_`{|}~-";
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (local.front() == '.' || local.back() == '.' || local.find("..") != local.npos) return false;
  for (char c : local) {
    if (!alnum(c) && c != '.' && kAtext.find(c) == kAtext.npos) return false;
  }
  if (domain.empty() || domain.size() > 253) return false;
  std::size_t label_start = 0;
  for (std::size_t i = 0; i <= domain.size(); ++i) {
    if (i == domain.size() || domain[i] == '.') {
      const std::string_view label = domain.substr(label_start, i - label_start);
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
      label_start = i + 1;
    } else if (!alnum(domain[i]) && domain[i] != '-') {
      return false;
    }
  }
  return true;
}

SendResult send_mail(const SmtpSettings& smtp, const MailMessage& message) {
  // Refused before any connection: a header value with a line break would
  // let text smuggle in headers or SMTP commands.
  if (!is_safe_mail_address(message.to)) {
    return failed(true, "Het adres van de ontvanger is ongeldig / the recipient address is invalid");
  }
  if (!is_safe_mail_address(smtp.from)) {
    return failed(true, "Het afzenderadres is ongeldig / the sender address is invalid");
  }
  if (has_line_break(message.subject)) {
    return failed(true, "Het onderwerp bevat een regelovergang / the subject contains a line break");
  }
  if (!is_plain_host(smtp.host) || smtp.port == 0) {
    return failed(true,
                  "De mailserver is onjuist ingesteld (host of poort) / the mail relay's host or port is invalid");
  }
  if (!smtp.starttls && !is_loopback_host(smtp.host)) {
    return failed(true,
                  "Versturen zonder STARTTLS mag alleen naar een mailserver op deze machine / "
                  "sending without STARTTLS is allowed only to a relay on loopback");
  }
  if (smtp.timeout_seconds <= 0) {
    return failed(true, "De time-out voor de mailserver moet positief zijn / the mail relay timeout must be positive");
  }

  const bool ipv6 = smtp.host.find(':') != std::string::npos;
  const std::string authority = (ipv6 ? "[" + smtp.host + "]" : smtp.host) + ":" + std::to_string(smtp.port);
  const Peer peer{"de mailserver", "the mail relay", authority};

  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string message_id = message_id_for(smtp.from);
  const std::string wire = mail::compose(
      mail::Envelope{smtp.from, message.to, message.subject, message.text, static_cast<std::int64_t>(now), message_id});
  Exchange exchange{wire, Phase::connect};

  // Declared before the handle, which may still write to it while it is cleaned up.
  std::array<char, CURL_ERROR_SIZE> curl_message{};
  const curl::Easy easy = curl::make_easy();
  CURL* h = easy.get();
  const std::string url = "smtp://" + authority;
  const std::string mail_from = "<" + smtp.from + ">";
  const std::string rcpt_to = "<" + message.to + ">";
  curl::List recipients;
  curl::append(recipients, rcpt_to.c_str());
  const PasswordCopy password(smtp.password);

  // Options are set on a fresh handle with valid values: they cannot fail
  // except on allocation, which perform then reports.
  (void)curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_message.data());
  (void)curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  (void)curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  (void)curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp");
  (void)curl_easy_setopt(h, CURLOPT_PROXY, "");  // a mail relay is reached directly
  (void)curl_easy_setopt(h, CURLOPT_USE_SSL,
                         smtp.starttls ? static_cast<long>(CURLUSESSL_ALL) : static_cast<long>(CURLUSESSL_NONE));
  (void)curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  (void)curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  (void)curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!smtp.ca_file.empty()) (void)curl_easy_setopt(h, CURLOPT_CAINFO, smtp.ca_file.c_str());
  if (!smtp.username.empty()) {
    (void)curl_easy_setopt(h, CURLOPT_USERNAME, smtp.username.c_str());
    (void)curl_easy_setopt(h, CURLOPT_PASSWORD, password.c_str());
  }
  (void)curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
  (void)curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  (void)curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  (void)curl_easy_setopt(h, CURLOPT_READFUNCTION, &read_message);
  (void)curl_easy_setopt(h, CURLOPT_READDATA, &exchange);
  (void)curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(wire.size()));
  (void)curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(smtp.timeout_seconds));
  (void)curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(smtp.timeout_seconds));
  curl::allow_cancel(h, smtp.cancel);
  // Verbose only so the command watcher sees each command; nothing is printed.
  (void)curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, &watch_commands);
  (void)curl_easy_setopt(h, CURLOPT_DEBUGDATA, &exchange);
  (void)curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);

  const CURLcode code = curl_easy_perform(h);
  if (code == CURLE_OK) return SendResult{true, false, {}};

  long reply = 0;
  (void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
  if (code == CURLE_USE_SSL_FAILED) {
    // The relay or something between us strips STARTTLS: mail would go in
    // clear. A configuration matter, so retrying alone will not help.
    return failed(true, "De mailserver biedt geen STARTTLS aan; er is niets verstuurd (" + authority +
                            ") / the mail relay does not offer STARTTLS; nothing was sent (" + authority + ")");
  }
  if (code == CURLE_LOGIN_DENIED) {
    return from_reply(Phase::auth, reply >= 400 && reply < 600 ? reply : 535, peer);
  }
  if (auto connection = connection_failure(h, code, curl_message.data(), peer, smtp.timeout_seconds))
    return *connection;
  if (reply > 0) return from_reply(exchange.phase, reply, peer);
  return failed(false, "Het versturen naar de mailserver is mislukt (curl " + std::to_string(static_cast<int>(code)) +
                           ", " + authority + ") / sending to the mail relay failed (curl " +
                           std::to_string(static_cast<int>(code)) + ", " + authority + ")");
}

}  // namespace signalnode::node::notify
