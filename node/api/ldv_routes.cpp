// Logboek Dataverwerkingen (BRIEF 3.13): the read API of Logius' read
// extension for the privacy officer, and the register of processing
// activities the log's records point to (docs/api.md, docs/audit.md).
//
//   POST /api/v1/ldv/processing-activities  (privacy_officer)
//        {"traceId" | "processingActivityId" | "dataSubjectId", "startTime"?, "endTime"?}
//        -> 200 {"processingActivities": [...], "truncated": bool}
//   GET  /api/v1/processing-register        (any person role) -> {"items": [...]}
//   GET  /api/v1/processing-register/{id}   (any person role) -> one entry
//
// Every read, and every refused one (wrong role, bad body), is itself in the
// log; a refusal reveals nothing of the log and repeats no value it was sent.
#include <boost/json.hpp>

#include "node/api/node_api.hpp"
#include "node/audit/audit_log.hpp"
#include "node/audit/events.hpp"
#include "node/audit/ldv.hpp"
#include "node/audit/ldv_query.hpp"
#include "node/audit/ldv_reader.hpp"
#include "node/audit/processing_register.hpp"
#include "node/federation/manifest.hpp"
#include "node/http/problem.hpp"
#include "node/version.hpp"

namespace signalnode::node::api {
namespace json = boost::json;

namespace {

std::string own_oin(ApiServices& s) {
  auto manifest = s.manifest ? s.manifest() : nullptr;
  if (!manifest) return {};
  const auto* self = manifest->find(s.org);
  return self ? self->oin : std::string();
}

// The read, or its refusal, as an event of the log: in the caller's trace
// when it sent a traceparent (W3C trace context), with the pseudonym asked
// about as the record's data subject.
audit::Event read_event(const RouteContext& ctx, audit::EventName name, std::int64_t now) {
  audit::Event e;
  e.name = name;
  e.start_ms = e.end_ms = now;
  if (auto trace = audit::parse_traceparent(ctx.request.header("traceparent"))) {
    e.trace_id = trace->first;
    e.parent_span_id = trace->second;
  }
  e.attributes["by"] = ctx.principal ? ctx.principal->token_id : std::string();
  e.attributes["role"] = ctx.principal ? std::string(auth::to_string(ctx.principal->role)) : std::string();
  return e;
}

void refuse(ApiServices& s, audit::Event e, HttpResponse answer, const Respond& respond) {
  e.status = "rejected";
  if (s.audit) s.audit->append_now(e);
  respond(std::move(answer));
}

void read_processing_activities(ApiServices& s, const RouteContext& ctx, const Respond& respond) {
  const auto now = epoch_ms(s.clock());
  if (!s.audit) return respond(problem(404, "no-audit", "No audit log", "this node has no audit log"));
  if (ctx.principal->role != auth::Role::privacy_officer) {
    auto e = read_event(ctx, audit::events::kLdvReadRefused, now);
    e.attributes["field"] = "role";
    e.attributes["reason"] = "role";
    return refuse(s, std::move(e),
                  problem(403, "forbidden", "Forbidden",
                          "the role " + std::string(auth::to_string(ctx.principal->role)) + " may not use this route"),
                  respond);
  }
  auto parsed = audit::parse_ldv_query(ctx.request.body);
  if (auto* errors = std::get_if<std::vector<protocol::FieldError>>(&parsed)) {
    auto e = read_event(ctx, audit::events::kLdvReadRefused, now);
    // The log keeps the names of the query's own fields only: a key the
    // caller made up (a BSN as a key) must not enter the signed log for good.
    const auto audited = [](const std::string& field) -> std::string {
      for (std::string_view known : {"body", "traceId", "processingActivityId", "dataSubjectId", "startTime", "endTime"}) {
        if (field == known) return field;
      }
      return "(unknown field)";
    };
    json::array fields;
    for (const auto& f : *errors) fields.push_back(json::value(audited(f.field)));
    e.attributes["field"] = audited(errors->front().field);
    e.attributes["fields"] = std::move(fields);
    e.attributes["reason"] = "invalid";
    return refuse(s, std::move(e), invalid_fields(*errors), respond);
  }
  const auto& query = std::get<audit::LdvQuery>(parsed);
  audit::LdvReader reader(s.store, {s.org, own_oin(s), kVersion});
  json::object answer = reader.find(query);
  auto e = read_event(ctx, audit::events::kLdvReadPerformed, now);
  json::array selectors;
  for (const auto& k : query.selectors()) selectors.push_back(json::value(k));
  e.attributes["query"] = std::move(selectors);
  if (query.trace_id) e.attributes["traceId"] = *query.trace_id;
  if (query.activity_uri) e.attributes["processingActivityId"] = *query.activity_uri;
  e.attributes["found"] = answer.at("processingActivities").as_array().size();
  if (query.data_subject) e.data_subjects = {*query.data_subject};
  s.audit->append_now(e);
  respond(json_response(200, json::serialize(answer)));
}

}  // namespace

void add_ldv_routes(Router& router, ApiServices& s) {
  // Any person role reaches the handler, so that a refusal for the wrong role
  // is recorded too; only the privacy officer reads.
  router.add("POST", std::string(audit::ldv::kReadApiPath), Access::authenticated(),
             [&s](RouteContext ctx, Respond respond) {
               // Reading and recording the read wait for a commit: not on an I/O thread.
               auto request = std::make_shared<HttpRequest>(ctx.request);
               auto principal = ctx.principal;
               run_after_commit(
                   s,
                   [&s, request, principal](const Respond& answer) {
                     PathParams params;
                     read_processing_activities(s, RouteContext{*request, params, principal, nullptr}, answer);
                   },
                   std::move(respond));
             });
  router.add("GET", "/api/v1/processing-register", Access::authenticated(), [&s](RouteContext, Respond respond) {
    audit::ProcessingRegister reg(s.store);
    respond(json_response(200, json::serialize(json::object{{"items", reg.entries()}})));
  });
  router.add("GET", "/api/v1/processing-register/{id}", Access::authenticated(),
             [&s](RouteContext ctx, Respond respond) {
               const std::string& id = ctx.params.at("id");
               if (id.size() > 100) return respond(problem(404, "not-found", "Not found", "no such resource"));
               auto entry = audit::ProcessingRegister(s.store).find(id);
               if (!entry) return respond(problem(404, "not-found", "Not found", "no such resource"));
               respond(json_response(200, json::serialize(*entry)));
             });
}

}  // namespace signalnode::node::api
