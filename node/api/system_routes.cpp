#include <boost/json.hpp>

#include <algorithm>

#include "node/api/node_api.hpp"
#include "node/sharing/sharing.hpp"
#include "node/signals/signal_json.hpp"
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

// A node that is not healthy answers an RFC 9457 problem document (NL API
// Design Rules, /core/error-handling): type, title, status 503 and a detail
// that names what fails, with the same health members as a healthy answer
// beside them (its string "status" gives way to the problem's number).
HttpResponse degraded_problem(json::object health, bool db_ok, bool writes_ok) {
  const char* detail = !db_ok       ? "the database cannot be read; try again later"
                       : !writes_ok ? "the latest write to the database failed; try again later"
                                    : "the database's disk is nearly full; try again later";
  json::object doc{{"type", "urn:signalnode:problem:degraded"},
                   {"title", "Node degraded"},
                   {"status", 503},
                   {"detail", detail}};
  for (auto& [key, value] : health) {
    if (key != "status") doc[key] = std::move(value);
  }
  HttpResponse r{503, "application/problem+json", json::serialize(doc), {}};
  r.headers.emplace_back("Retry-After", "30");
  return r;
}

}  // namespace

void add_system_routes(Router& router, ApiServices& s) {
  // Built once: the taxonomy does not change while the node runs.
  auto taxonomy = std::make_shared<const std::string>(taxonomy_document(s.taxonomy));
  router.add("GET", "/api/v1/taxonomy", Access::authenticated(),
             [taxonomy](RouteContext, Respond respond) { respond(json_response(200, *taxonomy)); });

  // Below this much free space the node says so before SQLite fails.
  static constexpr std::uint64_t kMinFreeBytes = 64ULL * 1024 * 1024;
  router.add("GET", "/healthz", Access::open(), [&s](RouteContext, Respond respond) {
    bool db_ok = false;
    try {
      db_ok = s.store.ping();
    } catch (const std::exception&) {
      db_ok = false;
    }
    // Honest about the disk (issue 18): a database that answers reads while
    // every write fails, or a file system nearly full, is not healthy.
    const auto health = s.store.health();
    const bool writes_ok = !health.writes_failing;
    const bool disk_ok = health.free_bytes >= kMinFreeBytes;
    const bool ok = db_ok && writes_ok && disk_ok;
    json::object body{{"status", ok ? "ok" : "degraded"},
                      {"org", s.org},
                      {"role", s.role},
                      {"version", kVersion},
                      {"database", db_ok ? "ok" : "unavailable"},
                      {"writes", writes_ok ? "ok" : "failing"},
                      {"disk", json::object{{"status", disk_ok ? "ok" : "low"},
                                            {"freeBytes", health.free_bytes},
                                            {"minimumBytes", kMinFreeBytes}}}};
    // How far behind sending is: records waiting for a partner, and since
    // when (a partner away is not this node's fault, so the status stays;
    // the admin hears of a backlog, docs/notifications.md).
    if (s.sharing) {
      const auto now = epoch_ms(s.clock());
      std::int64_t depth = 0, oldest = 0, behind = 0;
      for (const auto& [partner, stats] : s.sharing->outbox.outbox_stats()) {
        if (stats.depth == 0) continue;
        depth += stats.depth;
        oldest = std::max(oldest, (now - stats.oldest_ms) / 1000);
        behind += now - stats.oldest_ms > 3'600'000 ? 1 : 0;
      }
      body["outbox"] = json::object{{"waiting", depth}, {"oldestSeconds", oldest}, {"partnersOverAnHour", behind}};
    }
    // Whether signals can get their pseudonyms: the PA as last asked (a PA
    // away holds up sharing, not this node, so the status stays), never the
    // error text.
    if (s.pa_transport && s.pa_transport()) {
      const auto now = epoch_ms(s.clock());
      const auto pa = s.pseudonymiser.reachability();
      const char* state = pa.unreachable() ? "unreachable" : pa.last_success_ms ? "ok" : "not_asked_yet";
      json::object o{{"status", state},
                     {"waiting", pa.waiting},
                     {"oldestSeconds", pa.oldest_waiting_ms ? (now - pa.oldest_waiting_ms) / 1000 : 0}};
      if (pa.unreachable()) o["unreachableSeconds"] = (now - pa.failing_since_ms) / 1000;
      if (pa.last_success_ms) o["lastAnswer"] = signals::iso8601_utc(pa.last_success_ms);
      body["pseudonymisation"] = std::move(o);
    }
    // When, not why: the error text is for the node's log, not for anyone
    // who can reach the port.
    if (!writes_ok) body["lastWriteFailure"] = json::object{{"at", signals::iso8601_utc(health.last_failure_ms)}};
    if (ok) return respond(json_response(200, json::serialize(body)));
    respond(degraded_problem(std::move(body), db_ok, writes_ok));
  });

  // Per-partner PA use, outbox depths and failed log-ins are not for anyone who
  // can reach the port: a scraper presents a token of the role metrics (admins,
  // who can make such tokens anyway, may read it too).
  router.add("GET", "/metrics", Access::only({auth::Role::metrics, auth::Role::admin}),
             [&s](RouteContext, Respond respond) {
               respond(HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", s.metrics.render(), {}});
             });

  // Who this node is, for the log-in page and the top bar (no token: the
  // organisation's name is on the door anyway) and the report form's
  // default municipality.
  router.add("GET", "/api/v1/about", Access::open(), [&s](RouteContext, Respond respond) {
    std::string name = s.org;
    if (auto manifest = s.manifest ? s.manifest() : nullptr) {
      if (const auto* self = manifest->find(s.org)) name = self->name;
    }
    json::object body{{"org", s.org}, {"name", name}, {"role", s.role}};
    body["municipality"] = s.municipality ? json::value(*s.municipality) : json::value(nullptr);
    // The log-in page offers sign-in through the organisation (issue 21).
    body["oidcSignIn"] = s.oidc != nullptr;
    respond(json_response(200, json::serialize(body)));
  });

  // The federation's partners by name, for the pages (an org id is no name).
  // Logged-in users only: whom the node exchanges with is not for the door.
  router.add("GET", "/api/v1/partners", Access::authenticated(), [&s](RouteContext, Respond respond) {
    json::array items;
    if (auto manifest = s.manifest ? s.manifest() : nullptr) {
      for (const auto& p : manifest->partners) {
        items.push_back(json::object{{"org", p.org}, {"name", p.name}, {"role", p.role}});
      }
    }
    respond(json_response(200, json::serialize(json::object{{"items", std::move(items)}})));
  });

  router.add("GET", "/openapi.json", Access::open(), [&s](RouteContext, Respond respond) {
    respond(json_response(200, s.openapi_document.empty() ? std::string(embedded::openapi_json()) : s.openapi_document));
  });
}

std::string openapi_with_contact(const std::string& name, const std::string& email, const std::string& url) {
  json::value doc = json::parse(embedded::openapi_json());
  doc.at("info").as_object()["contact"] = json::object{{"name", name}, {"email", email}, {"url", url}};
  return json::serialize(doc);
}

}  // namespace signalnode::node::api
