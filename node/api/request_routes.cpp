// BRIEF 3.9: contact and details requests to a record's source, and the
// source's decision (docs/cases.md). POST /api/v1/requests (analyst);
// GET /api/v1/requests?direction=incoming|outgoing; GET /api/v1/requests/{id};
// POST /api/v1/requests/{id}/decision (the role the record's rule names);
// GET and PUT /api/v1/me/contact: the details a contact card is made of.
#include <boost/json.hpp>

#include <algorithm>
#include <set>

#include "node/api/json_body.hpp"
#include "node/api/node_api.hpp"
#include "node/api/outcome.hpp"
#include "node/audit/audit_log.hpp"
#include "node/auth/users.hpp"
#include "node/federation/manifest.hpp"
#include "node/http/problem.hpp"
#include "node/log/log.hpp"
#include "node/sharing/sharing.hpp"
#include "policies/record_fields.hpp"

namespace signalnode::node::api {
namespace json = boost::json;
namespace wire = protocol::wire;

namespace {

bool is_hex32(std::string_view id) { return policies::valid_record_id(id); }

std::optional<std::string> string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::string();
  if (!v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

using auth::username_of;

std::string organisation_name(ApiServices& s) {
  auto manifest = s.manifest ? s.manifest() : nullptr;
  if (manifest) {
    if (const auto* self = manifest->find(s.org)) return self->name;
  }
  return s.org;
}

// The caller's contact card: their own details (web users), completed or
// overridden by a "contact" object in the body (API clients).
std::optional<HttpResponse> contact_card(ApiServices& s, const auth::Principal& p, const json::object& body,
                                         wire::ContactCard& card) {
  card.organisation = organisation_name(s);
  if (s.users) {
    if (auto mine = s.users->contact_of(username_of(p))) {
      card.name = mine->name;
      card.phone = mine->phone;
      card.email = mine->email;
    }
  }
  if (const json::value* c = body.if_contains("contact")) {
    if (!c->is_object()) return field_problem("contact", "moet een object {name, phone, email} zijn", "must be an object {name, phone, email}");
    for (const auto& [key, value] : c->as_object()) {
      if (!value.is_string()) return field_problem("contact/" + std::string(key), "moet tekst zijn", "must be a string");
      std::string v(value.as_string());
      if (key == "name") card.name = v;
      else if (key == "phone") card.phone = v;
      else if (key == "email") card.email = v;
      else return field_problem("contact/" + std::string(key).substr(0, 64), "is geen contactveld (name, phone, email)", "is not a contact field (name, phone, email)");
    }
  }
  return std::nullopt;
}

sharing::Requests& requests(ApiServices& s) { return s.sharing->requests; }

// People read the partner's name, not its id.
void name_partner(ApiServices& s, json::object& o) {
  auto manifest = s.manifest ? s.manifest() : nullptr;
  const json::value* org = o.if_contains("partner");
  if (!manifest || !org || !org->is_string()) return;
  if (const auto* p = manifest->find(std::string(org->as_string()))) o["partnerName"] = p->name;
}

void create_request(ApiServices& s, RouteContext ctx, Respond respond) {
  HttpResponse bad;
  auto parsed = body_object(ctx.request,
                            {"type", "recordId", "kinds", "purpose", "legalGround", "reference", "caseId", "contact"}, bad);
  if (!parsed) return respond(std::move(bad));
  const json::value body(std::move(*parsed));
  const json::object& o = body.as_object();
  sharing::NewRequest q;
  auto type = string_field(o, "type");
  if (!type || (*type != "contact" && *type != "details")) {
    return respond(field_problem("type", "kies contact of details", "must be contact or details"));
  }
  q.type = *type == "contact" ? sharing::RequestType::contact : sharing::RequestType::details;
  auto record = string_field(o, "recordId");
  if (!record || !is_hex32(*record)) {
    return respond(field_problem("recordId", "moet het nummer van een ontvangen record zijn", "must be an inbox record id"));
  }
  q.inbox_id = *record;
  if (const json::value* kinds = o.if_contains("kinds")) {
    if (!kinds->is_array() || kinds->as_array().size() > 16) {
      return respond(field_problem("kinds", "moet een lijst van soorten identificatie zijn", "must be a list of identifier kinds"));
    }
    for (const auto& k : kinds->as_array()) {
      if (!k.is_string()) return respond(field_problem("kinds", "moet een lijst van soorten identificatie zijn", "must be a list of identifier kinds"));
      q.kinds.emplace_back(k.as_string());
    }
  }
  auto purpose = string_field(o, "purpose"), legal = string_field(o, "legalGround"),
       reference = string_field(o, "reference"), case_id = string_field(o, "caseId");
  if (!purpose) return respond(field_problem("purpose", "moet tekst zijn", "must be a string"));
  if (!legal) return respond(field_problem("legalGround", "moet tekst zijn", "must be a string"));
  if (!reference) return respond(field_problem("reference", "moet tekst zijn", "must be a string"));
  if (!case_id || (!case_id->empty() && !is_hex32(*case_id))) return respond(field_problem("caseId", "is geen zaaknummer", "must be a case id"));
  q.purpose = *purpose;
  q.legal_ground = *legal;
  q.reference = *reference;
  q.case_id = *case_id;
  q.by = ctx.principal->token_id;
  auto policy = s.policy ? s.policy() : nullptr;
  if (!policy || !s.sharing) return respond(problem(409, "no-federation", "Geen federatie / No federation", both("deze node deelt met geen enkele partner", "this node shares with no partner")));
  // Contact details are read on the store lane (they are a read of the users table).
  run_after_commit(s, [&s, q, body, principal = *ctx.principal, policy](const Respond& answer) mutable {
    if (auto no_card = contact_card(s, principal, body.as_object(), q.requester)) return answer(std::move(*no_card));
    auto result = requests(s).create(q, *policy);
    if (result.kind == sharing::Outcome::Kind::queued && s.on_signal_stored) s.on_signal_stored();
    answer(outcome_response(result, "request-pending", "Request pending"));
  }, std::move(respond));
}

void list_requests(ApiServices& s, RouteContext ctx, Respond respond) {
  auto query = parse_query(ctx.request.query);
  if (!query) return respond(invalid_field({"query", "is not a valid query string"}));
  std::string direction = "incoming";
  std::int64_t limit = 100;
  for (const auto& [key, value] : *query) {
    if (key == "direction") {
      if (value != "incoming" && value != "outgoing") return respond(field_problem("direction", "moet incoming of outgoing zijn", "must be incoming or outgoing"));
      direction = value;
    } else if (key == "limit") {
      auto n = parse_int_in(value, 1, 500);
      if (!n) return respond(invalid_field({"limit", "must be a whole number from 1 to 500"}));
      limit = *n;
    } else {
      return respond(invalid_field({key, "is not a known query parameter"}));
    }
  }
  if (!s.sharing) return respond(json_response(200, R"({"items":[]})"));
  // Outgoing requests are the analysts'; incoming ones wait for whoever a rule names.
  if (direction == "outgoing" && ctx.principal->role != auth::Role::analyst) {
    return respond(problem(403, "forbidden", "Forbidden", "outgoing requests are the analysts'"));
  }
  json::array items;
  // Incoming requests, with the requester's contact card, are for the role
  // that decides on them (BRIEF 3.9), not for every role at the source.
  const std::string role = direction == "incoming" ? std::string(auth::to_string(ctx.principal->role)) : std::string();
  for (auto& o : requests(s).list(direction, static_cast<std::size_t>(limit), role)) {
    name_partner(s, o);
    items.push_back(std::move(o));
  }
  respond(json_response(200, json::serialize(json::object{{"items", std::move(items)}})));
}

void get_request(ApiServices& s, RouteContext ctx, Respond respond) {
  const std::string& id = ctx.params.at("id");
  if (!is_hex32(id) || !s.sharing) return respond(problem(404, "not-found", "Niet gevonden / Not found", both("er is geen verzoek met dit nummer", "there is no request with this id")));
  // Opening a disclosure is audited, and the first opening checks it against
  // the record through the PA: on the PA lane, never on an I/O thread.
  run_with_pa(s, [&s, id, principal = *ctx.principal](const Respond& answer) {
    bool opened = false;
    auto o = requests(s).get(id, principal.token_id, &opened);
    if (!o) return answer(problem(404, "not-found", "Niet gevonden / Not found", both("er is geen verzoek met dit nummer", "there is no request with this id")));
    if (o->at("direction") == "outgoing" && principal.role != auth::Role::analyst) {
      return answer(problem(403, "forbidden", "Forbidden", "uitgaande verzoeken zijn van analisten / outgoing requests are the analysts'"));
    }
    if (o->at("direction") == "incoming" && o->contains("decidedByRole") &&
        o->at("decidedByRole").as_string() != auth::to_string(principal.role)) {
      return answer(problem(403, "forbidden", "Forbidden",
                            "een andere rol beslist over dit verzoek / another role decides on this request"));
    }
    if (opened && o->contains("disclosed") && !o->contains("verified")) {
      auto* transport = s.pa_transport ? s.pa_transport() : nullptr;
      std::vector<wire::Disclosed> disclosed;
      for (const auto& d : o->at("disclosed").as_array()) {
        disclosed.push_back({std::string(d.at("idKind").as_string()), std::string(d.at("value").as_string())});
      }
      if (transport) {
        try {
          (*o)["verified"] = requests(s).verify_disclosure(id, disclosed, [&](const protocol::CanonicalId& cid) {
            // Not cached: the check leaves no lasting key of the disclosed identifier.
            return s.pseudonymiser.pseudonymise_in(cid, {s.pseudonymiser.own_domain()}, *transport).at(0);
          });
        } catch (const std::exception& e) {
          log::warn("request.verify_unavailable", {{"request", id}, {"error", e.what()}});  // checked at the next view
        }
      }
      for (auto& d : disclosed) crypto::wipe(d.value.data(), d.value.size());
    }
    if (opened && s.audit) {
      audit::Event e;
      e.name = audit::events::kDisclosureViewed;
      e.start_ms = e.end_ms = epoch_ms(s.clock());
      e.trace_id = id;
      e.attributes = {{"requestId", id}, {"by", principal.token_id}, {"kinds", o->at("kinds")},
                      {"type", o->at("type")}};
      e.partner = std::string(o->at("partner").as_string());
      s.audit->append_now(e);
    }
    name_partner(s, *o);
    answer(json_response(200, json::serialize(*o)));
  }, std::move(respond));
}

void decide_request(ApiServices& s, RouteContext ctx, Respond respond) {
  HttpResponse bad;
  auto parsed = body_object(ctx.request, {"decision", "reason", "contact"}, bad);
  if (!parsed) return respond(std::move(bad));
  const json::value body(std::move(*parsed));
  const json::object& o = body.as_object();
  auto decision = string_field(o, "decision");
  if (!decision || (*decision != "approve" && *decision != "refuse")) {
    return respond(field_problem("decision", "kies approve of refuse", "must be approve or refuse"));
  }
  auto reason = string_field(o, "reason");
  if (!reason) return respond(field_problem("reason", "moet een redencode zijn", "must be a reason code"));
  const std::string& id = ctx.params.at("id");
  auto policy = s.policy ? s.policy() : nullptr;
  if (!policy || !s.sharing) return respond(problem(409, "no-federation", "Geen federatie / No federation", both("deze node deelt met geen enkele partner", "this node shares with no partner")));
  if (!is_hex32(id)) return respond(problem(404, "not-found", "Niet gevonden / Not found", both("er is geen binnengekomen verzoek met dit nummer", "there is no incoming request with this id")));
  run_after_commit(s, [&s, id, body, approve = *decision == "approve", reason = *reason, principal = *ctx.principal,
                       policy](const Respond& answer) {
    auto pending = requests(s).pending(id);
    if (!pending) return answer(problem(404, "not-found", "Niet gevonden / Not found", both("er is geen binnengekomen verzoek met dit nummer", "there is no incoming request with this id")));
    sharing::Decision d;
    d.approve = approve;
    d.reason = reason;
    d.by = principal.token_id;
    d.role = std::string(auth::to_string(principal.role));
    if (approve && pending->type == sharing::RequestType::contact) {
      if (auto no_card = contact_card(s, principal, body.as_object(), d.contact)) return answer(std::move(*no_card));
    }
    if (approve && pending->type == sharing::RequestType::details && pending->state == "pending" &&
        d.role == pending->decider_role) {
      // The canonical identifiers of the asked kinds, from the sealed signal.
      const std::set<std::string> asked(pending->kinds.begin(), pending->kinds.end());
      std::optional<signals::Signal> signal;
      try {
        signal = s.signals.get(pending->signal_id);
      } catch (const std::exception& e) {
        log::error("request.signal_unreadable", {{"request", id}, {"error", e.what()}});
        return answer(problem(409, "signal-unreadable", "Conflict",
                              "het signaal is niet leesbaar; wijs af met reden not_held / the signal cannot be read; refuse (not_held)"));
      }
      if (signal) {
        for (const auto& subject : signal->subjects) {
          for (const auto& id_ : subject.identifiers) {
            std::string kind(protocol::to_string(id_.kind));
            if (!asked.contains(kind)) continue;
            wire::Disclosed item{kind, id_.canonical};
            if (std::find(d.disclosed.begin(), d.disclosed.end(), item) == d.disclosed.end()) d.disclosed.push_back(item);
          }
        }
      }
    }
    auto result = requests(s).decide(id, d, *policy);
    for (auto& item : d.disclosed) crypto::wipe(item.value.data(), item.value.size());
    if (result.kind == sharing::Outcome::Kind::queued && s.on_signal_stored) s.on_signal_stored();
    answer(outcome_response(result, "request-decided", "Request decided"));
  }, std::move(respond));
}

void get_contact(ApiServices& s, RouteContext ctx, Respond respond) {
  std::string username = username_of(*ctx.principal);
  if (!s.users || username.empty()) return respond(problem(404, "not-found", "Niet gevonden / Not found", both("API-tokens hebben geen contactgegevens", "API tokens have no contact details")));
  auto mine = s.users->contact_of(username);
  if (!mine) return respond(problem(404, "not-found", "Niet gevonden / Not found", both("dit account bestaat niet", "no such account")));
  respond(json_response(200, json::serialize(json::object{{"name", mine->name}, {"phone", mine->phone},
                                                          {"email", mine->email},
                                                          {"organisation", organisation_name(s)}})));
}

void put_contact(ApiServices& s, RouteContext ctx, Respond respond) {
  HttpResponse bad;
  auto parsed = body_object(ctx.request, {"name", "phone", "email"}, bad, 1);
  if (!parsed) return respond(std::move(bad));
  const json::value body(std::move(*parsed));
  std::string username = username_of(*ctx.principal);
  if (!s.users || username.empty()) return respond(problem(404, "not-found", "Niet gevonden / Not found", both("API-tokens hebben geen contactgegevens", "API tokens have no contact details")));
  auth::ContactDetails d;
  for (const auto& [key, value] : body.as_object()) {
    if (!value.is_string()) return respond(field_problem(std::string(key), "moet tekst zijn", "must be a string"));
    (key == "name" ? d.name : key == "phone" ? d.phone : d.email) = std::string(value.as_string());
  }
  run_after_commit(s, [&s, username, d](const Respond& answer) {
    try {
      s.users->set_contact(username, d);
    } catch (const auth::UserError& e) {
      return answer(invalid_field({e.field, e.what()}));
    }
    answer(json_response(200, json::serialize(json::object{{"name", d.name}, {"phone", d.phone}, {"email", d.email}})));
  }, std::move(respond));
}

}  // namespace

void add_request_routes(Router& router, ApiServices& s) {
  using auth::Role;
  router.add("POST", "/api/v1/requests", Access::only({Role::analyst}),
             [&s](RouteContext ctx, Respond respond) { create_request(s, ctx, std::move(respond)); });
  router.add("GET", "/api/v1/requests", Access::only({Role::officer, Role::analyst, Role::privacy_officer}),
             [&s](RouteContext ctx, Respond respond) { list_requests(s, ctx, std::move(respond)); });
  router.add("GET", "/api/v1/requests/{id}", Access::only({Role::officer, Role::analyst, Role::privacy_officer}),
             [&s](RouteContext ctx, Respond respond) { get_request(s, ctx, std::move(respond)); });
  // Answering a details request discloses identifiers: a recent proof first (issue 21).
  router.add("POST", "/api/v1/requests/{id}/decision",
             Access::only({Role::officer, Role::analyst, Role::privacy_officer}).with_step_up(),
             [&s](RouteContext ctx, Respond respond) { decide_request(s, ctx, std::move(respond)); });
  router.add("GET", "/api/v1/me/contact", Access::authenticated(),
             [&s](RouteContext ctx, Respond respond) { get_contact(s, ctx, std::move(respond)); });
  router.add("PUT", "/api/v1/me/contact", Access::authenticated(),
             [&s](RouteContext ctx, Respond respond) { put_contact(s, ctx, std::move(respond)); });
}

}  // namespace signalnode::node::api
