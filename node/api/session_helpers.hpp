// What the session routes (session_routes.cpp) and the second-factor routes
// (second_factor_routes.cpp) share: reading small JSON bodies of strings,
// taking secrets out of them, and the session cookie.
#pragma once

#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "crypto/bytes.hpp"
#include "node/api/node_api.hpp"
#include "node/auth/users.hpp"

namespace signalnode::node::api {

std::string session_cookie_header(std::string_view value, int max_age);

// A JSON object body (depth at most 4, no key twice); nullopt after answering 400.
std::optional<boost::json::object> object_body(const HttpRequest& request, const Respond& respond);
// A JSON object body with only string fields from `allowed`; nullopt after responding.
std::optional<std::map<std::string, std::string>> string_fields(const HttpRequest& request,
                                                                std::initializer_list<std::string_view> allowed,
                                                                const Respond& respond);

// A password (or code) taken out of the parsed body: wiped when the last job
// holding it is gone, also one the slow lane refused and never ran.
using Secret = std::shared_ptr<const crypto::SecretBytes>;
inline Secret take_secret(std::string& field) {
  return std::make_shared<const crypto::SecretBytes>(crypto::SecretBytes::take(field));
}

// Seconds until `until_ms`, rounded up, at least 1.
std::string seconds_until(const ApiServices& s, std::int64_t until_ms);
// 429 with Retry-After: too many wrong passwords or codes.
HttpResponse must_wait(const ApiServices& s, std::int64_t until_ms);
// The answer to a log-in step: a session (cookie), the second step, or a refusal.
HttpResponse login_response(const ApiServices& s, const auth::LoginResult& result);

void add_second_factor_routes(Router& router, ApiServices& s);

}  // namespace signalnode::node::api
