// The two HTTPS calls a relying party makes to its identity provider:
// GET (discovery, key set) and a form POST (the token request). libcurl
// through the RAII handles of node/notify/curl_handles.hpp; https:// only,
// peer and host verified (TLS 1.2 or later), no redirects followed, bounded
// connect and total time, and the answer cut off past `max_bytes`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace signalnode::node::auth {

struct HttpsCall {
  std::string ca_file;  // empty: the system's trusted authorities
  int connect_timeout_seconds = 5;
  int timeout_seconds = 10;
  std::size_t max_bytes = 64 * 1024;
};

struct HttpsAnswer {
  long status = 0;
  std::string body;
};

// nullopt: not reached (refused URL, connection, TLS, deadline, too large);
// `why` then says so in English for the audit log (never a secret).
std::optional<HttpsAnswer> https_get(const HttpsCall& call, const std::string& url, std::string& why);
// application/x-www-form-urlencoded `form`, HTTP Basic with `user` and
// `password` (each percent-encoded first, RFC 6749 section 2.3.1).
std::optional<HttpsAnswer> https_post_form(const HttpsCall& call, const std::string& url, const std::string& form,
                                           std::string_view user, std::string_view password, std::string& why);

}  // namespace signalnode::node::auth
