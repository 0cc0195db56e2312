#include "protocol/utf8.hpp"

#include <utf8proc.h>

namespace signalnode::protocol {

bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    if (*p < 0x80) {  // ASCII fast path
      ++p;
      continue;
    }
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, end - p, &cp);
    if (n <= 0) return false;
    p += n;
  }
  return true;
}

}  // namespace signalnode::protocol
