#include "node/http/api_version.hpp"

#include <algorithm>
#include <cctype>

#include "node/version.hpp"

namespace signalnode::node::http {

std::string_view api_version() { return kVersion; }

void add_api_version(HttpResponse& response) {
  auto same_name = [](const std::pair<std::string, std::string>& h) {
    return std::equal(h.first.begin(), h.first.end(), kApiVersionHeader.begin(), kApiVersionHeader.end(),
                      [](char a, char b) {
                        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
                      });
  };
  std::erase_if(response.headers, same_name);
  response.headers.emplace_back(kApiVersionHeader, api_version());
}

}  // namespace signalnode::node::http
