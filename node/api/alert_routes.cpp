// GET /api/v1/alerts (analyst): where partners' records meet on one subject.
#include <boost/json.hpp>

#include "crypto/bytes.hpp"
#include "node/api/node_api.hpp"
#include "node/api/problem.hpp"
#include "node/signals/signal_json.hpp"

namespace signalnode::node::api {
namespace json = boost::json;

void add_alert_routes(Router& router, ApiServices& s) {
  router.add("GET", "/api/v1/alerts", Access::only({auth::Role::analyst}), [&s](RouteContext ctx, Respond respond) {
    auto query = parse_query(ctx.request.query);
    if (!query) return respond(invalid_field({"query", "is not a valid query string"}));
    std::int64_t limit = 50;
    for (const auto& [key, value] : *query) {
      if (key != "limit") return respond(invalid_field({key, "is not a known query parameter"}));
      auto n = parse_int_in(value, 1, 500);
      if (!n) return respond(invalid_field({"limit", "must be a whole number from 1 to 500"}));
      limit = *n;
    }
    json::array items = s.store.read([&](storage::Database& db) {
      auto& st = db.cached(
          "SELECT id, kind, id_kind, pseudonym, organisations, categories, records, first_seen_ms, last_seen_ms, "
          "updated_at_ms FROM alerts ORDER BY updated_at_ms DESC, id DESC LIMIT ?");
      st.bind(1, limit);
      json::array out;
      while (st.step()) {
        json::object a;
        a["id"] = st.text(0);
        a["kind"] = st.text(1);
        a["subject"] = json::object{{"idKind", st.text(2)}, {"pseudonym", crypto::to_hex(st.blob_view(3))}};
        a["organisations"] = json::parse(st.text(4));
        a["categories"] = json::parse(st.text(5));
        a["records"] = json::parse(st.text(6));  // inbox record ids, as in GET /api/v1/inbox
        a["firstSeen"] = signals::iso8601_utc(st.int64(7));
        a["lastSeen"] = signals::iso8601_utc(st.int64(8));
        a["updatedAt"] = signals::iso8601_utc(st.int64(9));
        out.push_back(std::move(a));
      }
      st.reset();
      return out;
    });
    respond(json_response(200, json::serialize(json::object{{"items", std::move(items)}})));
  });
}

}  // namespace signalnode::node::api
