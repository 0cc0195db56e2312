#include "node/api/router.hpp"

#include "node/http/api_version.hpp"
#include "node/http/problem_language.hpp"
#include "node/api/slow_lane.hpp"
#include "node/api/idempotency.hpp"
#include "node/audit/audit_log.hpp"
#include "node/http/trace_context.hpp"

#include <algorithm>
#include <cctype>
#include <memory>

#include "crypto/bytes.hpp"
#include "node/http/problem.hpp"
#include "node/log/log.hpp"

namespace signalnode::node::api {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t pos = 1;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

std::string_view bearer_token(const HttpRequest& request) {
  std::string_view h = request.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (h.size() <= kBearer.size() || h.substr(0, kBearer.size()) != kBearer) return {};
  return h.substr(kBearer.size());
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 9110 8.3.1: media-type = type "/" subtype *( OWS ";" OWS parameter ), type
// and subtype case-insensitive. Only the exact media type counts: a prefix
// match would let application/jsonx or application/json-patch+json through.
bool media_type_is(std::string_view header, std::string_view expected) {
  std::size_t semi = header.find(';');
  std::string_view type = header.substr(0, semi);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return iequal(type, expected);
}

void add_default_headers(HttpResponse& r) {
  auto has = [&r](std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char x, char y) {
            return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
          })) {
        return true;
      }
    }
    return false;
  };
  if (!has("Cache-Control")) r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Strict-Transport-Security", "max-age=31536000");
  http::add_api_version(r);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

std::optional<std::int64_t> parse_int_in(const std::string& text, std::int64_t lo, std::int64_t hi) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  std::int64_t v = std::stoll(text);
  if (v < lo || v > hi) return std::nullopt;
  return v;
}

std::optional<std::map<std::string, std::string>> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    std::size_t eq = part.find('=');
    auto key = percent_decode(part.substr(0, eq));
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
    if (!key || !value || out.contains(*key)) return std::nullopt;
    out.emplace(std::move(*key), std::move(*value));
  }
  return out;
}

std::string_view cookie_value(const HttpRequest& request, std::string_view name) {
  std::string_view header = request.header("cookie");
  while (!header.empty()) {
    auto semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return {};
}

std::string_view session_cookie(const HttpRequest& request) { return cookie_value(request, kSessionCookie); }

Router::Router(Metrics& metrics, Authenticate authenticate)
    : metrics_(metrics), authenticate_(std::move(authenticate)) {}

void Router::add(std::string method, std::string path_template, Access access, RouteHandler handler) {
  Route r{std::move(method), std::move(path_template), {}, std::move(access), std::move(handler)};
  for (auto seg : split_path(r.path_template)) r.segments.emplace_back(seg);
  routes_.push_back(std::move(r));
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : routes_) out.emplace_back(r.method, r.path_template);
  return out;
}

bool Router::match(const Route& route, const std::vector<std::string_view>& segments, PathParams& params) const {
  if (route.segments.size() != segments.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (segments[i].empty()) return false;
      params[want.substr(1, want.size() - 2)] = std::string(segments[i]);
    } else if (want != segments[i]) {
      return false;
    }
  }
  return true;
}

