// Web log-ins for integration tests, second factor included (issue 21): an
// account whose role needs a factor is enrolled with an authenticator app on
// its first log-in, and later log-ins give one of its recovery codes (real
// time would allow one TOTP code per 30 s).
#pragma once

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "node/auth/totp.hpp"
#include "node/http/types.hpp"
#include "node/net/https_client.hpp"

namespace signalnode::testing {

struct WebLogin {
  std::string cookie;  // "sn_session=..."
  std::string csrf;
};

inline std::string response_header(const node::http::HttpResponse& r, std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  for (auto [k, v] : r.headers) {
    std::transform(k.begin(), k.end(), k.begin(), ::tolower);
    if (k == name) return v;
  }
  return "";
}

inline crypto::Bytes from_base32(std::string_view text) {
  crypto::Bytes out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char ch : text) {
    if (ch == ' ') continue;
    acc = (acc << 5) | static_cast<std::uint32_t>(ch >= 'A' ? ch - 'A' : ch - '2' + 26);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  return out;
}

inline std::string totp_now(const crypto::Bytes& key, int steps_ahead = 0) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return node::auth::hotp_code(key, static_cast<std::uint64_t>(node::auth::totp_step(now) + steps_ahead));
}

struct EnrolledFactor {
  crypto::Bytes key;
  std::vector<std::string> recovery_codes;
};

class WebLogins {
 public:
  // Logs in; enrols TOTP when the session must, answers the second step with
  // a recovery code when asked. Empty cookie when the password is refused.
  WebLogin login(node::net::HttpsClient& client, const std::string& username, const std::string& password) {
    namespace json = boost::json;
    using Headers = std::vector<std::pair<std::string, std::string>>;
    const Headers type{{"Content-Type", "application/json"}};
    auto r = client.request("POST", "/api/v1/session",
                            json::serialize(json::object{{"username", username}, {"password", password}}), type);
    if (r.status != 200) return {};
    auto body = json::parse(r.body).as_object();
    if (body.contains("next")) {
      auto& f = enrolled_.at(username);
      const std::string code = f.recovery_codes.back();
      f.recovery_codes.pop_back();
      r = client.request("POST", "/api/v1/session/second-factor",
                         json::serialize(json::object{{"loginTicket", body.at("loginTicket")}, {"code", code}}), type);
      if (r.status != 200) return {};
      body = json::parse(r.body).as_object();
    }
    std::string set_cookie = response_header(r, "Set-Cookie");
    WebLogin l{set_cookie.substr(0, set_cookie.find(';')), std::string(body.at("csrfToken").as_string())};
    if (body.at("mustEnrol").as_bool()) {
      Headers h{{"Cookie", l.cookie}, {"X-CSRF-Token", l.csrf}, {"Content-Type", "application/json"}};
      auto begun = client.request("POST", "/api/v1/session/factors/totp", "", h);
      EnrolledFactor f;
      f.key = from_base32(std::string(json::parse(begun.body).at("secret").as_string()));
      auto done = client.request("PUT", "/api/v1/session/factors/totp",
                                 json::serialize(json::object{{"code", totp_now(f.key)}}), h);
      const json::value answer = json::parse(done.body);  // kept: never range-for over a temporary's member
      for (const auto& c : answer.at("recoveryCodes").as_array()) f.recovery_codes.emplace_back(c.as_string());
      enrolled_[username] = std::move(f);
    }
    return l;
  }
  const EnrolledFactor* factor(const std::string& username) const {
    auto it = enrolled_.find(username);
    return it == enrolled_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, EnrolledFactor> enrolled_;
};

}  // namespace signalnode::testing
