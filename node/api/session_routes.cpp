// Web sessions and accounts (issue 8): POST/GET/DELETE /api/v1/session (log
// in, who am I, log out) and /api/v1/users (admin). Log-in attempts are
// limited per client address besides the per-account lock-out.
#include <boost/json.hpp>

#include <algorithm>

#include "node/notify/notifier.hpp"
#include "node/api/node_api.hpp"
#include "node/api/session_helpers.hpp"
#include "node/http/problem.hpp"
#include "node/auth/oidc_login.hpp"
#include "node/auth/users.hpp"
#include "node/limits/rate_limiter.hpp"
#include "node/signals/signal_json.hpp"
#include "protocol/json_keys.hpp"

namespace signalnode::node::api {
namespace json = boost::json;

std::string session_cookie_header(std::string_view value, int max_age) {
  return std::string(kSessionCookie) + "=" + std::string(value) + "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(max_age);
}

std::optional<json::object> object_body(const HttpRequest& request, const Respond& respond) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 4;
  json::value body = json::parse(request.body, ec, {}, options);
  if (ec || !body.is_object()) {
    respond(invalid_field({"body", "must be a JSON object"}));
    return std::nullopt;
  }
  if (auto dup = protocol::first_duplicate_key(request.body)) {
    respond(invalid_field({dup->substr(0, 64), "appears more than once in one object (duplicate JSON key)"}));
    return std::nullopt;
  }
  return std::move(body.as_object());
}

std::optional<std::map<std::string, std::string>> string_fields(const HttpRequest& request,
                                                                std::initializer_list<std::string_view> allowed,
                                                                const Respond& respond) {
  auto body = object_body(request, respond);
  if (!body) return std::nullopt;
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : *body) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) == allowed.end()) {
      respond(invalid_field({std::string(key).substr(0, 64), "is not a known field"}));
      return std::nullopt;
    }
    if (!value.is_string()) {
      respond(invalid_field({std::string(key), "must be a string"}));
      return std::nullopt;
    }
    out[std::string(key)] = std::string(value.as_string());
  }
  return out;
}

std::string seconds_until(const ApiServices& s, std::int64_t until_ms) {
  return std::to_string(std::max<std::int64_t>(1, (until_ms - epoch_ms(s.clock()) + 999) / 1000));
}

// Too many wrong passwords for this name or from this address: the same
// answer whether or not the name is an account (429, Retry-After).
HttpResponse must_wait(const ApiServices& s, std::int64_t until_ms) {
  HttpResponse r = problem(429, "login-wait", "Too many wrong passwords",
                           "too many wrong passwords; the next attempt is checked after " + seconds_until(s, until_ms) +
                               " seconds (sessions are not affected)");
  r.headers.emplace_back("Retry-After", seconds_until(s, until_ms));
  return r;
}

namespace {
// How long the session lasts, in seconds from now (the browser's clock may
// be off; a duration is not): the web warns before either end (docs/web.md).
void add_session_times(const ApiServices& s, const auth::Session& session, json::object& o) {
  o["idleSeconds"] = auth::kSessionIdleMs / 1000;
  o["endsInSeconds"] = std::max<std::int64_t>(0, (session.ends_at_ms - epoch_ms(s.clock())) / 1000);
}
}  // namespace

HttpResponse login_response(const ApiServices& s, const auth::LoginResult& result) {
  if (result.outcome == auth::LoginOutcome::throttled) return must_wait(s, result.wait_until_ms);
  if (result.outcome == auth::LoginOutcome::second_factor) {
    // The password was right; no session until the second factor is given.
    json::array methods;
    for (const auto& m : result.methods) methods.emplace_back(m);
    return json_response(200, json::serialize(json::object{{"next", "second-factor"},
                                                           {"loginTicket", result.ticket},
                                                           {"methods", std::move(methods)}}));
  }
  if (result.outcome != auth::LoginOutcome::ok) {
    HttpResponse r = problem(401, "bad-credentials", "Not logged in", "the username or password is wrong");
    // After a wrong password that started a wait, the person is told when to try again.
    if (result.wait_until_ms > epoch_ms(s.clock())) r.headers.emplace_back("Retry-After", seconds_until(s, result.wait_until_ms));
    return r;
  }
  const auth::Session& session = *result.session;
  json::object o{{"username", session.principal.label},
                 {"role", auth::to_string(session.principal.role)},
                 {"org", s.org},
                 {"csrfToken", session.csrf_token},
                 {"mustEnrol", session.must_enrol}};
  add_session_times(s, session, o);
  HttpResponse r = json_response(200, json::serialize(o));
  r.headers.emplace_back("Set-Cookie", session_cookie_header(session.token, static_cast<int>(auth::kSessionMaxMs / 1000)));
  return r;
}

