#include "node/api/json_body.hpp"

#include <boost/json.hpp>

#include "protocol/json_keys.hpp"
#include "protocol/utf8.hpp"

namespace signalnode::node::api {
namespace json = boost::json;

std::string both(std::string_view nl, std::string_view en) { return std::string(nl) + " / " + std::string(en); }

http::HttpResponse field_problem(const std::string& field, std::string_view nl, std::string_view en, int status,
                                 std::string_view code, std::string_view title) {
  json::object o{{"type", "urn:signalnode:problem:" + std::string(code)},
                 {"title", title},
                 {"status", status},
                 {"detail", field + " " + std::string(nl) + " / " + field + " " + std::string(en)},
                 {"invalidParams", json::array{json::object{{"name", field}, {"reason", both(nl, en)}}}}};
  return {status, "application/problem+json", json::serialize(o), {}};
}

// The request body as a flat JSON object with only `known` fields; else the
// answer to give.
std::optional<json::object> body_object(const http::HttpRequest& request, std::initializer_list<std::string_view> known,
                                        http::HttpResponse& error, unsigned max_depth) {
  if (!protocol::is_valid_utf8(request.body)) {
    error = field_problem("body", "is geen geldige UTF-8", "is not valid UTF-8");
    return std::nullopt;
  }
  json::parse_options options;
  options.max_depth = max_depth;
  boost::system::error_code ec;
  json::value v = json::parse(request.body, ec, json::storage_ptr(), options);
  if (ec || !v.is_object()) {
    error = field_problem("body", "moet een JSON-object zijn", "must be a JSON object");
    return std::nullopt;
  }
  if (auto dup = protocol::first_duplicate_key(request.body)) {
    error = field_problem(*dup, "komt meer dan eens voor in één object", "appears more than once in one object");
    return std::nullopt;
  }
  for (const auto& kv : v.get_object()) {
    bool ok = false;
    for (auto k : known) ok = ok || kv.key() == k;
    if (!ok) {
      error = field_problem(std::string(kv.key()).substr(0, 64), "is geen bekend veld", "is not a known field");
      return std::nullopt;
    }
  }
  return std::move(v.get_object());
}

}  // namespace signalnode::node::api
