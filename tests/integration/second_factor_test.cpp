// Second factors and step-up over real HTTPS (issue 21): an admin must set up
// a factor before anything else; the second step of a log-in refuses wrong
// and reused codes with a Dutch problem and no cookie; a passkey registers
// and signs in alone, and a wrong origin, challenge or counter is refused; a
// withdrawal with an old proof asks for step-up, which the web answers and
// retries. Every refusal leaves no session and is in the audit log.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "node/auth/users.hpp"
#include "node/storage/sqlite.hpp"
#include "test_node.hpp"
#include "tests/support/soft_authenticator.hpp"
#include "tests/support/web_login.hpp"

namespace json = boost::json;
using signalnode::node::http::HttpResponse;
using signalnode::testing::response_header;
using signalnode::testing::SoftAuthenticator;
using signalnode::testing::TestNode;
using signalnode::testing::totp_now;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

const std::string kPassword = "a long enough password";
const std::string kSignal = R"({"category":"housing.overcrowding","observedOn":"2026-11-20",
  "subjects":[{"kind":"organisation","kvk":"12345678"}]})";

struct Session {
  std::string cookie, csrf;
};

class SecondFactorApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    node_ = std::make_unique<TestNode>("gemeente-aalsmeer", 10, false, 1000);
    auto& users = node_->app().users();
    // Created now: an event at time 1 is past the log's retention, and its contents pruned.
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    users.create("sf.admin", signalnode::node::auth::Role::admin, kPassword, now, "test");
    users.create("sf.officer", signalnode::node::auth::Role::officer, kPassword, now, "test");
    users.create("sf.keyholder", signalnode::node::auth::Role::privacy_officer, kPassword, now, "test");
  }
  static void TearDownTestSuite() { node_.reset(); }
  static HttpResponse post(const std::string& target, const json::value& body, const Headers& extra = {}) {
    Headers h{{"Content-Type", "application/json"}, {"Accept-Language", "nl"}};
    h.insert(h.end(), extra.begin(), extra.end());
    return node_->client()->request("POST", target, json::serialize(body), h);
  }
  static HttpResponse with(const Session& s, const std::string& method, const std::string& target, const std::string& body = {}) {
    Headers h{{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}, {"Accept-Language", "nl"}};
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    return node_->client()->request(method, target, body, h);
  }
  static Session session_of(const HttpResponse& r) {
    const std::string c = response_header(r, "Set-Cookie");
    return {c.substr(0, c.find(';')), std::string(json::parse(r.body).at("csrfToken").as_string())};
  }
  static json::object problem(const HttpResponse& r) {
    EXPECT_EQ(r.content_type, "application/problem+json") << r.body;
    return json::parse(r.body).as_object();
  }
  // The events of one name (TestNode's own token events are past retention, their contents pruned).
  static std::string audit_events(const std::string& name) {
    auto r = node_->call("GET", "/api/v1/audit/events?limit=1000&name=" + name, "", "privacy_officer");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }
  // Sessions of this account prove who they are as long ago as a quarter of an hour.
  static void age_proofs(const std::string& username) {
    signalnode::node::storage::Database db(node_->dir() / "signalnode.db", signalnode::node::storage::Database::Mode::read_write);
    db.exec("UPDATE sessions SET proof_at_ms = proof_at_ms - 900000 WHERE username = '" + username + "'");
  }
  std::string origin() const { return "https://localhost:" + std::to_string(node_->port()); }

  static std::unique_ptr<TestNode> node_;
};
std::unique_ptr<TestNode> SecondFactorApi::node_;

