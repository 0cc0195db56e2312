// A problem document in the reader's language: its field names can be a
// caller's own keys, so any bytes (as the body of a problem, and as an
// Accept-Language header) must come out without a crash, within bounds.
#include <cstdint>
#include <string>
#include <string_view>

#include "node/http/problem_language.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = signalnode::node::http;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto language = http::preferred_language(input.substr(0, 200));
  for (auto lang : {language, http::Language::nl, http::Language::en}) {
    http::HttpResponse r{400, "application/problem+json", std::string(input), {}};
    http::localise_problem(r, lang);
    if (http::field_label(input, lang).size() > 200) __builtin_trap();
  }
  return 0;
}
