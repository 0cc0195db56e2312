// The web interface's server side over real HTTPS: log-in, the session cookie's
// attributes, CSRF on every state change of a cookie session, waits after
// wrong passwords and the per-address limit, an admin's unlock and reset, logout, accounts by the admin, the pages and their
// security headers, and the privacy officer's routes.
#include <gtest/gtest.h>

#include <memory>

#include <boost/json.hpp>

#include <algorithm>

#include "node/auth/users.hpp"
#include "test_node.hpp"
#include "tests/support/web_login.hpp"

namespace json = boost::json;
using signalnode::node::http::HttpResponse;
using signalnode::testing::TestNode;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

const std::string kSignal = R"({"category":"housing.overcrowding","observedOn":"2026-11-20",
  "subjects":[{"kind":"organisation","kvk":"12345678"}]})";
const std::string kPassword = "a long enough password";

std::string header(const HttpResponse& r, std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  for (auto [k, v] : r.headers) {
    std::transform(k.begin(), k.end(), k.begin(), ::tolower);
    if (k == name) return v;
  }
  return "";
}

std::string problem_type(const HttpResponse& r) {
  EXPECT_EQ(r.content_type, "application/problem+json") << r.body;
  return std::string(json::parse(r.body).at("type").as_string());
}

struct Login {
  std::string cookie;  // "sn_session=..."
  std::string csrf;
};

class WebTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Many log-ins from one address: the per-address limit has a test of its own.
    node_ = std::make_unique<TestNode>("gemeente-aalsmeer", 10, false, 1000);
    for (const char* role : {"officer", "analyst", "privacy_officer", "admin"}) {
      node_->app().users().create(std::string("web.") + role, *signalnode::node::auth::role_from_string(role), kPassword,
                                  1, "test");
    }
  }
  static void TearDownTestSuite() {
    node_.reset();
  }

  static HttpResponse post_login(const std::string& username, const std::string& password) {
    json::object body{{"username", username}, {"password", password}};
    return node_->client()->request("POST", "/api/v1/session", json::serialize(body),
                                    {{"Content-Type", "application/json"}});
  }
  // Admins and privacy officers set up a second factor at their first log-in (issue 21).
  static Login login(const std::string& role) {
    auto l = logins_.login(*node_->client(), "web." + role, kPassword);
    EXPECT_FALSE(l.cookie.empty()) << role;
    return {l.cookie, l.csrf};
  }
  static HttpResponse with(const Login& l, const std::string& method, const std::string& target,
                           const std::string& body = {}, bool csrf = true) {
    Headers h{{"Cookie", l.cookie}};
    if (csrf) h.emplace_back("X-CSRF-Token", l.csrf);
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    return node_->client()->request(method, target, body, h);
  }

  static std::unique_ptr<TestNode> node_;
  static signalnode::testing::WebLogins logins_;
};
std::unique_ptr<TestNode> WebTest::node_;
signalnode::testing::WebLogins WebTest::logins_;

}  // namespace

TEST_F(WebTest, LogInSetsASecureHttpOnlySameSiteCookie) {
  auto r = post_login("web.officer", kPassword);
  ASSERT_EQ(r.status, 200) << r.body;
  std::string cookie = header(r, "Set-Cookie");
  EXPECT_EQ(cookie.rfind("sn_session=sns_", 0), 0u) << cookie;
  for (const char* attribute : {"; Secure", "; HttpOnly", "; SameSite=Strict", "; Path=/"}) {
    EXPECT_NE(cookie.find(attribute), std::string::npos) << attribute << " in " << cookie;
  }
  json::value body = json::parse(r.body);
  EXPECT_EQ(body.at("role").as_string(), "officer");
  EXPECT_EQ(body.at("username").as_string(), "web.officer");
  EXPECT_EQ(body.at("csrfToken").as_string().size(), 32u);
  EXPECT_EQ(r.body.find("sns_"), std::string::npos) << "the session token is only in the HttpOnly cookie";

  Login l = login("officer");
  auto me = with(l, "GET", "/api/v1/session");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(json::parse(me.body).at("csrfToken").as_string(), l.csrf) << "a reloaded page gets its token back";
}

