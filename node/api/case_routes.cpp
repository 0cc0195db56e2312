// Cases and lookups (issue 16, BRIEF 3.9, docs/cases.md), for the analyst:
//   POST  /api/v1/cases               {"alertId"} -> 201 {"id","reference"} (200, "existing": true)
//   GET   /api/v1/cases               the list
//   GET   /api/v1/cases/{id}          one case: alerts, graph, notes, requests
//   PATCH /api/v1/cases/{id}          {"status","assignee","dueDate"}
//   POST  /api/v1/cases/{id}/notes    {"text"} -> 201
//   POST  /api/v1/lookups             {"idKind","value","purpose"} -> 200 {"items","remaining"}
// Writes wait for their commit on the store lane, lookups for the PA on the
// PA lane; no I/O thread waits on either. Errors are problem+json, Dutch first
// and English second, naming the field; never the identifier looked up.
#include <boost/json.hpp>

#include <initializer_list>

#include "node/api/json_body.hpp"
#include "node/api/node_api.hpp"
#include "node/cases/cases.hpp"
#include "node/cases/lookups.hpp"
#include "node/http/problem.hpp"
#include "node/log/log.hpp"
#include "node/sharing/sharing.hpp"
#include "node/signals/signal_json.hpp"
#include "policies/record_fields.hpp"
#include "protocol/identifiers.hpp"
#include "protocol/json_keys.hpp"
#include "protocol/utf8.hpp"

