// GET /api/v1/inbox (analyst): records received from partners, pseudonyms
// only; POST /api/v1/inbox/{id}/feedback: what became of one, to its source.
#include <boost/json.hpp>

#include <algorithm>

#include "crypto/bytes.hpp"
#include "node/api/node_api.hpp"
#include "node/http/problem.hpp"
#include "node/api/outcome.hpp"
#include "node/sharing/sharing.hpp"
#include "node/signals/signal_json.hpp"

namespace signalnode::node::api {
namespace json = boost::json;

namespace {

bool is_hex32(std::string_view id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

void list_inbox(ApiServices& s, RouteContext ctx, Respond respond) {
  auto query = parse_query(ctx.request.query);
  if (!query) return respond(invalid_field({"query", "is not a valid query string"}));
  std::int64_t limit = 50;
  std::optional<std::string> before, category, source;
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
  json::array items = s.store.read([&](storage::Database& db) {
    std::string sql =
        "SELECT id, sender, sender_role, category, observed_week, municipality, severity, persons, rule_id, "
        "policy_sha256, received_at_ms, expires_at_ms, feedback_status, feedback_reason, feedback_at_ms "
        "FROM inbox i WHERE 1=1";
    if (category) sql += " AND category = ?1";
    if (source) sql += " AND sender = ?2";
    if (before) sql += " AND (received_at_ms, id) < (SELECT received_at_ms, id FROM inbox WHERE id = ?3)";
    sql += " ORDER BY received_at_ms DESC, id DESC LIMIT ?4";
    auto st = db.cached(sql);
    if (category) st.bind(1, std::string_view(*category));
    if (source) st.bind(2, std::string_view(*source));
    if (before) st.bind(3, std::string_view(*before));
    st.bind(4, limit);
    json::array out;
    while (st.step()) {
      json::object o{{"id", st.text(0)},
                     {"source", json::object{{"org", st.text(1)}, {"role", st.text(2)}}},
                     {"category", st.text(3)},
                     {"rule", st.text(8)},
                     {"policySha256", st.text(9)},
                     {"receivedAt", signals::iso8601_utc(st.int64(10))},
                     {"expiresAt", signals::iso8601_utc(st.int64(11))}};
      if (!st.text(4).empty()) o["observedWeek"] = st.text(4);
      if (!st.text(5).empty()) o["municipality"] = st.text(5);
      if (!st.text(6).empty()) o["severity"] = st.text(6);
      if (!st.is_null(7)) o["persons"] = st.int64(7);
      if (!st.is_null(12)) {
        json::object f{{"status", st.text(12)}, {"setAt", signals::iso8601_utc(st.int64(14))}};
        if (!st.text(13).empty()) f["reason"] = st.text(13);
        o["feedback"] = std::move(f);
      }
      out.push_back(std::move(o));
    }
    st.reset();
    auto subjects = db.cached("SELECT kind, id_kind, pseudonym FROM inbox_subjects WHERE inbox_id = ? ORDER BY position");
    for (auto& item : out) {
      subjects.reset();
      subjects.bind(1, std::string_view(item.as_object().at("id").as_string()));
      json::array list;
      while (subjects.step()) {
        list.push_back(json::object{
            {"kind", subjects.text(0)}, {"idKind", subjects.text(1)}, {"pseudonym", crypto::to_hex(subjects.blob(2))}});
      }
      subjects.reset();
      item.as_object()["subjects"] = std::move(list);
    }
    return out;
  });
  json::object body{{"items", items}};
  body["next"] = static_cast<std::int64_t>(items.size()) == limit ? items.back().at("id") : json::value(nullptr);
  respond(json_response(200, json::serialize(body)));
}

// POST /api/v1/inbox/{id}/feedback: {"status": ..., "reason"?: code, "note"?: text}
void set_feedback(ApiServices& s, RouteContext ctx, Respond respond) {
  boost::system::error_code ec;
  json::value body = json::parse(ctx.request.body, ec);
  if (ec || !body.is_object()) return respond(invalid_field({"body", "must be a JSON object"}));
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
