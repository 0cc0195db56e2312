#include "node/api/outcome.hpp"

#include <boost/json.hpp>

#include "node/http/problem.hpp"

namespace signalnode::node::api {

http::HttpResponse outcome_response(const sharing::Outcome& outcome, std::string_view conflict_code,
                                    std::string_view conflict_title) {
  using Kind = sharing::Outcome::Kind;
  switch (outcome.kind) {
    case Kind::done: return http::json_response(200, boost::json::serialize(outcome.body));
    case Kind::queued: return http::json_response(202, boost::json::serialize(outcome.body));
    case Kind::invalid: return http::invalid_field({outcome.field, outcome.detail});
    case Kind::not_found: return http::problem(404, "not-found", "Not found", outcome.detail);
    case Kind::conflict: return http::problem(409, conflict_code, conflict_title, outcome.detail);
    case Kind::forbidden: return http::problem(403, "forbidden", "Forbidden", outcome.detail);
  }
  return http::problem(500, "internal", "Internal error", "unknown outcome");
}

}  // namespace signalnode::node::api
