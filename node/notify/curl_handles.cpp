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

}  // namespace signalnode::node::notify::curl