void Router::handle(HttpRequest&& request, Respond respond) const {
  auto started = std::chrono::steady_clock::now();
  auto segments = split_path(request.path);
  PathParams params;
  const Route* found = nullptr;
  std::string allowed;
  for (const auto& r : routes_) {
    if (!match(r, segments, params)) continue;
    if (r.method == request.method) {
      found = &r;
      break;
    }
    allowed += allowed.empty() ? r.method : ", " + r.method;
  }

  std::string route_name = found ? found->path_template : (allowed.empty() ? "unmatched" : "method-not-allowed");
  // W3C trace context of the caller, kept only when well-formed (it is logged).
  std::string trace(request.header("traceparent"));
  if (trace.size() != 55 || trace.find_first_not_of("0123456789abcdef-") != std::string::npos) trace.clear();
  std::string peer = request.peer_org;
  // Problems in the reader's language (the web sends its own; a browser its
  // Accept-Language; an API client that names none gets English).
  const auto language = http::preferred_language(request.header("accept-language"));
  // Wraps respond: records metrics and the access log once the answer exists.
  auto finish = [this, route_name, method = request.method, started, trace, peer, language,
                 respond = std::move(respond)](HttpResponse response) {
    http::localise_problem(response, language);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.observe_request(route_name, method, response.status, seconds);
    boost::json::object fields{{"route", route_name},
                               {"method", method},
                               {"status", response.status},
                               {"ms", static_cast<std::int64_t>(seconds * 1000)}};
    if (!trace.empty()) fields["traceparent"] = trace;
    if (!peer.empty()) fields["peer"] = peer;
    log::info("http.request", std::move(fields));
    add_default_headers(response);
    respond(std::move(response));
  };

  if (!found) {
    if (!allowed.empty()) {
      HttpResponse r = problem(405, "method-not-allowed", "Method not allowed",
                               "this path allows " + allowed);
      r.headers.emplace_back("Allow", allowed);
      return finish(std::move(r));
    }
    return finish(problem(404, "not-found", "Not found", "no such resource"));
  }

  // A password in the body is wiped however this ends; handlers copy what they keep.
  struct WipeBody {
    explicit WipeBody(std::string& b) : body(b) {}
    WipeBody(const WipeBody&) = delete;
    WipeBody& operator=(const WipeBody&) = delete;
    ~WipeBody() { crypto::wipe(body.data(), body.capacity()); }
    std::string& body;
  };
  std::optional<WipeBody> wipe_body;
  if (found->access.secret_body) wipe_body.emplace(request.body);

  std::optional<auth::Principal> principal;
  if (!found->access.public_route) {
    std::string_view token = bearer_token(request);
    std::string_view cookie = session_cookie(request);
    if (!token.empty()) {
      principal = authenticate_(token);
    } else if (!cookie.empty() && session_lookup_) {
      // A browser sends its cookie with any request, also one another site
      // makes it send: state changes must prove they come from our page.
      if (auto session = session_lookup_(cookie)) {
        bool safe = request.method == "GET" || request.method == "HEAD";
        if (!safe && !constant_time_equal(request.header("x-csrf-token"), session->csrf_token)) {
          return finish(problem(403, "csrf", "Forbidden",
                                "a state-changing request of a web session needs the session's X-CSRF-Token header"));
        }
        if (session->must_enrol && !found->access.while_enrolling) {
          return finish(problem(403, "second-factor-enrolment",
                                "Second factor needed",
                                "stel eerst een tweede factor in (authenticator-app of passkey); uw rol vraagt daarom / "
                                "set up a second factor first (authenticator app or passkey); your role needs one"));
        }
        if (found->access.step_up && !session->recent_proof) {
          return finish(problem(403, "step-up-required", "Confirm it is you",
                                "bevestig eerst opnieuw dat u het bent (code, passkey of wachtwoord); daarna gaat het "
                                "verder / confirm it is you first (code, passkey or password); then it goes ahead"));
        }
        principal = std::move(session->principal);
      }
    }
    if (!principal) {
      HttpResponse r = problem(401, "unauthenticated", "Unauthenticated",
                               "send a valid API token as Authorization: Bearer <token>");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"signalnode\"");
      return finish(std::move(r));
    }
    if (found->access.roles.empty() && !auth::is_person_role(principal->role)) {
      return finish(problem(403, "forbidden", "Forbidden",
                            "the role " + std::string(auth::to_string(principal->role)) +
                                " may only read GET /metrics"));
    }
    if (!found->access.roles.empty()) {
      bool allowed_role = false;
      for (auth::Role role : found->access.roles) allowed_role = allowed_role || role == principal->role;
      if (!allowed_role) {
        return finish(problem(403, "forbidden", "Forbidden",
                              "the role " + std::string(auth::to_string(principal->role)) +
                                  " may not use this route"));
      }
    }
  }
  if ((request.method == "POST" || request.method == "PUT" || request.method == "PATCH") && !request.body.empty() &&
      !media_type_is(request.header("content-type"), found->access.body_type)) {
    return finish(problem(415, "unsupported-media-type", "Unsupported media type",
                          "header Content-Type must be " + found->access.body_type +
                              " (parameters such as ; charset=utf-8 are allowed)"));
  }

  // A retry with a known Idempotency-Key gets the first answer again.
  std::shared_ptr<IdempotencyClaim> claim;
  if (idempotency_ && principal && Idempotency::is_state_changing(request.method) &&
      Idempotency::may_keep(found->path_template, found->access.secret_body)) {
    auto begun = idempotency_->begin(request, principal->token_id);
    if (begun.answer) return finish(std::move(*begun.answer));
    claim = std::move(begun.claim);
  }

  // One answer only, even if a handler misbehaves.
  auto once = std::make_shared<std::atomic<bool>>(false);
  auto finish_ptr = std::make_shared<decltype(finish)>(std::move(finish));
  Respond guarded = [once, finish_ptr, claim](HttpResponse response) {
    if (once->exchange(true)) return;
    if (claim) claim->finish(response);
    (*finish_ptr)(std::move(response));
  };
  try {
    std::optional<http::TraceContext> caller;
    // Only a known caller's trace: on the API a signed-in principal (an open
    // route such as the log-in would let anyone write failed log-ins into a
    // partner exchange's trace, whose id partners know), on the federation
    // listener a partner of the manifest.
    if (trace_audit_ && (principal || foreign_entity_)) {
      if (auto parsed = audit::parse_traceparent(request.header("traceparent"))) {
        caller = http::TraceContext{parsed->first, parsed->second,
                                    foreign_entity_ ? foreign_entity_(request.peer_org) : std::string()};
        if (foreign_entity_ && caller->foreign_entity.empty()) caller.reset();
      }
    }
    http::TraceScope trace_scope(std::move(caller));
    found->handler(RouteContext{request, params, principal, claim}, guarded);
  } catch (const std::exception& e) {
    log::error("http.handler_failed", {{"route", found->path_template}, {"error", e.what()}});
    guarded(failure_response(e));
  }
}

HttpHandler Router::as_handler() const {
  return [this](HttpRequest&& request, Respond respond) { handle(std::move(request), std::move(respond)); };
}

}  // namespace signalnode::node::api
