// The privacy officer's routes (BRIEF 3.4): the exchange log with filters, and
// subject access: every exchange concerning one data subject, found by the
// subject's pseudonym. Identifiers travel only in the request body.
#include <boost/json.hpp>

#include "crypto/bytes.hpp"
#include "node/api/node_api.hpp"
#include "node/http/problem.hpp"
#include "node/audit/audit_reader.hpp"
#include "node/log/log.hpp"
#include "node/federation/manifest.hpp"
#include "node/privacy/subject_access.hpp"
#include "node/signals/signal_json.hpp"
#include "protocol/json_keys.hpp"
#include "protocol/utf8.hpp"

namespace signalnode::node::api {
namespace json = boost::json;

namespace {

json::object entry(const audit::LoggedEvent& e) {
  return json::object{{"index", e.index}, {"event", json::parse(e.leaf)}};
}

void list_events(ApiServices& s, RouteContext ctx, Respond respond) {
  auto query = parse_query(ctx.request.query);
  if (!query) return respond(invalid_field({"query", "is not a valid query string"}));
  audit::EventFilter filter;
  auto& limit = filter.limit;
  auto& before = filter.before;
  auto& from_ms = filter.from_ms;
  auto& to_ms = filter.to_ms;
  auto& partner = filter.partner;
  auto& name = filter.name;
  auto& category = filter.category;
  for (const auto& [key, value] : *query) {
    if (key == "limit") {
      auto n = parse_int_in(value, 1, 1000);
      if (!n) return respond(invalid_field({"limit", "must be a whole number from 1 to 1000"}));
      limit = *n;
    } else if (key == "before") {
      before = parse_int_in(value, 0, INT64_MAX / 2);
      if (!before) return respond(invalid_field({"before", "must be an event index"}));
    } else if (key == "fromMs" || key == "toMs") {
      auto v = parse_int_in(value, 0, INT64_MAX / 2);
      if (!v) return respond(invalid_field({key, "must be milliseconds since 1970"}));
      (key == "fromMs" ? from_ms : to_ms) = v;
    } else if (key == "partner") {
      partner = value;
    } else if (key == "name") {
      name = value;
    } else if (key == "category") {
      category = value;
    } else {
      return respond(invalid_field({key, "is not a known query parameter"}));
    }
  }
  json::array items;
  for (const auto& e : audit::AuditReader(s.store).events(filter)) items.push_back(entry(e));
  json::object body{{"items", items}};
  body["next"] = static_cast<std::int64_t>(items.size()) == limit ? items.back().at("index") : json::value(nullptr);
  respond(json_response(200, json::serialize(body)));
}

void subject_access(ApiServices& s, RouteContext ctx, Respond respond) {
  if (!protocol::is_valid_utf8(ctx.request.body)) return respond(invalid_field({"body", "is not valid UTF-8"}));
  json::parse_options options;
  options.max_depth = 2;
  boost::system::error_code ec;
  json::value v = json::parse(ctx.request.body, ec, json::storage_ptr(), options);
  if (ec || !v.is_object()) return respond(invalid_field({"body", "must be a JSON object"}));
  if (auto dup = protocol::first_duplicate_key(ctx.request.body)) return respond(invalid_field({*dup, "appears more than once in one object (duplicate JSON key)"}));
  const json::object& o = v.get_object();
  for (const auto& kv : o) {
    if (kv.key() != "idKind" && kv.key() != "value") return respond(invalid_field({std::string(kv.key()), "is not a known field"}));
  }
  const json::value* kind_v = o.if_contains("idKind");
  const json::value* value_v = o.if_contains("value");
  if (!kind_v || !kind_v->is_string()) return respond(invalid_field({"idKind", "is required (bsn, kvk, iban, address, person, document, plate, phone, email)"}));
  auto kind = protocol::id_kind_from_string(kind_v->get_string());
  if (!kind) return respond(invalid_field({"idKind", "is not a known identifier kind"}));
  if (!value_v || !value_v->is_string()) return respond(invalid_field({"value", "is required"}));
  auto id = protocol::canonicalise(*kind, value_v->get_string(), local_today(s.clock()));
  if (!id) return respond(invalid_field(id.error()));

  auto* transport = s.pa_transport ? s.pa_transport() : nullptr;
  if (!transport) {
    return respond(problem(503, "no-pseudonymisation-authority", "Pseudonymisation unavailable",
                           "this node has no way to reach the pseudonymisation authority"));
  }
  // The PA is a network round trip away: not on an I/O thread.
  auto job = [&s, transport, id = id.value(), kind = std::string(kind_v->get_string()),
              by = ctx.principal->token_id](const Respond& answer) {
    privacy::SubjectAccess access(s.store, s.pseudonymiser, s.audit, [&s] { return epoch_ms(s.clock()); });
    privacy::SubjectAccessResult found;
    try {
      auto manifest = s.manifest ? s.manifest() : nullptr;
      found = access.perform(id, kind, by, *transport, true,
                             manifest ? manifest->recipient_domains(s.org) : std::vector<std::string>{});
    } catch (const privacy::PseudonymisationUnavailable& e) {
      log::warn("subject_access.pa_unavailable", {{"error", e.what()}});
      return answer(problem(503, "pa-unavailable", "Pseudonymisation unavailable",
                           "the pseudonymisation authority could not be reached; try again later"));
    }
    std::string hex = crypto::to_hex(found.pseudonym);
    json::array exchanges;
    for (const auto& e : found.exchanges) exchanges.push_back(entry(e));
    json::array received;
    for (const auto& r : found.received_held) {
      received.push_back(json::object{
          {"partner", r.partner}, {"category", r.category}, {"receivedAt", signals::iso8601_utc(r.received_at_ms)}});
    }
    answer(json_response(200, json::serialize(json::object{
                                  {"idKind", kind},
                                  {"pseudonym", hex},
                                  {"exchanges", std::move(exchanges)},
                                  {"held", json::object{{"signals", found.own_signals_held},
                                                        {"received", std::move(received)}}}})));
  };
  run_with_pa(s, std::move(job), std::move(respond));
}

}  // namespace

void add_audit_routes(Router& router, ApiServices& s) {
  using auth::Role;
  router.add("GET", "/api/v1/audit/events", Access::only({Role::privacy_officer}),
             [&s](RouteContext ctx, Respond respond) { list_events(s, ctx, std::move(respond)); });
  router.add("POST", "/api/v1/audit/subject-access", Access::only({Role::privacy_officer}).with_step_up(),
             [&s](RouteContext ctx, Respond respond) { subject_access(s, ctx, std::move(respond)); });
}

}  // namespace signalnode::node::api
