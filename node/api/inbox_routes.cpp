// GET /api/v1/inbox (analyst): records received from partners, pseudonyms
// only; POST /api/v1/inbox/{id}/feedback: what became of one, to its source.
#include <boost/json.hpp>

#include <algorithm>

#include "crypto/bytes.hpp"
#include "node/api/node_api.hpp"
#include "node/http/problem.hpp"
#include "node/api/outcome.hpp"
#include "node/sharing/inbox.hpp"
#include "node/sharing/sharing.hpp"
#include "node/signals/signal_json.hpp"
#include "protocol/json_keys.hpp"

namespace signalnode::node::api {
namespace json = boost::json;

namespace {

bool is_hex32(std::string_view id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

void list_inbox(ApiServices& s, RouteContext ctx, Respond respond) {
  auto query = parse_query(ctx.request.query);
  if (!query) return respond(invalid_field({"query", "is not a valid query string"}));
  sharing::InboxQuery q;
  auto& limit = q.limit;
  auto& before = q.before;
  auto& category = q.category;
  auto& source = q.source;
  for (const auto& [key, value] : *query) {
    if (key == "limit") {
      auto n = parse_int_in(value, 1, 500);
      if (!n) return respond(invalid_field({"limit", "must be a whole number from 1 to 500"}));
      limit = *n;
    } else if (key == "before") {
      if (!is_hex32(value)) return respond(invalid_field({"before", "must be an inbox record id"}));
      before = value;
    } else if (key == "category") {
      if (!s.taxonomy.find(value)) return respond(invalid_field({"category", "is not a category of the taxonomy"}));
      category = value;
    } else if (key == "source") {
      source = value;
    } else {
      return respond(invalid_field({key, "is not a known query parameter"}));
    }
  }
  json::array items;
  for (const auto& r : sharing::Inbox(s.store).list(q)) {
    json::object o{{"id", r.id},
                   {"source", json::object{{"org", r.sender}, {"role", r.sender_role}}},
                   {"category", r.category},
                   {"rule", r.rule_id},
                   {"policySha256", r.policy_sha256},
                   {"receivedAt", signals::iso8601_utc(r.received_at_ms)},
                   {"expiresAt", signals::iso8601_utc(r.expires_at_ms)}};
    if (!r.observed_week.empty()) o["observedWeek"] = r.observed_week;
    if (!r.municipality.empty()) o["municipality"] = r.municipality;
    if (!r.severity.empty()) o["severity"] = r.severity;
    if (r.persons) o["persons"] = *r.persons;
    if (r.feedback) {
      json::object f{{"status", r.feedback->status}, {"setAt", signals::iso8601_utc(r.feedback->set_at_ms)}};
      if (!r.feedback->reason.empty()) f["reason"] = r.feedback->reason;
      o["feedback"] = std::move(f);
    }
    json::array list;
    for (const auto& subject : r.subjects) {
      list.push_back(json::object{
          {"kind", subject.kind}, {"idKind", subject.id_kind}, {"pseudonym", crypto::to_hex(subject.pseudonym)}});
    }
    o["subjects"] = std::move(list);
    items.push_back(std::move(o));
  }
  json::object body{{"items", items}};
  body["next"] = static_cast<std::int64_t>(items.size()) == limit ? items.back().at("id") : json::value(nullptr);
  respond(json_response(200, json::serialize(body)));
}

// POST /api/v1/inbox/{id}/feedback: {"status": ..., "reason"?: code, "note"?: text}
void set_feedback(ApiServices& s, RouteContext ctx, Respond respond) {
  boost::system::error_code ec;
  json::value body = json::parse(ctx.request.body, ec);
  if (ec || !body.is_object()) return respond(invalid_field({"body", "must be a JSON object"}));
  if (auto dup = protocol::first_duplicate_key(ctx.request.body)) return respond(invalid_field({*dup, "appears more than once in one object (duplicate JSON key)"}));
  std::string fields[3];
  const char* names[3] = {"status", "reason", "note"};
  for (const auto& [key, value] : body.as_object()) {
    auto it = std::find(std::begin(names), std::end(names), std::string_view(key));
    if (it == std::end(names)) return respond(invalid_field({std::string(key), "is not a feedback field (status, reason, note)"}));
    if (!value.is_string()) return respond(invalid_field({std::string(key), "must be a string"}));
    fields[it - std::begin(names)] = std::string(value.as_string());
  }
  if (fields[0].empty()) return respond(invalid_field({"status", "is required"}));
  auto policy = s.policy ? s.policy() : nullptr;
  if (!policy || !s.sharing) return respond(problem(409, "no-federation", "No federation", "this node shares with no partner"));
  const std::string& id = ctx.params.at("id");
  if (!is_hex32(id)) return respond(problem(404, "not-found", "Not found", "no received record with this id"));
  run_after_commit(s, [&s, id, fields, policy](const Respond& answer) {
    auto result = s.sharing->follow_ups.send_feedback(id, fields[0], fields[1], fields[2], *policy);
    if (result.kind == sharing::Outcome::Kind::queued && s.on_signal_stored) s.on_signal_stored();
    answer(outcome_response(result));
  }, std::move(respond));
}

}  // namespace

void add_inbox_routes(Router& router, ApiServices& s) {
  router.add("GET", "/api/v1/inbox", Access::only({auth::Role::analyst}),
             [&s](RouteContext ctx, Respond respond) { list_inbox(s, ctx, std::move(respond)); });
  router.add("POST", "/api/v1/inbox/{id}/feedback", Access::only({auth::Role::analyst}),
             [&s](RouteContext ctx, Respond respond) { set_feedback(s, ctx, std::move(respond)); });
}

}  // namespace signalnode::node::api
