// Sign-in through the organisation's identity provider (issue 21,
// node/auth/oidc_login.hpp):
//   GET /api/v1/session/oidc           → 302 to the provider, with a cookie
//                                        that binds the sign-in to this browser
//   GET /api/v1/session/oidc/callback  → the code exchanged and checked; a
//                                        session cookie and the start page, or
//                                        back to the log-in page with a reason
// Both are top-level navigations of the browser, not calls of the web app.
#include <boost/json.hpp>

#include "node/api/node_api.hpp"
#include "node/api/session_helpers.hpp"
#include "node/auth/oidc_login.hpp"
#include "node/http/problem.hpp"
#include "node/limits/rate_limiter.hpp"
#include "node/log/log.hpp"
#include "node/notify/notifier.hpp"

namespace signalnode::node::api {
namespace {

constexpr std::string_view kBindingCookie = "sn_oidc";
constexpr std::string_view kOidcPath = "/api/v1/session/oidc";

// SameSite=Lax, not Strict: the provider sends the browser back to the
// callback from its own site, and a Strict cookie would not come along.
// Only this path sees it, for 10 minutes.
std::string binding_cookie(std::string_view value, int max_age) {
  return std::string(kBindingCookie) + "=" + std::string(value) + "; Path=" + std::string(kOidcPath) +
         "; Secure; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age);
}

HttpResponse redirect(int status, const std::string& location) {
  HttpResponse r{status, "text/plain; charset=utf-8", "", {}};
  r.headers.emplace_back("Location", location);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// Back to the log-in page, which explains `why` in words (app.js).
HttpResponse back_to_login(auth::OidcRefusal why) {
  HttpResponse r = redirect(303, "/?aanmelding=" + std::string(auth::to_page_word(why)));
  r.headers.emplace_back("Set-Cookie", binding_cookie("", 0));
  return r;
}

}  // namespace

void add_oidc_routes(Router& router, ApiServices& s) {
  if (!s.users) return;
  // Always routed (the OpenAPI document lists them); without auth.oidc in
  // node.json they answer 404, as an address that is not there.
  const auto not_configured = [] { return problem(404, "not-found", "Not found", "no such resource"); };

  // Each start writes a row: as many a minute per client address as log-in
  // attempts (api.loginAttemptsPerMinute), so nobody fills the table.
  const double per_minute = s.login_attempts_per_minute;
  auto limiter = std::make_shared<limits::RateLimiter>(per_minute / 60.0, per_minute);

  router.add("GET", std::string(kOidcPath), Access::open(), [&s, limiter, not_configured](RouteContext ctx, Respond respond) {
    if (!s.oidc) return respond(not_configured());
    if (!ctx.request.query.empty()) return respond(invalid_field({"query", "this address takes no parameters"}));
    if (limiter->try_take(ctx.request.remote_address, 1, limits::RateLimiter::Clock::now()) > 0) {
      return respond(back_to_login(auth::OidcRefusal::busy));
    }
    // Discovery may go over the network: on the slow lane.
    run_with_provider(s, [&s](const Respond& answer) {
      try {
        auto start = s.oidc->begin(epoch_ms(s.clock()));
        HttpResponse r = redirect(302, start.authorization_url);
        r.headers.emplace_back("Set-Cookie", binding_cookie(start.browser_binding, static_cast<int>(auth::kOidcStateMs / 1000)));
        answer(std::move(r));
      } catch (const auth::ProviderUnreachable& e) {
        log::warn("oidc.provider_unreachable", {{"reason", e.what()}});
        answer(back_to_login(auth::OidcRefusal::unreachable));
      }
    }, std::move(respond));
  });

  router.add("GET", std::string(kOidcPath) + "/callback", Access::open(), [&s, not_configured](RouteContext ctx, Respond respond) {
    if (!s.oidc) return respond(not_configured());
    auto query = parse_query(ctx.request.query);
    if (!query) return respond(invalid_field({"query", "is not a valid query string"}));
    auth::OidcFinishInput in;
    auto take = [&](const char* key, std::string& into) {
      if (auto it = query->find(key); it != query->end()) into = it->second;
    };
    take("state", in.state);
    take("code", in.code);
    take("error", in.error);
    take("iss", in.iss);
    in.browser_binding = std::string(cookie_value(ctx.request, kBindingCookie).substr(0, 128));
    in.client = ctx.request.remote_address;
    // The token request goes over the network: on the slow lane.
    run_with_provider(s, [&s, in = std::move(in)](const Respond& answer) {
      auto result = s.oidc->finish(in, epoch_ms(s.clock()));
      if (!result.session) return answer(back_to_login(result.refusal));
      if (s.notifier) {
        s.store.write([&](storage::Database& db) { notify::Notifier::begin_visit(db, result.username, epoch_ms(s.clock())); });
      }
      // A page of our own that moves on to the start page: a redirect chain
      // that began at the provider's site would count as cross-site, and the
      // browser would hold back the SameSite=Strict session cookie.
      HttpResponse r{200, "text/html; charset=utf-8",
                     "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\">"
                     "<meta http-equiv=\"refresh\" content=\"0;url=/\"><title>Aangemeld</title></head>"
                     "<body><p><a href=\"/\">Verder naar signalnode</a></p></body></html>",
                     {}};
      r.headers.emplace_back("Cache-Control", "no-store");
      // One Set-Cookie only (the server keeps one field per name): the
      // binding cookie is left to expire; its state is used up already.
      r.headers.emplace_back("Set-Cookie", session_cookie_header(result.session->token,
                                                                 static_cast<int>(auth::kSessionMaxMs / 1000)));
      answer(std::move(r));
    }, std::move(respond));
  });
}

}  // namespace signalnode::node::api
