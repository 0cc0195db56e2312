// Notifications (issue 17, docs/notifications.md):
// GET and PUT /api/v1/me/notifications: how often this user hears, in which language;
// GET /api/v1/me/start: what is new since the last visit and what waits for this user;
// GET /api/v1/notifications/deliveries: mails and webhook calls as they stand (admin).
#include <boost/json.hpp>

#include "node/api/json_body.hpp"
#include "node/api/node_api.hpp"
#include "node/auth/users.hpp"
#include "node/http/problem.hpp"
#include "node/notify/notifier.hpp"
#include "node/sharing/sharing.hpp"
#include "node/signals/signal_json.hpp"

namespace signalnode::node::api {
namespace json = boost::json;

namespace {

using auth::username_of;

HttpResponse not_for_tokens() {
  return problem(404, "not-found", "Niet gevonden / Not found",
                 both("API-tokens hebben geen meldingen; log in als persoon", "API tokens have no notifications; log in as a person"));
}

HttpResponse not_configured() {
  return problem(404, "not-found", "Niet gevonden / Not found",
                 both("Meldingen zijn op deze node niet ingeschakeld", "notifications are not enabled on this node"));
}

json::object preferences_json(ApiServices& s, const std::string& username) {
  auto prefs = s.store.read([&](storage::Database& db) { return s.notifier->preferences(db, username); });
  std::string email;
  if (s.users) {
    if (auto c = s.users->contact_of(username)) email = c->email;
  }
  return {{"mode", storage::to_sql(prefs.mode)},
          {"language", prefs.language},
          {"email", email},
          {"mailConfigured", s.notifier->settings().smtp.has_value()}};
}

void put_preferences(ApiServices& s, RouteContext& ctx, Respond respond) {
  std::string username = username_of(*ctx.principal);
  if (username.empty()) return respond(not_for_tokens());
  HttpResponse error;
  auto body = body_object(ctx.request, {"mode", "language"}, error);
  if (!body) return respond(std::move(error));
  notify::Preferences p = s.store.read([&](storage::Database& db) { return s.notifier->preferences(db, username); });
  if (const json::value* m = body->if_contains("mode")) {
    auto mode = m->is_string() ? storage::from_sql<notify::Mode>(m->as_string()) : std::nullopt;
    if (!mode) {
      return respond(field_problem("mode", "kies 'immediate' (direct), 'digest' (dagelijks overzicht) of 'off' (uit)",
                                   "choose immediate, digest or off"));
    }
    p.mode = *mode;
  }
  if (const json::value* l = body->if_contains("language")) {
    if (!l->is_string() || (l->as_string() != "nl" && l->as_string() != "en")) {
      return respond(field_problem("language", "kies 'nl' (Nederlands) of 'en' (Engels)", "choose nl or en"));
    }
    p.language = std::string(l->as_string());
  }
  run_after_commit(s, [&s, username, p](const Respond& answer) {
    s.notifier->set_preferences(username, p);
    answer(json_response(200, json::serialize(preferences_json(s, username))));
  }, std::move(respond));
}

// What waits for this user, by role: the things only they can move on.
json::object waiting_for(ApiServices& s, auth::Role role) {
  json::object w;
  if (s.sharing && role != auth::Role::admin && role != auth::Role::metrics) {
    std::int64_t pending = 0;
    for (const auto& r : s.sharing->requests.list("incoming", 500, auth::to_string(role))) {
      const json::value* state = r.if_contains("state");
      if (state && state->is_string() && state->as_string() == "pending") ++pending;
    }
    w["requestsToDecide"] = pending;
  }
  if (role == auth::Role::analyst && s.sharing && s.policy) {
    if (auto policy = s.policy()) w["feedbackOverdue"] = s.sharing->inbox.count_overdue(*policy, epoch_ms(s.clock()));
  }
  if (role == auth::Role::admin) {
    std::int64_t failed = 0;
    for (const auto& d : s.notifier->deliveries(500)) failed += d.state == "failed" ? 1 : 0;
    w["failedNotifications"] = failed;
    if (s.sharing) {
      const auto now = epoch_ms(s.clock());
      std::int64_t late = 0;
      for (const auto& [partner, stats] : s.sharing->outbox.outbox_stats()) {
        if (stats.depth > 0 && now - stats.oldest_ms > 3'600'000) ++late;
      }
      w["partnersBehind"] = late;
    }
  }
  return w;
}

void start_page(ApiServices& s, RouteContext& ctx, Respond respond) {
  std::string username = username_of(*ctx.principal);
  if (username.empty()) return respond(not_for_tokens());
  auto [visit, counts] = s.store.read([&](storage::Database& db) {
    auto v = notify::Notifier::visit(db, username);
    return std::pair(v, notify::Notifier::new_since(db, username, v.previous_ms));
  });
  json::array fresh;
  for (const auto& c : counts) fresh.push_back(json::object{{"topic", storage::to_sql(c.topic)}, {"count", c.count}});
  json::object o{{"new", std::move(fresh)}, {"waiting", waiting_for(s, ctx.principal->role)}};
  if (visit.previous_ms > 0) o["since"] = signals::iso8601_utc(visit.previous_ms);
  respond(json_response(200, json::serialize(o)));
}

void deliveries(ApiServices& s, Respond respond) {
  json::array items;
  for (const auto& d : s.notifier->deliveries(200)) {
    json::object o{{"id", d.id},           {"channel", d.channel},   {"target", d.target},
                   {"state", d.state},     {"attempts", d.attempts}, {"createdAt", signals::iso8601_utc(d.created_at_ms)}};
    if (!d.last_error.empty()) o["lastError"] = d.last_error;
    if (d.state == "queued") o["nextAttemptAt"] = signals::iso8601_utc(d.next_attempt_ms);
    if (d.sent_at_ms > 0) o["sentAt"] = signals::iso8601_utc(d.sent_at_ms);
    items.push_back(std::move(o));
  }
  respond(json_response(200, json::serialize(json::object{{"items", std::move(items)}})));
}

}  // namespace

void add_notify_routes(Router& router, ApiServices& s) {
  using auth::Role;
  const auto people = Access::only({Role::officer, Role::analyst, Role::privacy_officer, Role::admin});
  router.add("GET", "/api/v1/me/notifications", people, [&s](RouteContext ctx, Respond respond) {
    if (!s.notifier) return respond(not_configured());
    std::string username = username_of(*ctx.principal);
    if (username.empty()) return respond(not_for_tokens());
    respond(json_response(200, json::serialize(preferences_json(s, username))));
  });
  router.add("PUT", "/api/v1/me/notifications", people, [&s](RouteContext ctx, Respond respond) {
    if (!s.notifier) return respond(not_configured());
    put_preferences(s, ctx, std::move(respond));
  });
  router.add("GET", "/api/v1/me/start", people, [&s](RouteContext ctx, Respond respond) {
    if (!s.notifier) return respond(not_configured());
    start_page(s, ctx, std::move(respond));
  });
  router.add("GET", "/api/v1/notifications/deliveries", Access::only({Role::admin}), [&s](RouteContext, Respond respond) {
    if (!s.notifier) return respond(not_configured());
    deliveries(s, std::move(respond));
  });
}

}  // namespace signalnode::node::api
