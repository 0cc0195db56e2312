#include "node/api/federation_routes.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <optional>

#include "crypto/bytes.hpp"
#include "node/federation/configuration_sync.hpp"
#include "node/federation/paths.hpp"
#include "policies/record_fields.hpp"

namespace signalnode::node::api {

namespace json = boost::json;

namespace {

// A receipt, or a problem document saying why the batch as a whole was
// refused: for the sending node's log and its officer's view.
HttpResponse batch_response(sharing::ReceiveOutcome outcome) {
  using Kind = sharing::ReceiveOutcome::Kind;
  if (outcome.kind == Kind::receipt) return {200, "application/octet-stream", std::move(outcome.receipt), {}};
  if (outcome.kind == Kind::over_budget) {
    HttpResponse r = problem(429, "partner-budget", "Too many requests", outcome.reason);
    r.headers.emplace_back("Retry-After", std::to_string(static_cast<long>(std::ceil(outcome.retry_after_seconds))));
    return r;
  }
  int status = outcome.kind == Kind::not_from_peer ? 403 : 400;
  return problem(status, "batch-refused", "Batch refused", outcome.reason);
}

// The PA's answer to one partner's blinded elements, or why it refuses.
HttpResponse evaluate(pseudonyms::PaService& pa, const HttpRequest& request) {
  auto result = pa.evaluate_json(request.peer_org, request.body);
  if (auto* answer = std::get_if<pseudonyms::PaAnswer>(&result)) {
    return json_response(200, pseudonyms::pa_answer_json(*answer));
  }
  const auto& refusal = std::get<pseudonyms::PaRefusal>(result);
  using Kind = pseudonyms::PaRefusal::Kind;
  std::string_view code;  // the problem type of a 429
  switch (refusal.kind) {
    case Kind::invalid: return invalid_field(refusal.error, 400);
    case Kind::rate_limited: code = "rate-limited"; break;
    case Kind::over_budget: code = "budget-exhausted"; break;
  }
  HttpResponse response = problem(429, code, "Too many requests", refusal.error.reason);
  response.headers.emplace_back("Retry-After", std::to_string(static_cast<long>(std::ceil(refusal.retry_after_seconds))));
  return response;
}

// A partner that sends more than its budget gets a retryable answer before
// anything of the batch is decoded, stored or audited: a flood costs the
// sender its retries, not this node's disk.
std::optional<HttpResponse> over_budget(const FederationRouteServices& s, const HttpRequest& request) {
  auto now = limits::RateLimiter::Clock::now();
  double wait = 0;
  if (s.batch_budget) wait = s.batch_budget->try_take(request.peer_org, 1, now);
  if (wait == 0 && s.byte_budget) wait = s.byte_budget->try_take(request.peer_org, static_cast<double>(request.body.size()), now);
  if (wait == 0) return std::nullopt;
  HttpResponse r = problem(429, "partner-budget", "Too many requests",
                           "this partner's batches exceed the receiving node's budget per minute; retry later");
  r.headers.emplace_back("Retry-After", std::to_string(wait < 0 ? 60 : static_cast<long>(std::ceil(wait))));
  return r;
}

json::object configuration_json(const federation::SignedConfiguration& d) {
  json::array signers;
  for (const auto& signer : d.signers) signers.push_back(json::string(signer.name));
  return {{"version", d.version},
          {"effectiveFrom", d.effective_from},
          {"sha256", crypto::to_hex(d.sha256())},
          {"signers", std::move(signers)},
          {"threshold", d.threshold},
          {"signatures", d.signatures.size()}};
}

}  // namespace

void add_federation_admin_routes(Router& router, std::function<federation::ConfigurationStatus()> status) {
  router.add("GET", "/api/v1/federation/configuration", Access::only({auth::Role::admin}),
             [status = std::move(status)](RouteContext, Respond r) {
               auto s = status();
               json::array pending;
               for (const auto& d : s.pending) pending.push_back(configuration_json(d));
               json::object body{{"inForce", s.in_force ? json::value(configuration_json(*s.in_force)) : json::value(nullptr)},
                                 {"pending", std::move(pending)},
                                 {"lastRefusal", nullptr}};
               if (s.last_refusal && s.last_refusal->refusal) {
                 const auto& refusal = *s.last_refusal->refusal;
                 body["lastRefusal"] = json::object{{"source", s.last_refusal->source},
                                                    {"version", s.last_refusal->version},
                                                    {"reason", federation::refusal_code(refusal.kind)},
                                                    {"field", refusal.field},
                                                    {"message", refusal.nl},
                                                    {"messageEn", refusal.en}};
               }
               r(json_response(200, json::serialize(body)));
             });
}

void add_federation_routes(Router& router, FederationRouteServices services) {
  auto s = std::make_shared<FederationRouteServices>(std::move(services));
  router.add("GET", "/federation/v1/healthz", Access::open(), [s](RouteContext ctx, Respond r) {
    r(json_response(200, boost::json::serialize(boost::json::object{
                             {"org", s->org},
                             {"peer", ctx.request.peer_org},
                             {"manifestSha256", crypto::to_hex(s->manifest()->sha256)}})));
  });
  router.add("POST", std::string(federation::kBatchesPath), Access::open().with_body("application/octet-stream"),
             [s](RouteContext ctx, Respond r) {
               if (auto refusal = over_budget(*s, ctx.request)) return r(std::move(*refusal));
               // The batch is stored on the receive lane, never on this I/O
               // thread: storing waits for the commit's fsync.
               auto request = std::make_shared<HttpRequest>(ctx.request);
               post_answering(
                   s->lane, [s, request](const Respond& answer) { answer(batch_response(s->receive_batch(*request))); },
                   std::move(r));
             });
  router.add("GET", std::string(federation::kHeldPath), Access::open(), [s](RouteContext ctx, Respond r) {
    if (!s->held_records) return r(problem(404, "not-found", "Not found", "this node receives no records"));
    // Only the partner's own records (its certificate says who it is), a
    // page after a record id that is one (or from the start).
    auto query = parse_query(ctx.request.query);
    if (!query) return r(invalid_field({"query", "is not a valid query string"}));
    std::string after;
    for (const auto& [key, value] : *query) {
      if (key != "after") return r(invalid_field({key, "is not a parameter of this call"}));
      if (!value.empty() && !policies::valid_record_id(value)) {
        return r(invalid_field({"after", "must be a record id (32 lowercase hex digits)"}));
      }
      after = value;
    }
    r(json_response(200, s->held_records(ctx.request.peer_org, after)));
  });
  router.add("GET", std::string(federation::kConfigurationPath), Access::open(), [s](RouteContext ctx, Respond r) {
    if (!s->configuration) return r(problem(404, "not-found", "Not found", "this node keeps no signed configuration"));
    auto query = parse_query(ctx.request.query);
    if (!query) return r(invalid_field({"query", "is not a valid query string"}));
    std::optional<std::int64_t> after;
    for (const auto& [key, value] : *query) {
      if (key != "after") return r(invalid_field({key, "is not a parameter of this call"}));
      std::int64_t n = -1;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 0) {
        return r(invalid_field({"after", "must be a version number (a whole number, 0 or more)"}));
      }
      after = n;
    }
    auto document = s->configuration(after);
    // Nothing newer (or none at all): an empty answer, so asking costs a partner little.
    if (!document) return r(HttpResponse{204, "", "", {}});
    r(json_response(200, std::move(*document)));
  });
  router.add("POST", std::string(federation::kEvaluatePath), Access::open(), [s](RouteContext ctx, Respond r) {
    if (!s->pa) return r(problem(404, "not-the-authority", "Not found", "this node is not the pseudonymisation authority"));
    // A share holder asking the others could evaluate with t shares alone:
    // only partners that hold no share may ask.
    auto manifest = s->manifest();
    const auto* caller = manifest ? manifest->find(ctx.request.peer_org) : nullptr;
    if (caller && caller->pseudonymisation_authority) {
      return r(problem(403, "authority-caller", "Forbidden",
                       "a pseudonymisation authority may not ask another for evaluations"));
    }
    // The evaluation is audited (oprf.evaluated) before it is answered, and
    // that write waits for its commit: on the lane, not on this I/O thread.
    auto request = std::make_shared<HttpRequest>(ctx.request);
    post_answering(s->evaluate_lane, [s, request](const Respond& answer) { answer(evaluate(*s->pa, *request)); },
                   std::move(r));
  });
}

}  // namespace signalnode::node::api