TEST_F(WebTest, TheSessionSaysHowLongItLastsSoThePageCanWarnBeforeItEnds) {
  auto r = post_login("web.officer", kPassword);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value at_login = json::parse(r.body);
  EXPECT_EQ(at_login.at("idleSeconds").as_int64(), 30 * 60);
  EXPECT_GE(at_login.at("endsInSeconds").as_int64(), 8 * 3600 - 5) << "the 8 hours start at the log-in";
  EXPECT_LE(at_login.at("endsInSeconds").as_int64(), 8 * 3600);

  Login l = login("officer");
  json::value me = json::parse(with(l, "GET", "/api/v1/session").body);
  EXPECT_EQ(me.at("idleSeconds").as_int64(), 30 * 60);
  EXPECT_GT(me.at("endsInSeconds").as_int64(), 8 * 3600 - 60);
  EXPECT_LE(me.at("endsInSeconds").as_int64(), 8 * 3600) << "activity does not move the end";
}

TEST_F(WebTest, ACookieSessionNeedsItsCsrfTokenForEveryStateChange) {
  Login l = login("officer");
  std::int64_t before = node_->stored_signals();
  auto missing = with(l, "POST", "/api/v1/signals", kSignal, false);
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(problem_type(missing), "urn:signalnode:problem:csrf");
  EXPECT_NE(missing.body.find("X-CSRF-Token"), std::string::npos);

  Login other = login("officer");  // another session's token is no good either
  auto wrong = node_->client()->request("POST", "/api/v1/signals", kSignal,
                                        {{"Cookie", l.cookie}, {"X-CSRF-Token", other.csrf}, {"Content-Type", "application/json"}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(with(l, "DELETE", "/api/v1/session", "", false).status, 403) << "not even logout without it";
  EXPECT_EQ(node_->stored_signals(), before) << "nothing stored";

  auto ok = with(l, "POST", "/api/v1/signals", kSignal);
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(with(l, "GET", "/api/v1/signals", "", false).status, 200) << "reading needs no token";
  // API clients with a bearer token send no cookie, so no CSRF risk and no token.
  EXPECT_EQ(node_->call("POST", "/api/v1/signals", kSignal).status, 201);
}

TEST_F(WebTest, RolesHoldForCookieSessionsToo) {
  Login analyst = login("analyst");
  EXPECT_EQ(with(analyst, "POST", "/api/v1/signals", kSignal).status, 403);
  EXPECT_EQ(with(analyst, "GET", "/api/v1/users").status, 403);
  EXPECT_EQ(with(analyst, "GET", "/api/v1/inbox").status, 200);
  Login privacy = login("privacy_officer");
  EXPECT_EQ(with(privacy, "GET", "/api/v1/audit/verification").status, 200);
  EXPECT_EQ(with(privacy, "GET", "/api/v1/inbox").status, 403);
}

TEST_F(WebTest, LogoutEndsTheSessionAndClearsTheCookie) {
  Login l = login("analyst");
  auto out = with(l, "DELETE", "/api/v1/session");
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(header(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(with(l, "GET", "/api/v1/inbox").status, 401);
  EXPECT_EQ(with(l, "GET", "/api/v1/session").status, 401);
}

TEST_F(WebTest, BadLogInsAreSpecificAndWrongPasswordsMakeTheNextAttemptWait) {
  auto unknown_field = node_->client()->request("POST", "/api/v1/session", R"({"user":"x","password":"y"})",
                                                {{"Content-Type", "application/json"}});
  EXPECT_EQ(unknown_field.status, 400);
  EXPECT_EQ(json::parse(unknown_field.body).at("invalidParams").at(0).at("name").as_string(), "user");
  EXPECT_EQ(post_login("web.admin", "").status, 400);

  node_->app().users().create("web.victim", signalnode::node::auth::Role::analyst, kPassword, 1, "test");
  auto victim_session = post_login("web.victim", kPassword);
  ASSERT_EQ(victim_session.status, 200);
  Login victim{header(victim_session, "Set-Cookie").substr(0, header(victim_session, "Set-Cookie").find(';')),
               std::string(json::parse(victim_session.body).at("csrfToken").as_string())};
  for (int i = 0; i < 4; ++i) {
    auto r = post_login("web.victim", "wrong password " + std::to_string(i));
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(problem_type(r), "urn:signalnode:problem:bad-credentials");
    EXPECT_TRUE(header(r, "Retry-After").empty()) << "four mistakes cost no wait";
  }
  auto fifth = post_login("web.victim", "wrong password 4");
  EXPECT_EQ(fifth.status, 401) << fifth.body;
  EXPECT_EQ(header(fifth, "Retry-After"), "15") << "the person is told when to try again";
  auto right = post_login("web.victim", kPassword);
  EXPECT_EQ(right.status, 429) << "the right password during the wait: not checked";
  EXPECT_EQ(problem_type(right), "urn:signalnode:problem:login-wait");
  EXPECT_FALSE(header(right, "Retry-After").empty());
  EXPECT_TRUE(header(right, "Set-Cookie").empty());
  EXPECT_EQ(with(victim, "GET", "/api/v1/inbox").status, 200) << "the victim's open session is untouched";
}

TEST_F(WebTest, AKnownAndAnUnknownNameAnswerAlike) {
  node_->app().users().create("web.known", signalnode::node::auth::Role::analyst, kPassword, 1, "test");
  auto attempts = [&](const std::string& name) {
    std::vector<std::string> seen;
    for (int i = 0; i < 6; ++i) {
      auto r = post_login(name, "wrong password!");
      seen.push_back(std::to_string(r.status) + " " + header(r, "Retry-After") + " " + r.body);
    }
    return seen;
  };
  EXPECT_EQ(attempts("web.known"), attempts("web.unknown"));
}

TEST_F(WebTest, AnAdminClearsAWaitAndResetsAPasswordWhichEndsTheSessions) {
  node_->app().users().create("web.forgetful", signalnode::node::auth::Role::officer, kPassword, 1, "test");
  auto open = post_login("web.forgetful", kPassword);
  ASSERT_EQ(open.status, 200);
  Login forgetful{header(open, "Set-Cookie").substr(0, header(open, "Set-Cookie").find(';')),
                  std::string(json::parse(open.body).at("csrfToken").as_string())};
  for (int i = 0; i < 5; ++i) (void)post_login("web.forgetful", "not it " + std::to_string(i));
  EXPECT_EQ(post_login("web.forgetful", kPassword).status, 429);
  Login admin = login("admin");
  auto users = json::parse(with(admin, "GET", "/api/v1/users").body).at("items").as_array();
  auto it = std::find_if(users.begin(), users.end(), [](const json::value& u) { return u.at("username") == "web.forgetful"; });
  ASSERT_NE(it, users.end());
  EXPECT_EQ(it->at("waiting"), true) << json::serialize(*it);
  EXPECT_TRUE(it->as_object().contains("waitUntil"));

  Login officer = login("officer");
  EXPECT_EQ(with(officer, "DELETE", "/api/v1/users/web.forgetful/wait").status, 403) << "admins only";
  EXPECT_EQ(with(admin, "DELETE", "/api/v1/users/web.nobody/wait").status, 404);
  EXPECT_EQ(with(admin, "DELETE", "/api/v1/users/web.forgetful/wait").status, 204);
  EXPECT_EQ(post_login("web.forgetful", kPassword).status, 200) << "no wait after the admin cleared it";

  const std::string fresh = "a fresh passphrase from the admin";
  auto bad = with(admin, "PUT", "/api/v1/users/web.forgetful/password", R"({"password":"short"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body).at("invalidParams").at(0).at("name").as_string(), "password");
  EXPECT_EQ(with(forgetful, "GET", "/api/v1/signals").status, 200) << "a refused reset changed nothing";
  EXPECT_EQ(with(admin, "PUT", "/api/v1/users/web.nobody/password", json::serialize(json::object{{"password", fresh}})).status, 404);
  EXPECT_EQ(with(admin, "PUT", "/api/v1/users/web.forgetful/password", json::serialize(json::object{{"password", fresh}})).status, 204);
  EXPECT_EQ(with(forgetful, "GET", "/api/v1/signals").status, 401) << "every session of the account ended";
  EXPECT_EQ(post_login("web.forgetful", kPassword).status, 401);
  EXPECT_EQ(post_login("web.forgetful", fresh).status, 200);
  auto audit = node_->call("GET", "/api/v1/audit/events?limit=500&name=password.reset", "", "privacy_officer");
  EXPECT_NE(audit.body.find("web.forgetful"), std::string::npos) << audit.body;
  EXPECT_EQ(audit.body.find(fresh), std::string::npos);
}

TEST(WebLoginLimit, AttemptsOverTheLimitPerAddressAreRefusedBeforeAnyPasswordWork) {
  // Three a minute (one more every 20 s), so that a slow machine cannot earn
  // a fresh attempt while the test runs.
  TestNode node("gemeente-aalsmeer", 10, false, 3);
  node.app().users().create("web.officer", signalnode::node::auth::Role::officer, kPassword, 1, "test");
  int n = 0;
  auto attempt = [&] {  // a new name each time: no name reaches its own wait
    json::object body{{"username", "web.nobody" + std::to_string(n++)}, {"password", "guess guess guess"}};
    return node.client()->request("POST", "/api/v1/session", json::serialize(body), {{"Content-Type", "application/json"}});
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(attempt().status, 401);
  auto limited = attempt();
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(problem_type(limited), "urn:signalnode:problem:too-many-logins");
  EXPECT_FALSE(header(limited, "Retry-After").empty());
  auto even_right = node.client()->request("POST", "/api/v1/session",
                                           json::serialize(json::object{{"username", "web.officer"}, {"password", kPassword}}),
                                           {{"Content-Type", "application/json"}});
  EXPECT_EQ(even_right.status, 429) << "the limit comes before the password check";
}

TEST_F(WebTest, TheAdminCreatesAccountsWithClearErrors) {
  Login admin = login("admin");
  auto created = with(admin, "POST", "/api/v1/users",
                      json::serialize(json::object{{"username", "new.analyst"}, {"role", "analyst"}, {"password", kPassword}}));
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body.find(kPassword), std::string::npos);
  auto again = with(admin, "POST", "/api/v1/users",
                    json::serialize(json::object{{"username", "new.analyst"}, {"role", "analyst"}, {"password", kPassword}}));
  EXPECT_EQ(again.status, 409);
  auto bad_role = with(admin, "POST", "/api/v1/users",
                       json::serialize(json::object{{"username", "x.y.z"}, {"role", "root"}, {"password", kPassword}}));
  EXPECT_EQ(json::parse(bad_role.body).at("invalidParams").at(0).at("name").as_string(), "role");
  auto short_password = with(admin, "POST", "/api/v1/users",
                             json::serialize(json::object{{"username", "x.y.z"}, {"role", "officer"}, {"password", "short"}}));
  EXPECT_EQ(short_password.status, 400);
  EXPECT_EQ(json::parse(short_password.body).at("invalidParams").at(0).at("name").as_string(), "password");

  auto list = with(admin, "GET", "/api/v1/users");
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("\"new.analyst\""), std::string::npos);
  EXPECT_EQ(list.body.find("argon2"), std::string::npos) << "no hashes leave the node";
  EXPECT_EQ(post_login("new.analyst", kPassword).status, 200);
}

TEST_F(WebTest, PagesComeFromTheNodeWithStrictSecurityHeaders) {
  auto page = node_->client()->request("GET", "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script src=\"/ui/app.js\" defer></script>"), std::string::npos);
  EXPECT_EQ(page.body.find("<script>"), std::string::npos) << "no inline script: the CSP forbids it";
  EXPECT_EQ(page.body.find("http://"), std::string::npos) << "nothing loaded from elsewhere";
  EXPECT_EQ(page.body.find("https://"), std::string::npos);
  const std::string csp = header(page, "Content-Security-Policy");
  for (const char* directive : {"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'",
                                "base-uri 'none'"}) {
    EXPECT_NE(csp.find(directive), std::string::npos) << directive << " in " << csp;
  }
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
  EXPECT_EQ(header(page, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(page, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header(page, "Referrer-Policy"), "no-referrer");
  EXPECT_NE(header(page, "Strict-Transport-Security").find("max-age="), std::string::npos);

  auto script = node_->client()->request("GET", "/ui/app.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(script.body.find("innerHTML"), std::string::npos) << "pages build DOM nodes, never parse HTML strings";
  EXPECT_EQ(script.body.find("eval("), std::string::npos);
  EXPECT_EQ(node_->client()->request("GET", "/ui/app.css").content_type, "text/css; charset=utf-8");
  // API answers carry the same headers and are never cached.
  auto api = node_->call("GET", "/api/v1/signals");
  EXPECT_EQ(header(api, "Cache-Control"), "no-store");
  EXPECT_EQ(header(api, "X-Content-Type-Options"), "nosniff");
}

TEST_F(WebTest, SubjectCheckUsesTheServersCanonicalRules) {
  Login l = login("officer");
  auto ok = with(l, "POST", "/api/v1/subjects/check", R"({"kind":"address","postcode":"1431 ab","houseNumber":12})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find("1431AB|12"), std::string::npos) << ok.body;
  auto bad = with(l, "POST", "/api/v1/subjects/check", R"({"kind":"organisation","kvk":"1234567"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(json::parse(bad.body).at("invalidParams").at(0).at("name").as_string().find("kvk"), std::string::npos)
      << bad.body;
  auto doubled = with(l, "POST", "/api/v1/subjects/check", R"({"kind":"organisation","kvk":"12345678","kvk":"1"})");
  EXPECT_EQ(doubled.status, 400);
  EXPECT_EQ(json::parse(doubled.body).at("invalidParams").at(0).at("name").as_string(), "kvk") << doubled.body;
  auto no_federation = with(l, "POST", "/api/v1/signals/preview", kSignal);
  EXPECT_EQ(no_federation.status, 409) << "a node without partners says so: " << no_federation.body;
}

TEST_F(WebTest, ThePrivacyOfficerSeesVerificationStatsAndASafeCsv) {
  ASSERT_EQ(node_->call("POST", "/api/v1/signals", kSignal).status, 201);
  Login l = login("privacy_officer");
  auto v = with(l, "GET", "/api/v1/audit/verification");
  ASSERT_EQ(v.status, 200) << v.body;
  json::value ver = json::parse(v.body);
  EXPECT_TRUE(ver.at("verified").as_bool()) << v.body;
  EXPECT_GT(ver.at("events").as_int64(), 0);

  auto stats = with(l, "GET", "/api/v1/audit/stats");
  ASSERT_EQ(stats.status, 200) << stats.body;
  EXPECT_TRUE(json::parse(stats.body).as_object().contains("signalsPerCategory")) << stats.body;

  // Dutch spreadsheets by default: a byte order mark, `;`, CRLF, Dutch
  // columns, local dd-mm-jjjj times, each event described in Dutch.
  auto csv = with(l, "GET", "/api/v1/audit/report.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.rfind(std::string("\xEF\xBB\xBF") + "nummer;datum en tijd;tijdzone;gebeurtenis;omschrijving;uitkomst", 0), 0u)
      << csv.body.substr(0, 80);
  EXPECT_NE(csv.body.find("\r\n"), std::string::npos);
  EXPECT_NE(csv.body.find("\"login.succeeded\";\"een aanmelding op de webinterface\""), std::string::npos) << csv.body.substr(0, 600);
  EXPECT_NE(csv.body.find("\"gelukt\""), std::string::npos);
  const auto second_row = csv.body.find("\r\n") + 2;
  const std::string time_cell = csv.body.substr(csv.body.find(';', second_row) + 1, 21);
  EXPECT_TRUE(time_cell.size() == 21 && time_cell[0] == '"' && time_cell[3] == '-' && time_cell[6] == '-' &&
              time_cell[11] == ' ')
      << time_cell;
  const std::string zone_cell = csv.body.substr(second_row, csv.body.find("\r\n", second_row) - second_row);
  EXPECT_TRUE(zone_cell.find(";\"wintertijd (UTC+1)\";") != std::string::npos ||
              zone_cell.find(";\"zomertijd (UTC+2)\";") != std::string::npos)
      << "Dutch civil time, its zone named: " << zone_cell;
  EXPECT_EQ(csv.body.find(kPassword), std::string::npos);
  // The international form on request.
  auto en = with(l, "GET", "/api/v1/audit/report.csv?lang=en");
  EXPECT_EQ(en.body.rfind("index,time_utc,event", 0), 0u) << en.body.substr(0, 80);
  EXPECT_EQ(with(l, "GET", "/api/v1/audit/report.csv?lang=de").status, 400);
}

TEST_F(WebTest, TheAdminDeletesAnAccountAndItsSessionsEnd) {
  node_->app().users().create("web.leaver", signalnode::node::auth::Role::officer, kPassword, 1, "test");
  Login leaver = login("leaver");
  ASSERT_EQ(with(leaver, "GET", "/api/v1/signals").status, 200);
  Login admin = login("admin");
  EXPECT_EQ(with(admin, "DELETE", "/api/v1/users/web.leaver").status, 204);
  EXPECT_EQ(with(leaver, "GET", "/api/v1/signals").status, 401) << "the session ended with the account";
  EXPECT_EQ(post_login("web.leaver", kPassword).status, 401);
  EXPECT_EQ(with(admin, "DELETE", "/api/v1/users/web.leaver").status, 404);
  EXPECT_EQ(with(admin, "DELETE", "/api/v1/users/web.admin").status, 409) << "not one's own account";
  EXPECT_EQ(with(admin, "DELETE", "/api/v1/users/web.officer", "", false).status, 403) << "CSRF applies";
  EXPECT_EQ(with(login("officer"), "DELETE", "/api/v1/users/web.analyst").status, 403) << "admins only";
}

TEST_F(WebTest, AUserChangesTheirOwnPassword) {
  node_->app().users().create("web.changer", signalnode::node::auth::Role::analyst, kPassword, 1, "test");
  Login l = login("changer");
  Login other = login("changer");
  auto body = [](const std::string& current, const std::string& next) {
    return json::serialize(json::object{{"currentPassword", current}, {"newPassword", next}});
  };
  auto wrong = with(l, "PUT", "/api/v1/session/password", body("not it at all", "the next passphrase"));
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(json::parse(wrong.body).at("invalidParams").at(0).at("name").as_string(), "currentPassword");
  auto weak = with(l, "PUT", "/api/v1/session/password", body(kPassword, "short"));
  EXPECT_EQ(json::parse(weak.body).at("invalidParams").at(0).at("name").as_string(), "newPassword");
  EXPECT_EQ(with(l, "PUT", "/api/v1/session/password", body(kPassword, "the next passphrase"), false).status, 403)
      << "CSRF applies";
  EXPECT_EQ(with(l, "PUT", "/api/v1/session/password", body(kPassword, "the next passphrase")).status, 204);
  EXPECT_EQ(with(l, "GET", "/api/v1/inbox").status, 200) << "this session stays";
  EXPECT_EQ(with(other, "GET", "/api/v1/inbox").status, 401) << "the other one ends";
  EXPECT_EQ(post_login("web.changer", kPassword).status, 401);
  EXPECT_EQ(post_login("web.changer", "the next passphrase").status, 200);
  EXPECT_EQ(node_->call("PUT", "/api/v1/session/password", body(kPassword, "the next passphrase"), "analyst").status, 409)
      << "API tokens have no password";
}
