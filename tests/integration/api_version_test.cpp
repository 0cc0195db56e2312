// BRIEF 3.13 and the NL API Design Rules (/core/version-header): every answer
// a partner or a user can get, on the API listener and the federation
// listener, successes, refusals and failures, the web pages included, says
// the API's full semantic version in API-Version; and it is the version the
// served OpenAPI document states.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "federation_fixture.hpp"
#include "node/federation/federation.hpp"
#include "node/net/https_client.hpp"
#include "node/version.hpp"

namespace json = boost::json;
using signalnode::node::http::HttpResponse;
using signalnode::node::net::ClientOptions;
using signalnode::node::net::HttpsClient;
using signalnode::node::net::read_text_file;

namespace {

std::string header(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return "(absent)";
}

constexpr const char* kSignal =
    R"({"category":"housing.overcrowding","observedOn":"2026-11-20","subjects":[{"kind":"organisation","kvk":"12345678"}]})";

}  // namespace

class ApiVersionTest : public signalnode::testing::FederationFixture {
 protected:
  HttpResponse api(const std::string& method, const std::string& target, const std::string& body,
                   const std::string& role, std::vector<std::pair<std::string, std::string>> headers = {}) {
    ClientOptions options;
    options.trust_anchors_pem = read_text_file(dir_ / "ca" / "ca.crt");
    HttpsClient client("127.0.0.1", nodes_[0].api_port, std::move(options));
    if (!role.empty()) headers.emplace_back("Authorization", "Bearer " + nodes_[0].tokens.at(role));
    return client.request(method, target, body, headers);
  }
};

TEST_F(ApiVersionTest, EveryAnswerOfBothListenersNamesTheFullVersion) {
  const std::string version = signalnode::node::kVersion;
  ASSERT_EQ(std::count(version.begin(), version.end(), '.'), 2) << "a full semantic version: major.minor.patch";
  const std::vector<std::pair<std::string, std::string>> json_body = {{"Content-Type", "application/json"}};
  struct Case {
    std::string what;
    HttpResponse response;
    int status;
  };
  std::vector<Case> cases;
  cases.push_back({"health", api("GET", "/healthz", "", ""), 200});
  cases.push_back({"the OpenAPI document", api("GET", "/openapi.json", "", ""), 200});
  cases.push_back({"the web page", api("GET", "/", "", ""), 200});
  cases.push_back({"the web script", api("GET", "/ui/app.js", "", ""), 200});
  cases.push_back({"a stored signal", api("POST", "/api/v1/signals", kSignal, "officer", json_body), 201});
  cases.push_back({"a list", api("GET", "/api/v1/signals", "", "officer"), 200});
  cases.push_back({"bad input", api("POST", "/api/v1/signals", "{}", "officer", json_body), 400});
  cases.push_back({"no token", api("GET", "/api/v1/signals", "", ""), 401});
  cases.push_back({"the wrong role", api("GET", "/api/v1/audit/events", "", "officer"), 403});
  cases.push_back({"an unknown path", api("GET", "/api/v1/nothing-here", "", "officer"), 404});
  cases.push_back({"a wrong method", api("PATCH", "/api/v1/signals", "", "officer"), 405});
  cases.push_back({"a wrong media type", api("POST", "/api/v1/signals", kSignal, "officer", {{"Content-Type", "text/plain"}}),
                   415});
  // Answered by the listener itself, before any route.
  cases.push_back({"a body too large", api("POST", "/api/v1/signals", std::string(2 * 1024 * 1024, 'x'), "officer",
                                           json_body),
                   413});
  cases.push_back({"headers too large", api("GET", "/healthz", "", "", {{"X-Filler", std::string(16 * 1024, 'y')}}), 431});
  // The federation listener, over mutual TLS as a partner calls it.
  auto* federation = apps_[1]->federation();
  ASSERT_NE(federation, nullptr);
  const auto* municipality = federation->manifest()->find(nodes_[0].org);
  ASSERT_NE(municipality, nullptr);
  auto partner = federation->client_for(*municipality);
  cases.push_back({"federation health", partner->request("GET", "/federation/v1/healthz"), 200});
  cases.push_back({"federation unknown path", partner->request("GET", "/federation/v1/nothing-here"), 404});
  cases.push_back({"federation bad batch", partner->request("POST", "/federation/v1/batches", "not a batch",
                                                            {{"Content-Type", "application/octet-stream"}}),
                   400});

  for (const auto& c : cases) {
    EXPECT_EQ(c.response.status, c.status) << c.what << ": " << c.response.body.substr(0, 300);
    EXPECT_EQ(header(c.response, "API-Version"), version) << c.what;
  }
  // The same version the document states (info.version), so a client that
  // reads one can trust the other.
  auto doc = json::parse(cases[1].response.body);
  EXPECT_EQ(doc.at("info").at("version").as_string(), version);
}