TEST_F(SecondFactorApi, AnAdminSetsUpAFactorBeforeAnythingElseAndThenLogsInInTwoSteps) {
  auto first = post("/api/v1/session", json::object{{"username", "sf.admin"}, {"password", kPassword}});
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_TRUE(json::parse(first.body).at("mustEnrol").as_bool());
  Session s = session_of(first);
  auto blocked = with(s, "GET", "/api/v1/users");
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(problem(blocked).at("title"), "Tweede factor nodig");
  EXPECT_NE(std::string(problem(blocked).at("detail").as_string()).find("stel eerst een tweede factor in"), std::string::npos);
  EXPECT_EQ(with(s, "GET", "/api/v1/session").status, 200) << "who am I works while enrolling";

  auto begun = with(s, "POST", "/api/v1/session/factors/totp");
  ASSERT_EQ(begun.status, 201) << begun.body;
  const auto key = signalnode::testing::from_base32(std::string(json::parse(begun.body).at("secret").as_string()));
  EXPECT_EQ(response_header(begun, "Cache-Control"), "no-store");
  auto wrong = with(s, "PUT", "/api/v1/session/factors/totp", R"({"code":"000000"})");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(std::string(problem(wrong).at("detail").as_string()).find("de code klopt niet"), std::string::npos) << wrong.body;
  auto done = with(s, "PUT", "/api/v1/session/factors/totp", json::serialize(json::object{{"code", totp_now(key)}}));
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(json::parse(done.body).at("recoveryCodes").as_array().size(), 10u);
  EXPECT_EQ(with(s, "GET", "/api/v1/users").status, 200) << "enrolled: the session may do everything";

  // The next log-in needs both steps; no cookie before the second.
  auto pw = post("/api/v1/session", json::object{{"username", "sf.admin"}, {"password", kPassword}});
  ASSERT_EQ(pw.status, 200);
  EXPECT_EQ(response_header(pw, "Set-Cookie"), "") << "no session after the password alone";
  const auto ticket = json::parse(pw.body).at("loginTicket");
  auto bad = post("/api/v1/session/second-factor", json::object{{"loginTicket", ticket}, {"code", "123456"}});
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(response_header(bad, "Set-Cookie"), "");
  EXPECT_EQ(problem(bad).at("title"), "Code klopt niet");
  EXPECT_EQ(problem(bad).at("detail"), "de code klopt niet");
  const std::string next = totp_now(key, 1);  // the enrolment took the current step
  auto ok = post("/api/v1/session/second-factor", json::object{{"loginTicket", ticket}, {"code", next}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(response_header(ok, "Set-Cookie").find("sn_session=sns_"), std::string::npos);

  auto again = post("/api/v1/session", json::object{{"username", "sf.admin"}, {"password", kPassword}});
  auto reused = post("/api/v1/session/second-factor",
                     json::object{{"loginTicket", json::parse(again.body).at("loginTicket")}, {"code", next}});
  EXPECT_EQ(reused.status, 401);
  EXPECT_EQ(problem(reused).at("detail"), "deze code is al gebruikt; wacht op de volgende");
  EXPECT_EQ(response_header(reused, "Set-Cookie"), "");
  EXPECT_NE(audit_events("second_factor.enrolled").find("sf.admin"), std::string::npos);
  EXPECT_NE(audit_events("second_factor.failed").find("this code was used already"), std::string::npos);
  // A right password is on record even when no second factor follows (a stolen password's trace).
  EXPECT_NE(audit_events("login.password_accepted").find("sf.admin"), std::string::npos);
}

TEST_F(SecondFactorApi, APasskeyRegistersAndSignsInAloneAndBadAssertionsAreRefused) {
  auto first = post("/api/v1/session", json::object{{"username", "sf.keyholder"}, {"password", kPassword}});
  Session s = session_of(first);
  auto options = with(s, "POST", "/api/v1/session/factors/passkeys/options");
  ASSERT_EQ(options.status, 200) << options.body;
  auto o = json::parse(options.body).as_object();
  EXPECT_EQ(o.at("rp").at("id"), "localhost");
  EXPECT_EQ(o.at("authenticatorSelection").at("userVerification"), "required");
  SoftAuthenticator key;
  key.rp_id = "localhost";
  key.origin = origin();
  auto [client, att] = key.create(std::string(o.at("challenge").as_string()));
  json::object credential{{"id", key.id()},
                          {"clientDataJSON", signalnode::node::auth::to_base64url(client)},
                          {"attestationObject", signalnode::node::auth::to_base64url(att)}};
  auto reg = with(s, "POST", "/api/v1/session/factors/passkeys",
                  json::serialize(json::object{{"name", "Sleutel"}, {"credential", credential}}));
  ASSERT_EQ(reg.status, 201) << reg.body;
  EXPECT_EQ(json::parse(reg.body).at("recoveryCodes").as_array().size(), 10u);

  auto sign_in = [&](SoftAuthenticator& k, std::string challenge_override = {}) {
    auto opts = post("/api/v1/session/passkey/options", json::object{});
    EXPECT_EQ(opts.status, 200) << opts.body;
    std::string challenge(json::parse(opts.body).at("challenge").as_string());
    auto a = k.get(challenge_override.empty() ? challenge : challenge_override);
    return post("/api/v1/session/passkey",
                json::object{{"credential", json::object{{"id", a.id},
                                                         {"clientDataJSON", signalnode::node::auth::to_base64url(a.client_data_json)},
                                                         {"authenticatorData", signalnode::node::auth::to_base64url(a.authenticator_data)},
                                                         {"signature", signalnode::node::auth::to_base64url(a.signature)}}}});
  };
  key.counter = 1;
  auto ok = sign_in(key);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json::parse(ok.body).at("username"), "sf.keyholder");

  key.counter = 2;
  key.origin = "https://localhost.evil.example";
  auto wrong_origin = sign_in(key);
  EXPECT_EQ(wrong_origin.status, 401);
  EXPECT_EQ(problem(wrong_origin).at("title"), "Passkey geweigerd");
  EXPECT_EQ(problem(wrong_origin).at("detail"), "de pagina komt niet van een adres van deze node");
  EXPECT_EQ(response_header(wrong_origin, "Set-Cookie"), "");
  key.origin = origin();
  auto wrong_challenge = sign_in(key, signalnode::node::auth::to_base64url(signalnode::crypto::random_bytes(32)));
  EXPECT_EQ(wrong_challenge.status, 401);
  key.counter = 1;
  auto old_counter = sign_in(key);
  EXPECT_EQ(old_counter.status, 401);
  EXPECT_EQ(problem(old_counter).at("detail"), "de teller van de passkey is niet opgehoogd (een gekopieerde passkey?)");
  SoftAuthenticator stranger;
  stranger.rp_id = "localhost";
  stranger.origin = origin();
  EXPECT_EQ(sign_in(stranger).status, 401) << "a passkey this node never registered";
  const std::string log = audit_events("second_factor.failed");
  EXPECT_NE(log.find("the origin is not an address of this node"), std::string::npos);
  EXPECT_NE(log.find("the signature counter did not grow"), std::string::npos);
}

TEST_F(SecondFactorApi, AWithdrawalWithAnOldProofAsksForStepUp) {
  auto login = post("/api/v1/session", json::object{{"username", "sf.officer"}, {"password", kPassword}});
  Session s = session_of(login);
  auto created = with(s, "POST", "/api/v1/signals", kSignal);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(json::parse(created.body).at("id").as_string());
  age_proofs("sf.officer");
  auto asked = with(s, "DELETE", "/api/v1/signals/" + id);
  EXPECT_EQ(asked.status, 403);
  EXPECT_EQ(problem(asked).at("type"), "urn:signalnode:problem:step-up-required");
  EXPECT_EQ(problem(asked).at("title"), "Bevestig dat u het bent");
  auto wrong = with(s, "POST", "/api/v1/session/step-up", R"({"password":"not my password"})");
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(problem(wrong).at("detail"), "het wachtwoord klopt niet");
  EXPECT_EQ(with(s, "DELETE", "/api/v1/signals/" + id).status, 403) << "still not confirmed";
  EXPECT_EQ(with(s, "POST", "/api/v1/session/step-up", json::serialize(json::object{{"password", kPassword}})).status, 204);
  auto withdrawn = with(s, "DELETE", "/api/v1/signals/" + id);
  EXPECT_TRUE(withdrawn.status == 200 || withdrawn.status == 202 || withdrawn.status == 204) << withdrawn.body;
  // An API token is a machine credential: no step-up.
  auto other = node_->call("POST", "/api/v1/signals", kSignal, "officer");
  const std::string other_id(json::parse(other.body).at("id").as_string());
  EXPECT_NE(node_->call("DELETE", "/api/v1/signals/" + other_id, "", "officer").status, 403);
  EXPECT_NE(audit_events("step_up.failed").find("the password is wrong"), std::string::npos);
  EXPECT_NE(audit_events("step_up.succeeded").find("sf.officer"), std::string::npos);
}

}  // namespace
