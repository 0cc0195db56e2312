// Second factors and step-up of web sessions (issue 21, docs/api.md):
//   POST /api/v1/session/second-factor            the code after the password
//   POST /api/v1/session/passkey/options, /passkey a passkey after the password, or alone
//   GET  /api/v1/session/factors                   what the account has
//   POST|PUT|DELETE /api/v1/session/factors/totp   set up, confirm, remove an authenticator app
//   POST /api/v1/session/factors/passkeys/options, POST /passkeys, DELETE /passkeys/{id}
//   POST /api/v1/session/factors/recovery-codes    new recovery codes
//   POST /api/v1/session/step-up/options, /step-up prove it again for a sensitive action
// Refusals are problem documents, Dutch first; every one is audited by
// node/auth and leaves no session.
#include <boost/json.hpp>

#include "crypto/sha256.hpp"
#include "node/api/session_helpers.hpp"
#include "node/auth/base64url.hpp"
#include "node/auth/second_factors.hpp"
#include "node/http/problem.hpp"
#include "node/limits/rate_limiter.hpp"
#include "node/signals/signal_json.hpp"
#include "protocol/json_keys.hpp"

namespace signalnode::node::api {
namespace json = boost::json;

namespace {

std::string text_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The browser's answer from navigator.credentials (base64url fields).
std::optional<auth::PasskeyResponse> passkey_response(const json::object& body, bool registration, const Respond& respond) {
  const json::value* c = body.if_contains("credential");
  if (!c || !c->is_object()) {
    respond(invalid_field({"credential", "is required"}));
    return std::nullopt;
  }
  const json::object& o = c->get_object();
  auth::PasskeyResponse r;
  r.id = text_at(o, "id");
  if (r.id.empty() || r.id.size() > 1400) {
    respond(invalid_field({"credential.id", "is not valid"}));
    return std::nullopt;
  }
  auto field = [&](std::string_view key, std::size_t max, crypto::Bytes& out, bool required) {
    const std::string text = text_at(o, key);
    if (text.empty() && !required) return true;
    auto bytes = auth::from_base64url(text, max);
    if (!bytes || (required && bytes->empty())) {
      respond(invalid_field({"credential." + std::string(key), "is not valid"}));
      return false;
    }
    out = std::move(*bytes);
    return true;
  };
  if (!field("clientDataJSON", auth::kMaxClientDataBytes, r.client_data_json, true)) return std::nullopt;
  if (registration) {
    if (!field("attestationObject", auth::kMaxAttestationObjectBytes, r.attestation_object, true)) return std::nullopt;
  } else {
    if (!field("authenticatorData", auth::kMaxAuthenticatorDataBytes, r.authenticator_data, true) ||
        !field("signature", 1024, r.signature, true) || !field("userHandle", 64, r.user_handle, false)) {
      return std::nullopt;
    }
  }
  return r;
}

json::array allow_list(const std::vector<std::string>& ids) {
  json::array out;
  for (const auto& id : ids) out.push_back(json::object{{"type", "public-key"}, {"id", id}});
  return out;
}

// navigator.credentials.get options (WebAuthn PublicKeyCredentialRequestOptions).
HttpResponse request_options(const ApiServices& s, const std::string& challenge, const std::vector<std::string>& allow) {
  return json_response(200, json::serialize(json::object{{"challenge", challenge},
                                                         {"rpId", s.factors->settings().rp.id},
                                                         {"timeout", auth::kChallengeMs},
                                                         {"userVerification", "required"},
                                                         {"allowCredentials", allow_list(allow)}}));
}

HttpResponse second_step_refused(const ApiServices& s, const auth::LoginResult& result, bool passkey) {
  if (result.outcome == auth::LoginOutcome::throttled) return must_wait(s, result.wait_until_ms);
  HttpResponse r = passkey ? problem(401, "passkey-refused", "Passkey refused", result.reason)
                           : problem(401, "second-factor-wrong", "Wrong code", result.reason);
  if (result.wait_until_ms > epoch_ms(s.clock())) r.headers.emplace_back("Retry-After", seconds_until(s, result.wait_until_ms));
  return r;
}

HttpResponse not_web_account() {
  return problem(409, "not-a-web-account", "Not a web account",
                 "second factors belong to web accounts; API tokens have none");
}

HttpResponse factor_problem(const auth::FactorError& e) {
  switch (e.kind) {
    case auth::FactorError::Kind::conflict: return problem(409, "factor-conflict", "Not possible now", e.what());
    case auth::FactorError::Kind::not_found: return problem(404, "not-found", "Not found", e.what());
    case auth::FactorError::Kind::invalid: break;
  }
  return problem(400, "second-factor-wrong", "Wrong code", e.what());
}

json::array codes_json(const std::vector<std::string>& codes) {
  json::array out;
  for (const auto& c : codes) out.emplace_back(c);
  return out;
}

// The SHA-256 the node keeps of a session's cookie value.
crypto::Digest256 session_hash(std::string_view cookie) { return crypto::sha256(crypto::as_bytes(cookie)); }

}  // namespace

namespace {
// The routes anyone may call before a session exists share the log-in's limit
// per client address (api.loginAttemptsPerMinute): a guesser gets no more
// tries at codes than at passwords, and nobody fills the challenge table.
bool over_limit(limits::RateLimiter& limiter, const HttpRequest& request, const Respond& respond) {
  auto wait = limiter.try_take(request.remote_address, 1, limits::RateLimiter::Clock::now());
  if (wait <= 0) return false;
  HttpResponse r = problem(429, "too-many-logins", "Too many log-in attempts", "wait a minute before trying again");
  r.headers.emplace_back("Retry-After", std::to_string(static_cast<int>(wait) + 1));
  respond(std::move(r));
  return true;
}
}  // namespace

void add_second_factor_routes(Router& router, ApiServices& s) {
  if (!s.factors) return;
  const double per_minute = s.login_attempts_per_minute;
  auto limiter = std::make_shared<limits::RateLimiter>(per_minute / 60.0, per_minute);
  // What is typed at the second step: the ticket and a code. Codes never
  // stay in the Idempotency store (secret bodies).
  router.add("POST", "/api/v1/session/second-factor", Access::open().with_secret_body(), [&s, limiter](RouteContext ctx, Respond respond) {
    if (over_limit(*limiter, ctx.request, respond)) return;
    auto fields = string_fields(ctx.request, {"loginTicket", "code"}, respond);
    if (!fields) return;
    auto& f = *fields;
    if (f["loginTicket"].empty()) return respond(invalid_field({"loginTicket", "is required"}));
    if (f["code"].empty()) return respond(invalid_field({"code", "is required"}));
    auto job = [&s, ticket = f["loginTicket"], code = take_secret(f["code"]), client = ctx.request.remote_address](const Respond& answer) {
      auto result = s.users->finish_with_code(ticket, code->chars(), client, epoch_ms(s.clock()));
      if (result.outcome != auth::LoginOutcome::ok) return answer(second_step_refused(s, result, false));
      answer(login_response(s, result));
    };
    run_after_commit(s, std::move(job), std::move(respond));
  });

  router.add("POST", "/api/v1/session/passkey/options", Access::open(), [&s, limiter](RouteContext ctx, Respond respond) {
    if (over_limit(*limiter, ctx.request, respond)) return;
    auto fields = string_fields(ctx.request, {"loginTicket"}, respond);
    if (!fields) return;
    auto job = [&s, ticket = (*fields)["loginTicket"], client = ctx.request.remote_address](const Respond& answer) {
      std::vector<std::string> allow;
      auto challenge = s.users->passkey_challenge(ticket, client, epoch_ms(s.clock()), allow);
      if (!challenge) {
        return answer(problem(401, "second-factor-wrong", "Wrong code", "the log-in expired; give your password again"));
      }
      answer(request_options(s, *challenge, allow));
    };
    run_after_commit(s, std::move(job), std::move(respond));
  });

  router.add("POST", "/api/v1/session/passkey", Access::open().with_secret_body(), [&s, limiter](RouteContext ctx, Respond respond) {
    if (over_limit(*limiter, ctx.request, respond)) return;
    auto body = object_body(ctx.request, respond);
    if (!body) return;
    auto response = passkey_response(*body, false, respond);
    if (!response) return;
    auto job = [&s, ticket = text_at(*body, "loginTicket"), response = std::move(*response),
                client = ctx.request.remote_address](const Respond& answer) {
      auto result = s.users->finish_with_passkey(ticket, response, client, epoch_ms(s.clock()));
      if (result.outcome != auth::LoginOutcome::ok) return answer(second_step_refused(s, result, true));
      answer(login_response(s, result));
    };
    run_after_commit(s, std::move(job), std::move(respond));
  });

  router.add("GET", "/api/v1/session/factors", Access::authenticated().allowed_while_enrolling(),
             [&s](RouteContext ctx, Respond respond) {
               const std::string username = auth::username_of(*ctx.principal);
               if (username.empty()) return respond(not_web_account());
               const auto summary = s.factors->summary(username, ctx.principal->role);
               json::array passkeys;
               for (const auto& p : summary.passkeys) {
                 json::object item{{"id", p.id}, {"name", p.name}, {"createdAt", signals::iso8601_utc(p.created_at_ms)}};
                 if (p.last_used_ms) item["lastUsedAt"] = signals::iso8601_utc(p.last_used_ms);
                 passkeys.push_back(std::move(item));
               }
               respond(json_response(200, json::serialize(json::object{{"required", summary.required},
                                                                      {"totp", summary.totp},
                                                                      {"recoveryCodesLeft", summary.recovery_codes_left},
                                                                      {"passkeys", std::move(passkeys)},
                                                                      {"rpId", s.factors->settings().rp.id}})));
             });

  // Setting up an authenticator app: the key is shown once, here.
  router.add("POST", "/api/v1/session/factors/totp",
             Access::authenticated().allowed_while_enrolling().with_step_up().with_secret_body(),
             [&s](RouteContext ctx, Respond respond) {
               const std::string username = auth::username_of(*ctx.principal);
               if (username.empty()) return respond(not_web_account());
               run_after_commit(s, [&s, username](const Respond& answer) {
                 try {
                   auto [secret, uri] = s.factors->begin_totp(username, epoch_ms(s.clock()));
                   HttpResponse r = json_response(201, json::serialize(json::object{{"secret", secret}, {"uri", uri}}));
                   crypto::wipe(secret.data(), secret.size());
                   crypto::wipe(uri.data(), uri.size());
                   answer(std::move(r));
                 } catch (const auth::FactorError& e) {
                   answer(factor_problem(e));
                 }
               }, std::move(respond));
             });

  router.add("PUT", "/api/v1/session/factors/totp",
             Access::authenticated().allowed_while_enrolling().with_step_up().with_secret_body(),
             [&s](RouteContext ctx, Respond respond) {
               const std::string username = auth::username_of(*ctx.principal);
               const std::string cookie(session_cookie(ctx.request));
               if (username.empty() || cookie.empty()) return respond(not_web_account());
               auto fields = string_fields(ctx.request, {"code"}, respond);
               if (!fields) return;
               if ((*fields)["code"].empty()) return respond(invalid_field({"code", "is required"}));
               run_after_commit(s, [&s, username, cookie, code = take_secret((*fields)["code"])](const Respond& answer) {
                 try {
                   auto codes = s.factors->confirm_totp(username, code->chars(), session_hash(cookie), epoch_ms(s.clock()));
                   answer(json_response(200, json::serialize(json::object{{"recoveryCodes", codes_json(codes)}})));
                 } catch (const auth::FactorError& e) {
                   answer(factor_problem(e));
                 }
               }, std::move(respond));
             });

  router.add("DELETE", "/api/v1/session/factors/totp", Access::authenticated().with_step_up(),
             [&s](RouteContext ctx, Respond respond) {
               const std::string username = auth::username_of(*ctx.principal);
               if (username.empty()) return respond(not_web_account());
               run_after_commit(s, [&s, username, role = ctx.principal->role, by = ctx.principal->token_id](const Respond& answer) {
                 try {
                   s.factors->remove_totp(username, role, epoch_ms(s.clock()), by);
                   answer(HttpResponse{204, "application/json", "", {}});
                 } catch (const auth::FactorError& e) {
                   answer(factor_problem(e));
                 }
               }, std::move(respond));
             });

  // navigator.credentials.create options (PublicKeyCredentialCreationOptions).
  router.add("POST", "/api/v1/session/factors/passkeys/options",
             Access::authenticated().allowed_while_enrolling().with_step_up(), [&s](RouteContext ctx, Respond respond) {
               const std::string username = auth::username_of(*ctx.principal);
               if (username.empty()) return respond(not_web_account());
               run_after_commit(s, [&s, username](const Respond& answer) {
                 std::string challenge;
                 crypto::Bytes handle;
                 std::vector<std::string> existing;
                 s.store.write([&](storage::Database& db) {
                   challenge = auth::SecondFactors::new_challenge(db, username, "register", epoch_ms(s.clock()));
                   handle = auth::SecondFactors::user_handle(db, username);
                   existing = auth::SecondFactors::passkey_ids(db, username);
                 });
                 json::object options{
                     {"challenge", challenge},
                     {"rp", json::object{{"id", s.factors->settings().rp.id}, {"name", "signalnode " + s.org}}},
                     {"user", json::object{{"id", auth::to_base64url(handle)}, {"name", username}, {"displayName", username}}},
                     {"pubKeyCredParams", json::array{json::object{{"type", "public-key"}, {"alg", -7}},
                                                      json::object{{"type", "public-key"}, {"alg", -8}},
                                                      json::object{{"type", "public-key"}, {"alg", -257}}}},
                     {"timeout", auth::kChallengeMs},
                     {"attestation", "none"},
                     {"authenticatorSelection", json::object{{"residentKey", "required"}, {"userVerification", "required"}}},
                     {"excludeCredentials", allow_list(existing)}};
                 answer(json_response(200, json::serialize(options)));
               }, std::move(respond));
             });

  router.add("POST", "/api/v1/session/factors/passkeys",
             Access::authenticated().allowed_while_enrolling().with_step_up().with_secret_body(),
             [&s](RouteContext ctx, Respond respond) {
               const std::string username = auth::username_of(*ctx.principal);
               const std::string cookie(session_cookie(ctx.request));
               if (username.empty() || cookie.empty()) return respond(not_web_account());
               auto body = object_body(ctx.request, respond);
               if (!body) return;
               std::string name = text_at(*body, "name");
               if (name.empty()) name = "Passkey";
               if (name.size() > 64 || std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
                 return respond(invalid_field({"name", "must be at most 64 bytes"}));
               }
               auto response = passkey_response(*body, true, respond);
               if (!response) return;
               run_after_commit(s, [&s, username, cookie, name, response = std::move(*response)](const Respond& answer) {
                 try {
                   auto codes = s.factors->register_passkey(username, name, response, session_hash(cookie), epoch_ms(s.clock()));
                   answer(json_response(201, json::serialize(json::object{{"recoveryCodes", codes_json(codes)}})));
                 } catch (const auth::FactorError& e) {
                   answer(factor_problem(e));
                 }
               }, std::move(respond));
             });

  router.add("DELETE", "/api/v1/session/factors/passkeys/{id}", Access::authenticated().with_step_up(),
             [&s](RouteContext ctx, Respond respond) {
               const std::string username = auth::username_of(*ctx.principal);
               if (username.empty()) return respond(not_web_account());
               run_after_commit(s, [&s, username, role = ctx.principal->role, id = ctx.params.at("id"),
                                    by = ctx.principal->token_id](const Respond& answer) {
                 try {
                   s.factors->remove_passkey(username, role, id, epoch_ms(s.clock()), by);
                   answer(HttpResponse{204, "application/json", "", {}});
                 } catch (const auth::FactorError& e) {
                   answer(factor_problem(e));
                 }
               }, std::move(respond));
             });

  router.add("POST", "/api/v1/session/factors/recovery-codes", Access::authenticated().with_step_up().with_secret_body(),
             [&s](RouteContext ctx, Respond respond) {
               const std::string username = auth::username_of(*ctx.principal);
               if (username.empty()) return respond(not_web_account());
               run_after_commit(s, [&s, username](const Respond& answer) {
                 try {
                   auto codes = s.factors->renew_recovery_codes(username, epoch_ms(s.clock()));
                   answer(json_response(201, json::serialize(json::object{{"recoveryCodes", codes_json(codes)}})));
                 } catch (const auth::FactorError& e) {
                   answer(factor_problem(e));
                 }
               }, std::move(respond));
             });

  router.add("POST", "/api/v1/session/step-up/options", Access::authenticated().allowed_while_enrolling(),
             [&s](RouteContext ctx, Respond respond) {
               const std::string cookie(session_cookie(ctx.request));
               if (cookie.empty() || auth::username_of(*ctx.principal).empty()) return respond(not_web_account());
               run_after_commit(s, [&s, cookie](const Respond& answer) {
                 std::vector<std::string> allow;
                 auto challenge = s.users->step_up_challenge(cookie, epoch_ms(s.clock()), allow);
                 if (!challenge) return answer(problem(401, "unauthenticated", "Unauthenticated", "send a valid API token as Authorization: Bearer <token>"));
                 answer(request_options(s, *challenge, allow));
               }, std::move(respond));
             });

  // Step-up: a code, a passkey, or (an account without a second factor) the
  // password. Argon2id for a password: on the slow lane.
  router.add("POST", "/api/v1/session/step-up", Access::authenticated().allowed_while_enrolling().with_secret_body(),
             [&s](RouteContext ctx, Respond respond) {
               const std::string cookie(session_cookie(ctx.request));
               if (cookie.empty() || auth::username_of(*ctx.principal).empty()) return respond(not_web_account());
               auto body = object_body(ctx.request, respond);
               if (!body) return;
               for (const auto& [key, value] : *body) {
                 if (key != "code" && key != "password" && key != "credential") {
                   return respond(invalid_field({std::string(key), "is not a known field"}));
                 }
                 if (key != "credential" && !value.is_string()) return respond(invalid_field({std::string(key), "must be a string"}));
               }
               auto proof = std::make_shared<auth::StepUpProof>();
               if (body->contains("credential")) {
                 auto response = passkey_response(*body, false, respond);
                 if (!response) return;
                 proof->passkey = std::move(*response);
               }
               proof->code = text_at(*body, "code");
               proof->password = text_at(*body, "password");
               if (proof->code.empty() && proof->password.empty() && !proof->passkey) {
                 return respond(invalid_field({"code", "is required"}));
               }
               auto job = [&s, cookie, proof, client = ctx.request.remote_address](const Respond& answer) {
                 auto result = s.users->step_up(cookie, *proof, client, epoch_ms(s.clock()));
                 crypto::wipe(proof->password.data(), proof->password.size());
                 crypto::wipe(proof->code.data(), proof->code.size());
                 switch (result.outcome) {
                   case auth::StepUpOutcome::ok: return answer(HttpResponse{204, "application/json", "", {}});
                   case auth::StepUpOutcome::throttled: return answer(must_wait(s, result.wait_until_ms));
                   case auth::StepUpOutcome::no_session:
                     return answer(problem(401, "unauthenticated", "Unauthenticated", "send a valid API token as Authorization: Bearer <token>"));
                   case auth::StepUpOutcome::wrong: break;
                 }
                 HttpResponse r = problem(403, "step-up-failed", "Not confirmed", result.reason);
                 if (result.wait_until_ms > epoch_ms(s.clock())) r.headers.emplace_back("Retry-After", seconds_until(s, result.wait_until_ms));
                 answer(std::move(r));
               };
               run_slow(s, std::move(job), std::move(respond));
             });
}

}  // namespace signalnode::node::api
