// Signed webhook POSTs. The receiver checks X-Signalnode-Signature over
// "<timestamp>.<body>" and rejects old timestamps, so a captured request can
// neither be altered nor replayed later (docs/notifications-transport.md).
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <memory>
#include <stdexcept>

#include "node/notify/curl_handles.hpp"
#include "node/notify/transfer_errors.hpp"
#include "node/notify/transport.hpp"
#include "node/version.hpp"

namespace signalnode::node::notify {
namespace {

struct MacDeleter {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};
struct MacContextDeleter {
  void operator()(EVP_MAC_CTX* context) const { EVP_MAC_CTX_free(context); }
};

std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

std::string part(CURLU* url, CURLUPart which, unsigned flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(url, which, &raw, flags) != CURLUE_OK || !raw) return {};
  const curl::String owned(raw);
  return owned.get();
}

std::string lowercase(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "[::1]" || host == "::1" || host == "localhost";
}

SendResult invalid_url(std::string_view why_nl, std::string_view why_en) {
  // Never the URL itself: its path or query may carry a receiver's token.
  return failed(true, "Het webhook-adres is ongeldig: " + std::string(why_nl) +
                          " / the webhook URL is invalid: " + std::string(why_en));
}

SendResult from_status(long status, const std::string& where) {
  const std::string http = "HTTP " + std::to_string(status);
  if (status >= 200 && status < 300) return SendResult{true, false, {}};
  if (status >= 300 && status < 400) {
    return failed(true, "De webhook-ontvanger stuurt door (" + http + ", " + where +
                            "); doorverwijzingen worden niet gevolgd, stel het eindadres in / the webhook receiver "
                            "redirects (" +
                            http + ", " + where + "); redirects are not followed, configure the final URL");
  }
  if (status == 408 || status == 429) {
    return failed(false, "De webhook-ontvanger vraagt later opnieuw te proberen (" + http + ", " + where +
                             ") / the webhook receiver asks to retry later (" + http + ", " + where + ")");
  }
  if (status >= 400 && status < 500) {
    return failed(true, "De webhook-ontvanger weigert het bericht (" + http + ", " + where +
                            ") / the webhook receiver refused the message (" + http + ", " + where + ")");
  }
  return failed(false, "De webhook-ontvanger heeft een storing (" + http + ", " + where +
                           ") / the webhook receiver failed (" + http + ", " + where + ")");
}

}  // namespace

std::string webhook_signature(crypto::ByteView secret, std::int64_t unix_seconds, std::string_view body) {
  const std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr));
  if (!mac) throw std::runtime_error("HMAC is not available in OpenSSL");
  const std::unique_ptr<EVP_MAC_CTX, MacContextDeleter> context(EVP_MAC_CTX_new(mac.get()));
  if (!context) throw std::bad_alloc();
  char digest_name[] = "SHA256";
  const std::array<OSSL_PARAM, 2> params{OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                                         OSSL_PARAM_construct_end()};
  // A null key means "keep the previous key" to OpenSSL, so an empty secret
  // still passes a valid pointer.
  static const std::uint8_t kNoKey = 0;
  const std::uint8_t* key = secret.empty() ? &kNoKey : secret.data();
  const std::string prefix = std::to_string(unix_seconds) + ".";
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  std::size_t out_size = 0;
  if (EVP_MAC_init(context.get(), key, secret.size(), params.data()) != 1 ||
      EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(prefix.data()), prefix.size()) != 1 ||
      EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(body.data()), body.size()) != 1 ||
      EVP_MAC_final(context.get(), out.data(), &out_size, out.size()) != 1) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return "sha256=" + crypto::to_hex(crypto::ByteView(out.data(), out_size));
}

