#include "node/http/problem.hpp"

#include <boost/json.hpp>

namespace signalnode::node::http {
namespace json = boost::json;

namespace {
json::object base(int status, std::string_view code, std::string_view title, std::string_view detail) {
  return json::object{{"type", "urn:signalnode:problem:" + std::string(code)},
                      {"title", title},
                      {"status", status},
                      {"detail", detail}};
}
}  // namespace

HttpResponse problem(int status, std::string_view code, std::string_view title, std::string_view detail) {
  return {status, "application/problem+json", json::serialize(base(status, code, title, detail)), {}};
}

HttpResponse invalid_field(const protocol::FieldError& error, int status) {
  const std::string name = error.field.substr(0, 64);  // may be a caller's own key
  json::object o = base(status, "invalid-field", "Invalid input", name + " " + error.reason);
  o["invalidParams"] = json::array{json::object{{"name", name}, {"reason", error.reason}}};
  return {status, "application/problem+json", json::serialize(o), {}};
}

HttpResponse invalid_fields(const std::vector<protocol::FieldError>& errors, int status) {
  if (errors.empty()) return invalid_field({"body", "is not valid"}, status);
  json::object o = base(status, "invalid-field", "Invalid input",
                        errors.size() == 1 ? errors.front().field.substr(0, 64) + " " + errors.front().reason
                                           : std::to_string(errors.size()) + " fields are not valid; the first: " +
                                                 errors.front().field.substr(0, 64) + " " + errors.front().reason);
  // At most 50 (a hostile body can name thousands of unknown keys), each
  // name cut to 64 bytes: the answer stays small whatever was sent.
  json::array params;
  for (std::size_t i = 0; i < errors.size() && i < 50; ++i) {
    params.push_back(json::object{{"name", errors[i].field.substr(0, 64)}, {"reason", errors[i].reason}});
  }
  o["invalidParams"] = std::move(params);
  return {status, "application/problem+json", json::serialize(o), {}};
}

HttpResponse json_response(int status, std::string body) { return {status, "application/json", std::move(body), {}}; }

HttpResponse internal_error() {
  return problem(500, "internal", "Internal error", "the node could not handle this request; it was logged");
}

}  // namespace signalnode::node::http

namespace signalnode::node::http {

HttpResponse node_stopping() {
  HttpResponse r = problem(503, "stopping", "De node stopt / The node is stopping",
                           "De node stopt; probeer het over enkele seconden opnieuw / the node is stopping; try again "
                           "in a few seconds");
  r.headers.emplace_back("Retry-After", "5");
  return r;
}

}  // namespace signalnode::node::http
