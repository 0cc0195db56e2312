// The privacy officer's routes (BRIEF 3.4): the exchange log with filters, and
// subject access: every exchange concerning one data subject, found by the
// subject's pseudonym. Identifiers travel only in the request body.
#include <boost/json.hpp>

#include "crypto/bytes.hpp"
#include "node/api/node_api.hpp"
#include "node/http/problem.hpp"
#include "node/audit/audit_log.hpp"
#include "node/log/log.hpp"
#include "protocol/utf8.hpp"

namespace signalnode::node::api {
namespace json = boost::json;

namespace {

json::object entry(std::int64_t idx, std::span<const std::uint8_t> leaf) {
  return json::object{{"index", idx}, {"event", json::parse(crypto::as_chars(leaf))}};
}

void list_events(ApiServices& s, RouteContext ctx, Respond respond) {
  auto query = parse_query(ctx.request.query);
  if (!query) return respond(invalid_field({"query", "is not a valid query string"}));
  std::int64_t limit = 100;
  std::optional<std::int64_t> before, from_ms, to_ms;
  std::optional<std::string> partner, name, category;
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
  json::array items = s.store.read([&](storage::Database& db) {
    std::string sql = "SELECT idx, leaf FROM audit_events WHERE 1=1";
    if (before) sql += " AND idx < ?1";
    if (from_ms) sql += " AND time_ms >= ?2";
    if (to_ms) sql += " AND time_ms < ?3";
    if (partner) sql += " AND partner = ?4";
    if (name) sql += " AND name = ?5";
    if (category) sql += " AND category = ?6";
    sql += " ORDER BY idx DESC LIMIT ?7";
    auto st = db.cached(sql);
    if (before) st.bind(1, *before);
    if (from_ms) st.bind(2, *from_ms);
    if (to_ms) st.bind(3, *to_ms);
    if (partner) st.bind(4, std::string_view(*partner));
    if (name) st.bind(5, std::string_view(*name));
    if (category) st.bind(6, std::string_view(*category));
    st.bind(7, limit);
    json::array out;
    while (st.step()) out.push_back(entry(st.int64(0), st.blob_view(1)));
    st.reset();
    return out;
  });
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
    crypto::oprf::Output pseudonym{};
    try {
      pseudonym = s.pseudonymiser.pseudonymise_now(id, *transport);
    } catch (const std::exception& e) {
      log::warn("subject_access.pa_unavailable", {{"error", e.what()}});
      return answer(problem(503, "pa-unavailable", "Pseudonymisation unavailable",
                           "the pseudonymisation authority could not be reached; try again later"));
    }
    std::string hex = crypto::to_hex(pseudonym);
    json::array exchanges = s.store.read([&](storage::Database& db) {
      auto st = db.cached(
          "SELECT e.idx, e.leaf FROM audit_subjects s JOIN audit_events e ON e.idx = s.idx WHERE s.pseudonym = ? "
          "ORDER BY e.idx");
      st.bind_blob(1, pseudonym);
      json::array out;
      while (st.step()) out.push_back(entry(st.int64(0), st.blob_view(1)));
      st.reset();
      return out;
    });
    // The lookup itself is recorded, with the pseudonym and never the identifier.
    if (s.audit) {
      audit::Event e;
      e.name = audit::events::kSubjectAccessPerformed;
      e.start_ms = e.end_ms = epoch_ms(s.clock());
      e.attributes = {{"idKind", kind}, {"by", by}, {"found", exchanges.size()}};
      e.data_subjects = {hex};
      s.audit->append_now(e);
    }
    answer(json_response(200, json::serialize(json::object{{"idKind", kind},
                                                          {"pseudonym", hex},
                                                          {"exchanges", std::move(exchanges)}})));
  };
  run_slow(s, std::move(job), std::move(respond));
}

}  // namespace

void add_audit_routes(Router& router, ApiServices& s) {
  using auth::Role;
  router.add("GET", "/api/v1/audit/events", Access::only({Role::privacy_officer}),
             [&s](RouteContext ctx, Respond respond) { list_events(s, ctx, std::move(respond)); });
  router.add("POST", "/api/v1/audit/subject-access", Access::only({Role::privacy_officer}),
             [&s](RouteContext ctx, Respond respond) { subject_access(s, ctx, std::move(respond)); });
}

}  // namespace signalnode::node::api