namespace {
std::string cookie(std::string_view value, int max_age) { return session_cookie_header(value, max_age); }
}  // namespace

void add_session_routes(Router& router, ApiServices& s) {
  if (!s.users) return;
  add_second_factor_routes(router, s);
  add_oidc_routes(router, s);
  // N attempts a minute per client address (api.loginAttemptsPerMinute), bursts of N.
  const double per_minute = s.login_attempts_per_minute;
  auto limiter = std::make_shared<limits::RateLimiter>(per_minute / 60.0, per_minute);

  router.add("POST", "/api/v1/session", Access::open().with_secret_body(), [&s, limiter](RouteContext ctx, Respond respond) {
    auto wait = limiter->try_take(ctx.request.remote_address, 1, limits::RateLimiter::Clock::now());
    if (wait > 0) {
      HttpResponse r = problem(429, "too-many-logins", "Too many log-in attempts", "wait a minute before trying again");
      r.headers.emplace_back("Retry-After", std::to_string(static_cast<int>(wait) + 1));
      return respond(std::move(r));
    }
    auto fields = string_fields(ctx.request, {"username", "password"}, respond);
    if (!fields) return;
    auto& f = *fields;
    if (f["username"].empty()) return respond(invalid_field({"username", "is required"}));
    if (f["password"].empty()) return respond(invalid_field({"password", "is required"}));
    // argon2id takes about 90 ms and 64 MiB: on the slow lane, not an I/O thread.
    auto job = [&s, username = f["username"], password = take_secret(f["password"]),
                client = ctx.request.remote_address](const Respond& answer) {
      auto result = s.users->login(username, password->chars(), client, epoch_ms(s.clock()));
      // A log-in starts a visit: the start page shows what is new since the last one.
      if (result.outcome == auth::LoginOutcome::ok && s.notifier) {
        s.store.write([&](storage::Database& db) { notify::Notifier::begin_visit(db, username, epoch_ms(s.clock())); });
      }
      answer(login_response(s, result));
    };
    run_slow(s, std::move(job), std::move(respond));
  });

  router.add("GET", "/api/v1/session", Access::authenticated().allowed_while_enrolling(), [&s](RouteContext ctx, Respond respond) {
    json::object o{{"role", auth::to_string(ctx.principal->role)}, {"org", s.org}, {"orgRole", s.role}};
    std::string_view value = session_cookie(ctx.request);
    if (ctx.request.header("authorization").empty() && !value.empty()) {
      auto session = s.users->session(value, epoch_ms(s.clock()));
      if (session) {
        o["username"] = session->principal.label;
        o["csrfToken"] = session->csrf_token;
        o["mustEnrol"] = session->must_enrol;
        add_session_times(s, *session, o);
        o["team"] = session->principal.team;
        if (s.factors) {
          // What the web's step-up dialog offers.
          const auto factors = s.factors->summary(session->principal.label, session->principal.role);
          o["secondFactor"] = factors.any();
          o["passkeys"] = !factors.passkeys.empty();
          o["stepUpSeconds"] = s.factors->settings().step_up_ms / 1000;
        }
      }
    } else {
      o["token"] = ctx.principal->token_id;
    }
    respond(json_response(200, json::serialize(o)));
  });

  router.add("DELETE", "/api/v1/session", Access::authenticated().allowed_while_enrolling(), [&s](RouteContext ctx, Respond respond) {
    run_after_commit(s, [&s, value = std::string(session_cookie(ctx.request)),
                         username = auth::username_of(*ctx.principal)](const Respond& answer) {
      if (!value.empty()) s.users->logout(value, epoch_ms(s.clock()));
      // Signed in through the organisation's provider: the browser goes on to
      // end the session there too (RP-initiated logout), when it offers that.
      const auto end_session = s.oidc && !value.empty() ? s.oidc->end_session_url(username) : std::nullopt;
      HttpResponse r = end_session ? json_response(200, json::serialize(json::object{{"endSessionUrl", *end_session}}))
                                   : HttpResponse{204, "application/json", "", {}};
      r.headers.emplace_back("Set-Cookie", cookie("", 0));
      answer(std::move(r));
    }, std::move(respond));
  });

  router.add("PUT", "/api/v1/session/password", Access::authenticated().with_secret_body(),
             [&s](RouteContext ctx, Respond respond) {
               std::string_view cookie_value = session_cookie(ctx.request);
               if (!ctx.principal->token_id.starts_with("user:") || cookie_value.empty()) {
                 return respond(problem(409, "not-a-web-account", "Not a web account",
                                        "passwords belong to web accounts; API tokens have none"));
               }
               auto fields = string_fields(ctx.request, {"currentPassword", "newPassword"}, respond);
               if (!fields) return;
               auto& f = *fields;
               if (f["currentPassword"].empty()) return respond(invalid_field({"currentPassword", "is required"}));
               // argon2id twice (check and hash): on the slow lane.
               auto job = [&s, username = ctx.principal->label, keep = std::string(cookie_value),
                           current = take_secret(f["currentPassword"]), next = take_secret(f["newPassword"]),
                           client = ctx.request.remote_address](const Respond& answer) {
                 auth::ChangeResult result;
                 try {
                   result = s.users->change_password(username, keep, current->chars(), next->chars(), client,
                                                     epoch_ms(s.clock()));
                 } catch (const auth::UserError& e) {
                   return answer(invalid_field({e.field, e.what()}));
                 }
                 if (result.outcome == auth::ChangeOutcome::throttled) return answer(must_wait(s, result.wait_until_ms));
                 if (result.outcome == auth::ChangeOutcome::bad_current) {
                   HttpResponse r = invalid_field({"currentPassword", "is not the current password"});
                   if (result.wait_until_ms > 0) r.headers.emplace_back("Retry-After", seconds_until(s, result.wait_until_ms));
                   return answer(std::move(r));
                 }
                 answer(HttpResponse{204, "application/json", "", {}});
               };
               run_slow(s, std::move(job), std::move(respond));
             });

  router.add("GET", "/api/v1/users", Access::only({auth::Role::admin}), [&s](RouteContext, Respond respond) {
    json::array items;
    for (const auto& u : s.users->list(epoch_ms(s.clock()))) {
      json::object item{{"username", u.username},
                        {"role", auth::to_string(u.role)},
                        {"createdAt", signals::iso8601_utc(u.created_at_ms)},
                        {"waiting", u.wait_until_ms > 0}};
      if (u.wait_until_ms > 0) item["waitUntil"] = signals::iso8601_utc(u.wait_until_ms);
      item["secondFactor"] = u.second_factor;
      item["team"] = u.team;
      item["signsInThroughOrganisation"] = u.linked;
      items.push_back(std::move(item));
    }
    respond(json_response(200, json::serialize(json::object{{"items", std::move(items)}})));
  });

  router.add("POST", "/api/v1/users", Access::only({auth::Role::admin}).with_secret_body().with_step_up(), [&s](RouteContext ctx, Respond respond) {
    auto fields = string_fields(ctx.request, {"username", "role", "password"}, respond);
    if (!fields) return;
    auto& f = *fields;
    auto role = auth::role_from_string(f["role"]);
    if (!role) return respond(invalid_field({"role", "must be officer, analyst, privacy_officer or admin"}));
    // Hashing is argon2id too: on the slow lane.
    auto job = [&s, username = f["username"], role = *role, password = take_secret(f["password"]),
                by = ctx.principal->token_id](const Respond& answer) {
      try {
        s.users->create(username, role, password->chars(), epoch_ms(s.clock()), by);
      } catch (const auth::UserError& e) {
        return answer(invalid_field({e.field, e.what()}, e.kind == auth::UserError::Kind::taken ? 409 : 400));
      }
      answer(json_response(201, json::serialize(json::object{{"username", username}, {"role", auth::to_string(role)}})));
    };
    run_slow(s, std::move(job), std::move(respond));
  });

  // An admin clears the wait that wrong passwords put on an account.
  router.add("DELETE", "/api/v1/users/{username}/wait", Access::only({auth::Role::admin}).with_step_up(),
             [&s](RouteContext ctx, Respond respond) {
               run_after_commit(s, [&s, username = ctx.params.at("username"), by = ctx.principal->token_id](const Respond& answer) {
                 if (!s.users->unlock(username, epoch_ms(s.clock()), by)) {
                   return answer(problem(404, "not-found", "Not found", "no account with this username"));
                 }
                 answer(HttpResponse{204, "application/json", "", {}});
               }, std::move(respond));
             });

  // An admin sets a new password for someone who forgot theirs; every
  // session of that account ends.
  router.add("PUT", "/api/v1/users/{username}/password", Access::only({auth::Role::admin}).with_secret_body().with_step_up(),
             [&s](RouteContext ctx, Respond respond) {
               auto fields = string_fields(ctx.request, {"password"}, respond);
               if (!fields) return;
               auto& f = *fields;
               if (f["password"].empty()) return respond(invalid_field({"password", "is required"}));
               auto job = [&s, username = ctx.params.at("username"), password = take_secret(f["password"]),
                           by = ctx.principal->token_id](const Respond& answer) {
                 bool known = false;
                 try {
                   known = s.users->reset_password(username, password->chars(), epoch_ms(s.clock()), by);
                 } catch (const auth::UserError& e) {
                   return answer(invalid_field({e.field, e.what()}));
                 }
                 if (!known) return answer(problem(404, "not-found", "Not found", "no account with this username"));
                 answer(HttpResponse{204, "application/json", "", {}});
               };
               run_slow(s, std::move(job), std::move(respond));
             });

  // An admin puts an account in a team of the organisation (issue 21), or
  // ("team": "") back in the whole of it.
  router.add("PUT", "/api/v1/users/{username}/team", Access::only({auth::Role::admin}).with_step_up(),
             [&s](RouteContext ctx, Respond respond) {
               auto fields = string_fields(ctx.request, {"team"}, respond);
               if (!fields) return;
               if (!fields->contains("team")) return respond(invalid_field({"team", "is required"}));
               run_after_commit(s, [&s, username = ctx.params.at("username"), team = (*fields)["team"],
                                    by = ctx.principal->token_id](const Respond& answer) {
                 try {
                   if (!s.users->set_team(username, team, epoch_ms(s.clock()), by)) {
                     return answer(problem(404, "not-found", "Not found", "no account with this username"));
                   }
                 } catch (const auth::UserError& e) {
                   return answer(invalid_field({e.field, e.what()}));
                 }
                 answer(json_response(200, json::serialize(json::object{{"username", username}, {"team", team}})));
               }, std::move(respond));
             });

  // An admin clears every second factor of someone who lost them (issue 21):
  // their sessions end; a role that needs one enrols again at the next log-in.
  router.add("DELETE", "/api/v1/users/{username}/factors", Access::only({auth::Role::admin}).with_step_up(),
             [&s](RouteContext ctx, Respond respond) {
               if (!s.factors) return respond(problem(404, "not-found", "Not found", "no such resource"));
               run_after_commit(s, [&s, username = ctx.params.at("username"), by = ctx.principal->token_id](const Respond& answer) {
                 if (!s.factors->reset(username, epoch_ms(s.clock()), by)) {
                   return answer(problem(404, "not-found", "Not found", "no account with this username"));
                 }
                 answer(HttpResponse{204, "application/json", "", {}});
               }, std::move(respond));
             });

  router.add("DELETE", "/api/v1/users/{username}", Access::only({auth::Role::admin}).with_step_up(),
             [&s](RouteContext ctx, Respond respond) {
               const std::string& username = ctx.params.at("username");
               // An admin cannot lock the node out of its last admin by accident.
               if (ctx.principal->token_id == "user:" + username) {
                 return respond(problem(409, "own-account", "Own account", "an admin cannot delete their own account"));
               }
               run_after_commit(s, [&s, username, by = ctx.principal->token_id](const Respond& answer) {
                 if (!s.users->remove(username, epoch_ms(s.clock()), by)) {
                   return answer(problem(404, "not-found", "Not found", "no account with this username"));
                 }
                 answer(HttpResponse{204, "application/json", "", {}});
               }, std::move(respond));
             });
}

}  // namespace signalnode::node::api
