#include <boost/json.hpp>

#include "node/api/node_api.hpp"
#include "node/http/problem.hpp"
#include "node/version.hpp"

namespace signalnode::embedded {
std::string_view openapi_json();
}

namespace signalnode::node::api {
namespace json = boost::json;

namespace {

std::string taxonomy_document(const policies::Taxonomy& t) {
  json::array stages;
  for (const auto& s : t.stages()) stages.push_back(json::object{{"id", s.id}, {"nl", s.nl}});
  json::array categories;
  for (const auto& c : t.categories()) {
    json::array kinds;
    for (const auto& k : c.subject_kinds) kinds.push_back(json::value(k));
    json::object o{{"id", c.id}, {"stage", c.stage}, {"en", c.en}, {"nl", c.nl}, {"subjectKinds", std::move(kinds)},
                   {"nla", c.nla}};
    if (!c.special.empty()) o["special"] = c.special;
    categories.push_back(std::move(o));
  }
  json::object kinds;
  for (const auto& [k, v] : t.subject_kinds()) kinds[k] = v;
  return json::serialize(json::object{{"version", t.version()},
                                      {"subjectKinds", std::move(kinds)},
                                      {"stages", std::move(stages)},
                                      {"categories", std::move(categories)}});
}

}  // namespace

void add_system_routes(Router& router, ApiServices& s) {
  // Built once: the taxonomy does not change while the node runs.
  auto taxonomy = std::make_shared<const std::string>(taxonomy_document(s.taxonomy));
  router.add("GET", "/api/v1/taxonomy", Access::authenticated(),
             [taxonomy](RouteContext, Respond respond) { respond(json_response(200, *taxonomy)); });

  router.add("GET", "/healthz", Access::open(), [&s](RouteContext, Respond respond) {
    bool db_ok = false;
    try {
      db_ok = s.store.ping();
    } catch (const std::exception&) {
      db_ok = false;
    }
    json::object body{{"status", db_ok ? "ok" : "degraded"},
                      {"org", s.org},
                      {"role", s.role},
                      {"version", kVersion},
                      {"database", db_ok ? "ok" : "unavailable"}};
    respond(json_response(db_ok ? 200 : 503, json::serialize(body)));
  });

  // Per-partner PA use, outbox depths and failed log-ins are not for anyone who
  // can reach the port: a scraper presents a token of the role metrics (admins,
  // who can make such tokens anyway, may read it too).
  router.add("GET", "/metrics", Access::only({auth::Role::metrics, auth::Role::admin}),
             [&s](RouteContext, Respond respond) {
               respond(HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", s.metrics.render(), {}});
             });

  router.add("GET", "/openapi.json", Access::open(), [](RouteContext, Respond respond) {
    respond(json_response(200, std::string(embedded::openapi_json())));
  });
}

}  // namespace signalnode::node::api
