// GET /api/v1/inbox (analyst): records received from partners, pseudonyms
// only; POST /api/v1/inbox/{id}/feedback: what became of one, to its source.
#include <boost/json.hpp>

#include <algorithm>

#include "crypto/bytes.hpp"
#include "node/api/json_body.hpp"
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
  // A record whose rule sets a feedback period is due from its receipt here;
  // overdue once that passed without an answer (feedback other than `received`).
  const auto policy = s.policy ? s.policy() : nullptr;
  // Teams (issue 21): what a rule addressed to other teams here brought is not shown.
  if (policy) q.hidden_rules = sharing::team_hidden_rules(*policy, {s.org, s.role}, ctx.principal->team);
  const std::int64_t now = epoch_ms(s.clock());
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
    if (auto due = sharing::feedback_due_at(policy ? policy->find(r.rule_id) : nullptr, r.received_at_ms)) {
      o["feedbackDueAt"] = signals::iso8601_utc(*due);
      o["overdue"] = *due < now && !r.answered_at_ms;
    } else {
      o["overdue"] = false;
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
// `withheld` needs one of its withholding reasons, and those reasons go with
// no other status; every problem names the field, Dutch first.
void set_feedback(ApiServices& s, RouteContext ctx, Respond respond) {
  http::HttpResponse error;
  auto body = body_object(ctx.request, {"status", "reason", "note"}, error);
  if (!body) return respond(std::move(error));
  std::string fields[3];
  const char* names[3] = {"status", "reason", "note"};
  for (int i = 0; i < 3; ++i) {
    const json::value* value = body->if_contains(names[i]);
    if (!value) continue;
    if (!value->is_string()) return respond(field_problem(names[i], "moet tekst zijn", "must be a string"));
    fields[i] = std::string(value->get_string());
  }
  if (fields[0].empty()) return respond(field_problem("status", "is verplicht", "is required"));
  if (auto wrong = sharing::check_feedback_codes(fields[0], fields[1])) {
    return respond(field_problem(wrong->field, wrong->nl, wrong->en));
  }
  if (fields[2].size() > sharing::kMaxFeedbackNote) {
    return respond(field_problem("note", "mag hoogstens 500 bytes zijn", "must be at most 500 bytes"));
  }
  auto policy = s.policy ? s.policy() : nullptr;
  if (!policy || !s.sharing) return respond(problem(409, "no-federation", "No federation", "this node shares with no partner"));
  const std::string& id = ctx.params.at("id");
  if (!is_hex32(id)) return respond(problem(404, "not-found", "Not found", "no received record with this id"));
  // A record addressed to another team is, for this person, not there.
  run_after_commit(s, [&s, id, fields, policy, team = ctx.principal->team](const Respond& answer) {
    const auto hidden = sharing::team_hidden_rules(*policy, {s.org, s.role}, team);
    const auto rule = sharing::Inbox(s.store).rule_of(id);
    if (rule && std::find(hidden.begin(), hidden.end(), *rule) != hidden.end()) {
      return answer(problem(404, "not-found", "Not found", "no received record with this id"));
    }
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
