#include "node/notify/curl_handles.hpp"

#include <mutex>
#include <new>
#include <stdexcept>

namespace signalnode::node::notify::curl {

Easy make_easy() {
  static std::once_flag once;
  static CURLcode init_result = CURLE_OK;
  // Never cleaned up: other threads may still hold handles at exit, and
  // curl_global_cleanup is as thread-unsafe as the init.
  std::call_once(once, [] { init_result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init_result != CURLE_OK) throw std::runtime_error("libcurl could not be initialised");
  Easy handle(curl_easy_init());
  if (!handle) throw std::bad_alloc();
  return handle;
}

void append(List& list, const char* item) {
  curl_slist* longer = curl_slist_append(list.get(), item);
  if (!longer) throw std::bad_alloc();
  (void)list.release();  // now owned through `longer` (same head, or a new one)
  list.reset(longer);
}

namespace {
int check_cancel(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(cancel)->load() ? 1 : 0;
}
}  // namespace

void allow_cancel(CURL* handle, const std::atomic<bool>* cancel) {
  if (!cancel) return;
  (void)curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  (void)curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, &check_cancel);
  (void)curl_easy_setopt(handle, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(cancel));
}

}  // namespace signalnode::node::notify::curl
