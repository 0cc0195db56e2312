// GET /api/v1/alerts (analyst): where partners' records (and own signals)
// meet on one subject; POST /api/v1/alerts/{id}/notices tells the sources.
#include <boost/json.hpp>

#include "crypto/bytes.hpp"
#include "node/alerts/alerts.hpp"
#include "node/api/node_api.hpp"
#include "node/http/problem.hpp"
#include "node/api/outcome.hpp"
#include "node/sharing/sharing.hpp"
#include "node/signals/signal_json.hpp"

namespace signalnode::node::api {
namespace json = boost::json;

namespace {
json::array strings(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& v : values) out.push_back(json::value(v));
  return out;
}
}  // namespace

void add_alert_routes(Router& router, ApiServices& s) {
  router.add("GET", "/api/v1/alerts", Access::only({auth::Role::analyst}), [&s](RouteContext ctx, Respond respond) {
    auto query = parse_query(ctx.request.query);
    if (!query) return respond(invalid_field({"query", "is not a valid query string"}));
    alerts::AlertQuery q;
    auto& limit = q.limit;
    auto& kind = q.kind;
    for (const auto& [key, value] : *query) {
      if (key == "kind") {
        if (value != "bundle" && value != "hit") return respond(invalid_field({"kind", "must be bundle or hit"}));
        kind = value;
        continue;
      }
      if (key != "limit") return respond(invalid_field({key, "is not a known query parameter"}));
      auto n = parse_int_in(value, 1, 500);
      if (!n) return respond(invalid_field({"limit", "must be a whole number from 1 to 500"}));
      limit = *n;
    }
    json::array items;
    for (const auto& alert : alerts::Alerts(s.store).list(q)) {
      json::object a;
      a["id"] = alert.id;
      a["kind"] = alert.kind;
      a["subject"] = json::object{{"idKind", alert.id_kind}, {"pseudonym", crypto::to_hex(alert.pseudonym)}};
      a["organisations"] = strings(alert.organisations);
      a["categories"] = strings(alert.categories);
      a["records"] = strings(alert.records);  // inbox record ids, as in GET /api/v1/inbox
      a["signals"] = strings(alert.signals);  // own signal ids (hits), as in GET /api/v1/signals
      a["firstSeen"] = signals::iso8601_utc(alert.first_seen_ms);
      a["lastSeen"] = signals::iso8601_utc(alert.last_seen_ms);
      a["updatedAt"] = signals::iso8601_utc(alert.updated_at_ms);
      items.push_back(std::move(a));
    }
    respond(json_response(200, json::serialize(json::object{{"items", std::move(items)}})));
  });
  // The sources of a bundle's records are told their subject is part of one,
  // with what each record's rule grants (docs/protocol.md, bundle notices).
  router.add("POST", "/api/v1/alerts/{id}/notices", Access::only({auth::Role::analyst}),
             [&s](RouteContext ctx, Respond respond) {
               const std::string& id = ctx.params.at("id");
               auto policy = s.policy ? s.policy() : nullptr;
               if (!policy || !s.sharing) {
                 return respond(problem(409, "no-federation", "No federation", "this node shares with no partner"));
               }
               if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
                 return respond(problem(404, "not-found", "Not found", "no alert with this id"));
               }
               run_after_commit(s, [&s, id, policy](const Respond& answer) {
                 auto result = s.sharing->follow_ups.send_notices(id, *policy);
                 if (result.kind == sharing::Outcome::Kind::queued && s.on_signal_stored) s.on_signal_stored();
                 answer(outcome_response(result, "not-a-bundle", "Not a bundle"));
               }, std::move(respond));
             });
}

}  // namespace signalnode::node::api