namespace signalnode::node::api {
namespace json = boost::json;

namespace {

HttpResponse case_not_found() {
  return problem(404, "not-found", "Niet gevonden / Not found",
                 both("er is geen zaak met dit id", "there is no case with this id"));
}

int http_status(cases::Refusal::Kind kind) {
  switch (kind) {
    case cases::Refusal::Kind::invalid: return 400;
    case cases::Refusal::Kind::not_found: return 404;
    case cases::Refusal::Kind::conflict: return 409;
  }
  return 400;
}

HttpResponse refusal_response(const cases::Refusal& r) {
  using Kind = cases::Refusal::Kind;
  if (r.field.empty()) {
    if (r.kind == Kind::not_found) return case_not_found();
    return problem(http_status(r.kind), "refused", "Geweigerd / Refused", both(r.nl, r.en));
  }
  if (r.kind == Kind::not_found) return field_problem(r.field, r.nl, r.en, 404, "not-found", "Niet gevonden / Not found");
  if (r.kind == Kind::conflict) return field_problem(r.field, r.nl, r.en, 409, "conflict", "Conflict / Conflict");
  return field_problem(r.field, r.nl, r.en, http_status(r.kind));
}

bool is_hex32(std::string_view id) { return policies::valid_record_id(id); }

cases::Cases make_cases(ApiServices& s) {
  cases::Cases::RequestsOfCase requests;
  if (s.sharing) requests = [&s](const std::string& id) { return s.sharing->requests.of_case(id); };
  return cases::Cases(s.store, s.pseudonymiser, [&s] { return epoch_ms(s.clock()); }, s.org, std::move(requests));
}

json::value or_null(const std::string& v) { return v.empty() ? json::value(nullptr) : json::value(v); }

json::object summary_json(const cases::CaseSummary& c) {
  return json::object{{"id", c.id},
                      {"reference", c.reference},
                      {"status", c.status},
                      {"assignee", or_null(c.assignee)},
                      {"dueDate", or_null(c.due_date)},
                      {"openedBy", c.opened_by},
                      {"createdAt", signals::iso8601_utc(c.created_at_ms)},
                      {"updatedAt", signals::iso8601_utc(c.updated_at_ms)},
                      {"counts", json::object{{"alerts", c.alerts}, {"records", c.records}}}};
}

void open_case(ApiServices& s, RouteContext ctx, Respond respond) {
  HttpResponse error;
  auto body = body_object(ctx.request, {"alertId"}, error);
  if (!body) return respond(std::move(error));
  const json::value* alert = body->if_contains("alertId");
  if (!alert || !alert->is_string() || !is_hex32(alert->get_string())) {
    return respond(field_problem("alertId", "is verplicht: het id van een alert (32 hex-tekens)",
                                 "is required: the id of an alert (32 hex characters)"));
  }
  run_after_commit(s, [&s, alert_id = std::string(alert->get_string()), by = ctx.principal->token_id](const Respond& answer) {
    auto result = make_cases(s).open(alert_id, by);
    if (result.refused) return answer(refusal_response(*result.refused));
    json::object o{{"id", result.id}, {"reference", result.reference}, {"existing", result.existing}};
    answer(json_response(result.existing ? 200 : 201, json::serialize(o)));
  }, std::move(respond));
}

void list_cases(ApiServices& s, RouteContext ctx, Respond respond) {
  auto query = parse_query(ctx.request.query);
  if (!query) return respond(field_problem("query", "is geen geldige querystring", "is not a valid query string"));
  cases::ListQuery q;
  for (const auto& [key, value] : *query) {
    if (key == "limit") {
      auto n = parse_int_in(value, 1, 500);
      if (!n) return respond(field_problem("limit", "moet een geheel getal van 1 tot 500 zijn", "must be a whole number from 1 to 500"));
      q.limit = *n;
    } else if (key == "status") {
      if (!cases::Cases::is_status(value)) {
        return respond(field_problem("status", "moet open, in_progress of closed zijn", "must be open, in_progress or closed"));
      }
      q.status = value;
    } else {
      return respond(field_problem(key.substr(0, 64), "is geen bekende queryparameter", "is not a known query parameter"));
    }
  }
  json::array items;
  for (const auto& c : make_cases(s).list(q)) items.push_back(summary_json(c));
  respond(json_response(200, json::serialize(json::object{{"items", std::move(items)}})));
}

void get_case(ApiServices& s, RouteContext ctx, Respond respond) {
  const std::string& id = ctx.params.at("id");
  if (!is_hex32(id)) return respond(case_not_found());
  // May write: newly connected alerts join the case.
  run_after_commit(s, [&s, id, by = ctx.principal->token_id](const Respond& answer) {
    auto doc = make_cases(s).get(id, by);
    if (!doc) return answer(case_not_found());
    answer(json_response(200, json::serialize(*doc)));
  }, std::move(respond));
}

// A string or null (clears) of at most `max` bytes; else the problem.
std::optional<HttpResponse> optional_text(const json::object& body, const std::string& field, std::size_t max,
                                          std::optional<std::string>& out, std::string_view nl, std::string_view en) {
  const json::value* v = body.if_contains(field);
  if (!v) return std::nullopt;
  if (v->is_null()) {
    out = std::string();
    return std::nullopt;
  }
  if (!v->is_string() || v->get_string().size() > max) return field_problem(field, nl, en);
  out = std::string(v->get_string());
  return std::nullopt;
}

void update_case(ApiServices& s, RouteContext ctx, Respond respond) {
  const std::string& id = ctx.params.at("id");
  if (!is_hex32(id)) return respond(case_not_found());
  HttpResponse error;
  auto body = body_object(ctx.request, {"status", "assignee", "dueDate"}, error);
  if (!body) return respond(std::move(error));
  if (body->empty()) {
    return respond(field_problem("body", "moet status, assignee of dueDate noemen", "must name status, assignee or dueDate"));
  }
  cases::CaseChanges changes;
  if (const json::value* status = body->if_contains("status")) {
    if (!status->is_string()) {
      return respond(field_problem("status", "moet open, in_progress of closed zijn", "must be open, in_progress or closed"));
    }
    changes.status = std::string(status->get_string());
  }
  if (auto bad = optional_text(*body, "assignee", 64, changes.assignee, "moet een gebruikersnaam of null zijn",
                               "must be a username or null")) {
    return respond(std::move(*bad));
  }
  if (auto bad = optional_text(*body, "dueDate", 10, changes.due_date, "moet een datum als JJJJ-MM-DD of null zijn",
                               "must be a date as YYYY-MM-DD or null")) {
    return respond(std::move(*bad));
  }
  run_after_commit(s, [&s, id, changes, by = ctx.principal->token_id](const Respond& answer) {
    auto result = make_cases(s).update(id, changes, by);
    if (result.refused) return answer(refusal_response(*result.refused));
    answer(json_response(200, json::serialize(summary_json(*result.updated))));
  }, std::move(respond));
}

void add_note(ApiServices& s, RouteContext ctx, Respond respond) {
  const std::string& id = ctx.params.at("id");
  if (!is_hex32(id)) return respond(case_not_found());
  HttpResponse error;
  auto body = body_object(ctx.request, {"text"}, error);
  if (!body) return respond(std::move(error));
  const json::value* text = body->if_contains("text");
  if (!text || !text->is_string()) {
    return respond(field_problem("text", "is verplicht", "is required"));
  }
  run_after_commit(s, [&s, id, note = std::string(text->get_string()), by = ctx.principal->token_id](const Respond& answer) {
    auto result = make_cases(s).add_note(id, note, by);
    if (result.refused) return answer(refusal_response(*result.refused));
    answer(json_response(201, json::serialize(json::object{{"position", result.position},
                                                            {"createdAt", signals::iso8601_utc(result.created_at_ms)}})));
  }, std::move(respond));
}

void lookup(ApiServices& s, RouteContext ctx, Respond respond) {
  HttpResponse error;
  auto body = body_object(ctx.request, {"idKind", "value", "purpose"}, error);
  if (!body) return respond(std::move(error));
  const json::value* kind_v = body->if_contains("idKind");
  if (!kind_v || !kind_v->is_string()) {
    return respond(field_problem("idKind", "is verplicht (bsn, kvk, iban, address, person, document, plate, phone, email)",
                                 "is required (bsn, kvk, iban, address, person, document, plate, phone, email)"));
  }
  auto kind = protocol::id_kind_from_string(kind_v->get_string());
  if (!kind) return respond(field_problem("idKind", "is geen bekende soort identificatie", "is not a known identifier kind"));
  const std::string id_kind(protocol::to_string(*kind));
  const json::value* value_v = body->if_contains("value");
  if (!value_v || !value_v->is_string()) return respond(field_problem("value", "is verplicht", "is required"));
  auto id = protocol::canonicalise(*kind, value_v->get_string(), local_today(s.clock()));
  // The reason names what is wrong, never the value itself.
  if (!id) return respond(field_problem("value", "is geen geldige waarde voor " + id_kind, id.error().reason));
  const std::string by = ctx.principal->token_id;
  const json::value* purpose_v = body->if_contains("purpose");
  if (!purpose_v || !purpose_v->is_string() || !cases::Lookups::is_purpose(purpose_v->get_string())) {
    // Refused, and the refusal is on record: looking up without a purpose.
    run_after_commit(s, [&s, id_kind, by](const Respond& answer) {
      cases::Lookups(s.store, s.pseudonymiser, [&s] { return epoch_ms(s.clock()); }, s.lookups_per_user_per_day)
          .refuse(id_kind, by, "purpose");
      answer(field_problem("purpose", "is verplicht: 10 tot 1000 tekens over waarom u dit opzoekt",
                           "is required: 10 to 1000 characters on why you look this up"));
    }, std::move(respond));
    return;
  }
  auto* transport = s.pa_transport ? s.pa_transport() : nullptr;
  if (!transport) {
    return respond(problem(503, "no-pseudonymisation-authority", "Pseudonimisering niet beschikbaar / Pseudonymisation unavailable",
                           both("deze node kan de pseudonimiseringsdienst niet bereiken",
                                "this node has no way to reach the pseudonymisation authority")));
  }
  auto job = [&s, transport, id = id.value(), id_kind, by, purpose = std::string(purpose_v->get_string())](const Respond& answer) {
    cases::Lookups lookups(s.store, s.pseudonymiser, [&s] { return epoch_ms(s.clock()); }, s.lookups_per_user_per_day);
    auto result = lookups.perform(id, id_kind, purpose, by, *transport);
    switch (result.kind) {
      case cases::LookupResult::Kind::pa_unavailable:
        return answer(problem(503, "pa-unavailable", "Pseudonimisering niet beschikbaar / Pseudonymisation unavailable",
                              both("de pseudonimiseringsdienst was niet bereikbaar; niets opgezocht en niets van uw "
                                   "dagbudget gebruikt, probeer het later opnieuw",
                                   "the pseudonymisation authority could not be reached; nothing was looked up and "
                                   "nothing of your daily budget used, try again later")));
      case cases::LookupResult::Kind::over_budget: {
        HttpResponse r = problem(429, "lookup-budget", "Dagbudget op / Daily budget spent",
                                 both("u heeft vandaag al " + std::to_string(s.lookups_per_user_per_day) +
                                          " keer opgezocht; morgen kan het weer",
                                      "you have looked up " + std::to_string(s.lookups_per_user_per_day) +
                                          " times today already; tomorrow you can again"));
        r.headers.emplace_back("Retry-After",
                               std::to_string(cases::seconds_to_local_midnight(epoch_ms(s.clock()))));
        return answer(std::move(r));
      }
      case cases::LookupResult::Kind::found:
        break;
    }
    answer(json_response(200, json::serialize(json::object{{"items", std::move(result.items)},
                                                            {"remaining", result.remaining},
                                                            {"truncated", result.truncated}})));
  };
  run_with_pa(s, std::move(job), std::move(respond));
}

}  // namespace

void add_case_routes(Router& router, ApiServices& s) {
  using auth::Role;
  router.add("POST", "/api/v1/cases", Access::only({Role::analyst}),
             [&s](RouteContext ctx, Respond respond) { open_case(s, ctx, std::move(respond)); });
  router.add("GET", "/api/v1/cases", Access::only({Role::analyst}),
             [&s](RouteContext ctx, Respond respond) { list_cases(s, ctx, std::move(respond)); });
  router.add("GET", "/api/v1/cases/{id}", Access::only({Role::analyst}),
             [&s](RouteContext ctx, Respond respond) { get_case(s, ctx, std::move(respond)); });
  router.add("PATCH", "/api/v1/cases/{id}", Access::only({Role::analyst}),
             [&s](RouteContext ctx, Respond respond) { update_case(s, ctx, std::move(respond)); });
  router.add("POST", "/api/v1/cases/{id}/notes", Access::only({Role::analyst}),
             [&s](RouteContext ctx, Respond respond) { add_note(s, ctx, std::move(respond)); });
  router.add("POST", "/api/v1/lookups", Access::only({Role::analyst}),
             [&s](RouteContext ctx, Respond respond) { lookup(s, ctx, std::move(respond)); });
}

}  // namespace signalnode::node::api
