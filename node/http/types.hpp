// HTTP messages as plain structs, shared by the server and client (node/net),
// the API routes and the federation: nothing above node/net includes
// Boost.Beast. node/http is the lowest layer of node/ and includes none of it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace signalnode::node::http {

struct HttpRequest {
  std::string method;  // upper case
  std::string path;    // without the query string
  std::string query;   // after '?', undecoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower case
  std::string body;
  // On the federation listener: the manifest partner whose certificate the
  // client presented (checked before any request byte was read). Empty on the API.
  std::string peer_org;
  // The client's IP address (rate limiting of logins).
  std::string remote_address;

  // Empty when absent.
  std::string_view header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return v;
    }
    return {};
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Handlers answer exactly once, possibly later and from another thread (after
// a database commit, say).
using Respond = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest&&, Respond)>;

}  // namespace signalnode::node::http
