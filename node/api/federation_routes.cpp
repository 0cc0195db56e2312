#include "node/api/federation_routes.hpp"

#include <boost/json.hpp>

#include <cmath>

#include "crypto/bytes.hpp"
#include "node/federation/paths.hpp"

namespace signalnode::node::api {

void add_federation_routes(Router& router, FederationRouteServices services) {
  auto s = std::make_shared<FederationRouteServices>(std::move(services));
  router.add("GET", "/federation/v1/healthz", Access::open(), [s](RouteContext ctx, Respond r) {
    r(json_response(200, boost::json::serialize(boost::json::object{
                             {"org", s->org},
                             {"peer", ctx.request.peer_org},
                             {"manifestSha256", crypto::to_hex(s->manifest()->sha256)}})));
  });
  router.add("POST", std::string(federation::kBatchesPath), Access::open().with_body("application/octet-stream"),
             [s](RouteContext ctx, Respond r) { s->receive_batch(ctx.request, std::move(r)); });
  router.add("POST", std::string(federation::kEvaluatePath), Access::open(), [s](RouteContext ctx, Respond r) {
    if (!s->pa) return r(problem(404, "not-the-authority", "Not found", "this node is not the pseudonymisation authority"));
    auto result = s->pa->evaluate_json(ctx.request.peer_org, ctx.request.body);
    if (auto* answer = std::get_if<pseudonyms::PaAnswer>(&result)) {
      return r(json_response(200, pseudonyms::pa_answer_json(*answer)));
    }
    const auto& refusal = std::get<pseudonyms::PaRefusal>(result);
    HttpResponse response = refusal.status == 429
                                ? problem(429, refusal.code, "Too many requests", refusal.error.reason)
                                : invalid_field(refusal.error, refusal.status);
    if (refusal.status == 429) {
      response.headers.emplace_back("Retry-After",
                                    std::to_string(static_cast<long>(std::ceil(refusal.retry_after_seconds))));
    }
    r(std::move(response));
  });
}

}  // namespace signalnode::node::api