SendResult post_webhook(const WebhookTarget& target, std::string_view json_body, std::int64_t unix_seconds) {
  const curl::Url url(curl_url());
  if (!url) throw std::bad_alloc();
  if (curl_url_set(url.get(), CURLUPART_URL, target.url.c_str(), 0) != CURLUE_OK) {
    return invalid_url("het is geen volledig adres", "it is not an absolute URL");
  }
  const std::string scheme = lowercase(part(url.get(), CURLUPART_SCHEME));
  const std::string host = lowercase(part(url.get(), CURLUPART_HOST));
  const std::string port = part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (host.empty()) return invalid_url("er staat geen host in", "it has no host");
  if (!part(url.get(), CURLUPART_USER).empty()) {
    return invalid_url("er staan inloggegevens in; gebruik het gedeelde geheim",
                       "it carries credentials; use the shared secret");
  }
  if (scheme != "https" && !(scheme == "http" && is_loopback(host))) {
    return invalid_url("alleen https:// is toegestaan (http:// alleen naar deze machine)",
                       "only https:// is allowed (http:// only to loopback)");
  }
  if (target.secret.size() == 0) {
    return failed(true, "Het geheim voor de webhook ontbreekt / the webhook secret is missing");
  }
  if (target.timeout_seconds <= 0) {
    return failed(true, "De time-out voor de webhook moet positief zijn / the webhook timeout must be positive");
  }
  const Peer peer{"de webhook-ontvanger", "the webhook receiver", host + ":" + port};

  const std::string timestamp = std::to_string(unix_seconds);
  const std::string timestamp_header = "X-Signalnode-Timestamp: " + timestamp;
  const std::string signature_header =
      "X-Signalnode-Signature: " + webhook_signature(target.secret.view(), unix_seconds, json_body);
  curl::List headers;
  curl::append(headers, "Content-Type: application/json");
  curl::append(headers, timestamp_header.c_str());
  curl::append(headers, signature_header.c_str());
  curl::append(headers, "Expect:");  // no 100-continue round trip for larger bodies
  const std::string user_agent = std::string("signalnode/") + kVersion;

  // Declared before the handle, which may still write to it while it is cleaned up.
  std::array<char, CURL_ERROR_SIZE> curl_message{};
  const curl::Easy easy = curl::make_easy();
  CURL* h = easy.get();
  // Options are set on a fresh handle with valid values: they cannot fail
  // except on allocation, which perform then reports.
  (void)curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_message.data());
  (void)curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  (void)curl_easy_setopt(h, CURLOPT_CURLU, url.get());
  // Only the scheme checked above, and no redirects: a 3xx is reported, not
  // followed, so a receiver cannot send the signed body elsewhere.
  (void)curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, scheme.c_str());
  (void)curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  set_no_proxy_for_loopback(h);
  (void)curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  (void)curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  (void)curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!target.ca_file.empty()) (void)curl_easy_setopt(h, CURLOPT_CAINFO, target.ca_file.c_str());
  (void)curl_easy_setopt(h, CURLOPT_POST, 1L);
  // Never a null pointer: with one, curl would read the body from stdin.
  (void)curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body.empty() ? "" : json_body.data());
  (void)curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json_body.size()));
  (void)curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  (void)curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent.c_str());
  (void)curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &discard);
  (void)curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(target.timeout_seconds));
  (void)curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(target.timeout_seconds));
  curl::allow_cancel(h, target.cancel);

  const CURLcode code = curl_easy_perform(h);
  if (code == CURLE_OK) {
    long status = 0;
    (void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return from_status(status, peer.where);
  }
  if (auto connection = connection_failure(h, code, curl_message.data(), peer, target.timeout_seconds))
    return *connection;
  return failed(false, "Het versturen naar de webhook-ontvanger is mislukt (curl " +
                           std::to_string(static_cast<int>(code)) + ", " + peer.where +
                           ") / sending to the webhook receiver failed (curl " +
                           std::to_string(static_cast<int>(code)) + ", " + peer.where + ")");
}

}  // namespace signalnode::node::notify
