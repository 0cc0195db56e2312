// Maps method + path template to a handler, and enforces what every route
// shares: authentication, the role check, the content type, metrics and the
// access log (route template and status only; never the raw path or body).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "node/auth/tokens.hpp"
#include "node/http/metrics.hpp"
#include "node/http/problem.hpp"
#include "node/http/types.hpp"

namespace signalnode::node::api {

// The HTTP vocabulary of node/http, under the names the routes use.
using http::HttpHandler;
using http::HttpRequest;
using http::HttpResponse;
using http::internal_error;
using http::invalid_field;
using http::invalid_fields;
using http::json_response;
using http::Metrics;
using http::problem;
using http::Respond;

using PathParams = std::map<std::string, std::string>;

class Idempotency;
class IdempotencyClaim;

struct RouteContext {
  const HttpRequest& request;
  const PathParams& params;
  const std::optional<auth::Principal>& principal;
  // The request's hold on its Idempotency-Key (nullptr: none sent). A route
  // whose write must be exactly once records its answer with it in that
  // write's transaction (IdempotencyClaim::record_in).
  std::shared_ptr<IdempotencyClaim> idempotency;
};

using RouteHandler = std::function<void(RouteContext, Respond)>;

// Who may call a route: nobody needs a token (public), any valid token
// (authenticated), or one of the listed roles.
struct Access {
  bool public_route = false;
  std::vector<auth::Role> roles;  // empty and not public: any authenticated person role (not metrics)
  std::string body_type = "application/json";  // required Content-Type of a request body
  bool secret_body = false;  // holds a password: wiped once the handler has taken what it needs
  // A web session whose role needs a second factor it has not set up may
  // only use routes marked so (enrolling one, who am I, log out).
  bool while_enrolling = false;
  // A web session needs a recent proof (log-in or step-up, issue 21) for
  // this route: withdrawals, answers to requests, subject access, accounts.
  // API tokens are machine credentials and have no second factor.
  bool step_up = false;
  static Access open() { return {true, {}, "application/json", false, false, false}; }
  static Access authenticated() { return {false, {}, "application/json", false, false, false}; }
  static Access only(std::vector<auth::Role> r) { return {false, std::move(r), "application/json", false, false, false}; }
  Access allowed_while_enrolling() && {
    while_enrolling = true;
    return std::move(*this);
  }
  Access with_step_up() && {
    step_up = true;
    return std::move(*this);
  }
  Access with_secret_body() && {
    secret_body = true;
    return std::move(*this);
  }
  Access with_body(std::string type) && {
    body_type = std::move(type);
    return std::move(*this);
  }
};

// A web session found from its cookie: who, and the CSRF token every
// state-changing request of that session must echo in X-CSRF-Token.
struct SessionAuth {
  auth::Principal principal;
  std::string csrf_token;
  bool must_enrol = false;     // may only enrol a second factor
  bool recent_proof = false;   // proved who they are within the step-up time
};

inline constexpr std::string_view kSessionCookie = "sn_session";
// The value of the session cookie, or empty.
std::string_view session_cookie(const HttpRequest& request);
// The value of the cookie `name`, or empty.
std::string_view cookie_value(const HttpRequest& request, std::string_view name);

// Sent with every answer: the web interface loads nothing from elsewhere, runs
// no inline script, and may not be framed.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

class Router {
 public:
  using Authenticate = std::function<std::optional<auth::Principal>(std::string_view token)>;
  using SessionLookup = std::function<std::optional<SessionAuth>(std::string_view cookie_value)>;

  Router(Metrics& metrics, Authenticate authenticate);
  // Browsers authenticate with a session cookie instead of a bearer token.
  void set_session_lookup(SessionLookup lookup) { session_lookup_ = std::move(lookup); }
  // Honours Idempotency-Key on state-changing calls of a known caller (the
  // API listener; the federation listener has its own message ids).
  void set_idempotency(Idempotency* idempotency) { idempotency_ = idempotency; }
  // What a request logs joins the trace of its `traceparent`
  // (http/trace_context.hpp). The API listener: as children of the caller's
  // span. The federation listener: with `foreign_entity(peer_org)` (the
  // partner's urn:oin:...) as the partner's foreign operation.
  void set_trace_audit(bool on) { trace_audit_ = on; }
  void set_trace_audit_foreign(std::function<std::string(std::string_view peer_org)> foreign_entity) {
    trace_audit_ = true;
    foreign_entity_ = std::move(foreign_entity);
  }

  void add(std::string method, std::string path_template, Access access, RouteHandler handler);
  // The routes, for the OpenAPI consistency test: (method, template).
  std::vector<std::pair<std::string, std::string>> routes() const;

  void handle(HttpRequest&& request, Respond respond) const;
  HttpHandler as_handler() const;

 private:
  struct Route {
    std::string method;
    std::string path_template;
    std::vector<std::string> segments;
    Access access;
    RouteHandler handler;
  };
  bool match(const Route& route, const std::vector<std::string_view>& segments, PathParams& params) const;

  Metrics& metrics_;
  Authenticate authenticate_;
  SessionLookup session_lookup_;
  Idempotency* idempotency_ = nullptr;
  bool trace_audit_ = false;
  std::function<std::string(std::string_view)> foreign_entity_;
  std::vector<Route> routes_;
};

// A whole decimal number within [lo, hi]; nullopt otherwise (query parameters).
std::optional<std::int64_t> parse_int_in(const std::string& text, std::int64_t lo, std::int64_t hi);

// Percent-decoded query parameters; nullopt for a malformed query.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

}  // namespace signalnode::node::api
