#include "node/auth/oidc_http.hpp"

#include <array>

#include "crypto/bytes.hpp"
#include "node/auth/base64url.hpp"
#include "node/notify/curl_handles.hpp"
#include "node/notify/transfer_errors.hpp"
#include "node/version.hpp"

namespace signalnode::node::auth {
namespace curl = notify::curl;
namespace {

struct Sink {
  std::string body;
  std::size_t max = 0;
  bool too_large = false;
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t n = size * count;
  if (sink->body.size() + n > sink->max) {
    sink->too_large = true;
    return 0;  // curl ends the transfer (CURLE_WRITE_ERROR)
  }
  sink->body.append(data, n);
  return n;
}

std::optional<HttpsAnswer> perform(const HttpsCall& call, const std::string& url, const std::string* form,
                                   std::string_view user, std::string_view password, std::string& why) {
  if (!url.starts_with("https://") || url.size() > 2048) {
    why = "the provider's address is not an https:// URL";
    return std::nullopt;
  }
  Sink sink;
  sink.max = call.max_bytes;
  std::array<char, CURL_ERROR_SIZE> curl_message{};
  const curl::Easy easy = curl::make_easy();
  CURL* h = easy.get();
  curl::List headers;
  curl::append(headers, "Accept: application/json");
  const std::string user_agent = std::string("signalnode/") + kVersion;
  (void)curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_message.data());
  (void)curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  (void)curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  (void)curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
  (void)curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  notify::set_no_proxy_for_loopback(h);
  (void)curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  (void)curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  (void)curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!call.ca_file.empty()) (void)curl_easy_setopt(h, CURLOPT_CAINFO, call.ca_file.c_str());
  (void)curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent.c_str());
  (void)curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &collect);
  (void)curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  (void)curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(call.max_bytes));
  (void)curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(call.connect_timeout_seconds));
  (void)curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(call.timeout_seconds));
  // HTTP Basic of the form-encoded id and secret (curl encodes and keeps
  // its own copy until cleanup); our copies are wiped when the call ends.
  std::string encoded_user, encoded_password;
  if (form) {
    encoded_user = percent_encode(user);
    encoded_password = percent_encode(password);
    curl::append(headers, "Content-Type: application/x-www-form-urlencoded");
    (void)curl_easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    (void)curl_easy_setopt(h, CURLOPT_USERNAME, encoded_user.c_str());
    (void)curl_easy_setopt(h, CURLOPT_PASSWORD, encoded_password.c_str());
    (void)curl_easy_setopt(h, CURLOPT_POST, 1L);
    (void)curl_easy_setopt(h, CURLOPT_POSTFIELDS, form->c_str());
    (void)curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(form->size()));
  }
  (void)curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  const CURLcode code = curl_easy_perform(h);
  crypto::wipe(encoded_password.data(), encoded_password.size());
  if (code != CURLE_OK) {
    if (sink.too_large || code == CURLE_FILESIZE_EXCEEDED) {
      why = "the provider's answer is larger than " + std::to_string(call.max_bytes / 1024) + " KiB";
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
      why = "the provider did not answer within " + std::to_string(call.timeout_seconds) + " seconds";
    } else {
      why = std::string("the provider could not be reached (") + curl_easy_strerror(code) + ")";
    }
    return std::nullopt;
  }
  HttpsAnswer answer;
  (void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &answer.status);
  answer.body = std::move(sink.body);
  return answer;
}

}  // namespace

std::optional<HttpsAnswer> https_get(const HttpsCall& call, const std::string& url, std::string& why) {
  return perform(call, url, nullptr, {}, {}, why);
}

std::optional<HttpsAnswer> https_post_form(const HttpsCall& call, const std::string& url, const std::string& form,
                                           std::string_view user, std::string_view password, std::string& why) {
  return perform(call, url, &form, user, password, why);
}

}  // namespace signalnode::node::auth
