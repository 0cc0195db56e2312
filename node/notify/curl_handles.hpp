// RAII owners for libcurl handles. Used by node/notify (mail, webhooks) and
// node/auth/oidc_http.cpp (the identity provider); nothing else includes curl.h.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <memory>

namespace signalnode::node::notify::curl {

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct StringDeleter {
  void operator()(char* text) const { curl_free(text); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using List = std::unique_ptr<curl_slist, ListDeleter>;
using Url = std::unique_ptr<CURLU, UrlDeleter>;
using String = std::unique_ptr<char, StringDeleter>;

// A fresh easy handle, after curl_global_init ran once for the process (it is
// not thread-safe itself, so every caller goes through here). Throws when
// libcurl cannot allocate.
[[nodiscard]] Easy make_easy();

// Appends to a header or recipient list; the list owner stays intact on
// failure (curl_slist_append returns null and leaves the old list alone).
void append(List& list, const char* item);

// Lets `cancel` end a transfer under way (CURLE_ABORTED_BY_CALLBACK): curl
// asks about once a second, and at every step of the exchange.
void allow_cancel(CURL* handle, const std::atomic<bool>* cancel);

}  // namespace signalnode::node::notify::curl
