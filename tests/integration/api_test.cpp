// The local API over real HTTPS: contract paths, roles, and every kind of bad
// input the issue lists, each answered with problem+json and no state change.
#include <gtest/gtest.h>

#include <memory>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "node/log/log.hpp"
#include "test_node.hpp"

namespace json = boost::json;
using signalnode::testing::TestNode;

namespace {

const std::string kValidSignal = R"({"category":"housing.overcrowding","observedOn":"2026-11-20",
  "municipality":"GM0358","severity":"high","persons":14,"summary":"Neighbour says Flex Uitzend BV houses 14",
  "subjects":[{"kind":"organisation","role":"temp_agency","kvk":"12345678","name":"Flex Uitzend BV"},
   {"kind":"address","postcode":"1431 AB","houseNumber":12,"houseLetter":"A","addition":"2"},
   {"kind":"person","role":"worker","bsn":"123456782"},
   {"kind":"person","role":"worker","name":"Łukasz Nowak","birthDate":"1990-02-01"},
   {"kind":"account","iban":"NL91 ABNA 0417 1643 00"}]})";

std::string signal_with(const std::string& field, const std::string& value) {
  json::object o = json::parse(kValidSignal).as_object();
  o[field] = json::parse(value);
  return json::serialize(o);
}

// A raw TLS connection, for clients that misbehave on purpose.
class RawTls {
 public:
  explicit RawTls(std::uint16_t port, int max_version = 0) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
    if (max_version) SSL_CTX_set_max_proto_version(ctx_, max_version);
    bio_ = BIO_new_ssl_connect(ctx_);
    BIO_set_conn_hostname(bio_, ("127.0.0.1:" + std::to_string(port)).c_str());
  }
  ~RawTls() {
    BIO_free_all(bio_);
    SSL_CTX_free(ctx_);
  }
  bool handshake() { return BIO_do_connect(bio_) == 1 && BIO_do_handshake(bio_) == 1; }
  bool send(const std::string& data) { return BIO_write(bio_, data.data(), static_cast<int>(data.size())) > 0; }
  // Everything until the server closes (or the read fails).
  std::string read_all() {
    std::string out;
    char buf[4096];
    for (;;) {
      int n = BIO_read(bio_, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  SSL_CTX* ctx_ = nullptr;
  BIO* bio_ = nullptr;
};

void expect_problem(const signalnode::node::http::HttpResponse& r, int status, const std::string& field = "") {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.content_type, "application/problem+json");
  json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("status").as_int64(), status);
  EXPECT_TRUE(v.as_object().contains("title"));
  EXPECT_TRUE(v.as_object().contains("detail"));
  if (!field.empty()) {
    ASSERT_TRUE(v.as_object().contains("invalidParams")) << r.body;
    EXPECT_EQ(v.at("invalidParams").at(0).at("name").as_string(), field) << r.body;
  }
}

}  // namespace

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { node_ = std::make_unique<TestNode>("gemeente-aalsmeer", 1); }
  static void TearDownTestSuite() {
    node_.reset();
  }
  static std::unique_ptr<TestNode> node_;
};
std::unique_ptr<TestNode> ApiTest::node_;

TEST_F(ApiTest, OfficerSubmitsListsAndReadsASignal) {
  auto created = node_->call("POST", "/api/v1/signals", kValidSignal);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id(json::parse(created.body).at("id").as_string());
  EXPECT_EQ(id.size(), 32u);

  auto list = node_->call("GET", "/api/v1/signals");
  ASSERT_EQ(list.status, 200);
  bool listed = false;
  json::value page = json::parse(list.body);
  for (const auto& item : page.at("items").as_array()) {
    listed = listed || item.at("id").as_string() == id;
    EXPECT_FALSE(item.as_object().contains("summary")) << "lists carry no sealed detail";
  }
  EXPECT_TRUE(listed);

  auto one = node_->call("GET", "/api/v1/signals/" + id);
  ASSERT_EQ(one.status, 200);
  json::value v = json::parse(one.body);
  EXPECT_EQ(v.at("category").as_string(), "housing.overcrowding");
  EXPECT_EQ(v.at("subjects").at(1).at("identifiers").at(0).at("canonical").as_string(), "1431AB|12|A|2");
  EXPECT_TRUE(v.at("sharing").is_array());
  EXPECT_TRUE(v.at("feedback").is_array());

  expect_problem(node_->call("GET", "/api/v1/signals/ffffffffffffffffffffffffffffffff"), 404);
  expect_problem(node_->call("GET", "/api/v1/signals/not-an-id"), 404);
}

TEST_F(ApiTest, EveryBadInputIsAProblemNamingTheFieldAndStoresNothing) {
  std::int64_t before = node_->stored_signals();
  struct Case {
    std::string body;
    std::string field;
  };
  std::string too_many = R"({"category":"housing.overcrowding","observedOn":"2026-11-20","subjects":[)";
  for (int i = 0; i < 65; ++i) too_many += std::string(i ? "," : "") + R"({"kind":"organisation","kvk":"12345678"})";
  too_many += "]}";
  std::vector<Case> cases = {
      {"{\"category\": ", "body"},                                        // malformed JSON
      {signal_with("persons", "\"many\""), "persons"},                    // wrong type
      {signal_with("category", "\"housing.unknown\""), "category"},       // unknown category
      {R"({"category":"housing.overcrowding"})", "observedOn"},           // missing required field
      {signal_with("observedOn", "\"2099-01-01\""), "observedOn"},        // future date
      {signal_with("observedOn", "\"2026-02-29\""), "observedOn"},        // not a calendar date
      {signal_with("subjects", R"([{"kind":"person","bsn":"123456789"}])"), "subjects[0].bsn"},
      {signal_with("subjects", R"([{"kind":"organisation","kvk":"1234"}])"), "subjects[0].kvk"},
      {signal_with("subjects", R"([{"kind":"account","iban":"NL91ABNA0417164301"}])"), "subjects[0].iban"},
      {signal_with("subjects", R"([{"kind":"address","postcode":"0123AB","houseNumber":1}])"), "subjects[0].postcode"},
      {signal_with("subjects", R"([{"kind":"person","name":"A","birthDate":"1990-13-01"}])"), "subjects[0].birthDate"},
      {too_many, "subjects"},                                             // more than 64 subjects
      {R"({"category":"housing.overcrowding","observedOn":"2026-11-20","subjects":)" + std::string(200, '[') +
           std::string(200, ']') + "}",
       "body"},                                                           // deep nesting
      {"{\"category\":\"housing.overcrowding\",\"observedOn\":\"2026-11-20\",\"summary\":\"\xff\xfe\"}",
       "body"},                                                           // invalid UTF-8
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.field);
    expect_problem(node_->call("POST", "/api/v1/signals", c.body), 400, c.field);
  }
  EXPECT_EQ(node_->stored_signals(), before);
}

TEST_F(ApiTest, AuthenticationAndRolesAreEnforcedOnEveryRoute) {
  auto r = node_->call("POST", "/api/v1/signals", kValidSignal, "");
  expect_problem(r, 401);
  bool challenged = false;
  for (const auto& [k, v] : r.headers) challenged = challenged || (k == "WWW-Authenticate" && v.starts_with("Bearer"));
  EXPECT_TRUE(challenged);

  auto client = node_->client();
  auto bad = client->request("GET", "/api/v1/signals", "",
                             {{"Authorization", "Bearer snt_0000000000000000_" + std::string(64, '0')}});
  expect_problem(bad, 401);
  auto garbage = client->request("GET", "/api/v1/signals", "", {{"Authorization", "Basic Zm9vOmJhcg=="}});
  expect_problem(garbage, 401);

  for (const char* role : {"analyst", "privacy_officer", "admin"}) {
    SCOPED_TRACE(role);
    expect_problem(node_->call("POST", "/api/v1/signals", kValidSignal, role), 403);
    expect_problem(node_->call("GET", "/api/v1/signals", "", role), 403);
    EXPECT_EQ(node_->call("GET", "/api/v1/taxonomy", "", role).status, 200);
  }
  expect_problem(node_->call("GET", "/api/v1/taxonomy", "", ""), 401);
  EXPECT_EQ(node_->call("GET", "/healthz", "", "").status, 200);
}

// An officer's tool shows one value of a doubled key, the node would keep another:
// the node refuses the body instead and names the key.
TEST_F(ApiTest, DuplicateJsonKeysAreRefused) {
  const std::string doubled = R"({"category":"housing.overcrowding","observedOn":"2026-11-20",
    "category":"general.external_report"})";
  expect_problem(node_->call("POST", "/api/v1/signals", doubled), 400, "category");
  const std::string nested = R"({"category":"housing.overcrowding","observedOn":"2026-11-20",
    "subjects":[{"kind":"organisation","kvk":"12345678","kvk":"87654321"}]})";
  expect_problem(node_->call("POST", "/api/v1/signals", nested), 400, "kvk");
  ASSERT_EQ(node_->call("GET", "/api/v1/signals").status, 200);
}

TEST_F(ApiTest, UnknownPathsMethodsAndMediaTypes) {
  expect_problem(node_->call("GET", "/api/v1/nothing"), 404);
  auto r = node_->call("DELETE", "/api/v1/taxonomy");
  expect_problem(r, 405);
  auto client = node_->client();
  auto text = client->request("POST", "/api/v1/signals", kValidSignal,
                              {{"Authorization", "Bearer " + node_->token("officer")}, {"Content-Type", "text/plain"}});
  expect_problem(text, 415);
  // Look-alike media types are not JSON to this node (only parameters may follow).
  for (const char* type : {"application/jsonx", "application/json-patch+json"}) {
    auto look_alike = client->request("POST", "/api/v1/signals", kValidSignal,
                                      {{"Authorization", "Bearer " + node_->token("officer")}, {"Content-Type", type}});
    expect_problem(look_alike, 415);
    EXPECT_NE(look_alike.body.find("Content-Type"), std::string::npos) << look_alike.body;
  }
  auto with_charset = client->request(
      "POST", "/api/v1/signals", kValidSignal,
      {{"Authorization", "Bearer " + node_->token("officer")}, {"Content-Type", "Application/JSON; charset=utf-8"}});
  EXPECT_EQ(with_charset.status, 201) << with_charset.body;
  expect_problem(node_->call("GET", "/api/v1/signals?limit=0"), 400, "limit");
  expect_problem(node_->call("GET", "/api/v1/signals?limit=10&limit=20"), 400, "query");
  expect_problem(node_->call("GET", "/api/v1/signals?colour=red"), 400, "colour");
  expect_problem(node_->call("GET", "/api/v1/signals?category=nope"), 400, "category");
  expect_problem(node_->call("GET", "/api/v1/signals?q=%zz"), 400, "query");
}

TEST_F(ApiTest, BodyOverOneMebibyteIs413) {
  std::int64_t before = node_->stored_signals();
  std::string huge = signal_with("summary", "\"" + std::string(1024 * 1024, 'x') + "\"");
  auto client = node_->client();
  auto r = client->request("POST", "/api/v1/signals", huge,
                           {{"Authorization", "Bearer " + node_->token("officer")}, {"Content-Type", "application/json"}});
  expect_problem(r, 413);
  EXPECT_EQ(node_->stored_signals(), before);
}

TEST_F(ApiTest, HeadersOverEightKibibytesAre431) {
  auto client = node_->client();
  auto r = client->request("GET", "/api/v1/signals", "",
                           {{"Authorization", "Bearer " + node_->token("officer")}, {"X-Padding", std::string(9000, 'a')}});
  expect_problem(r, 431);
}

TEST_F(ApiTest, SlowClientIsCutOffWithoutStarvingOthers) {
  RawTls slow(node_->port());
  ASSERT_TRUE(slow.handshake());
  ASSERT_TRUE(slow.send("POST /api/v1/signals HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"));
  auto started = std::chrono::steady_clock::now();
  // Others are served while the slow client dawdles.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(node_->call("GET", "/healthz", "", "").status, 200);
  std::string rest = slow.read_all();  // returns when the server closes
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(rest.find("HTTP/1.1 2"), std::string::npos);
  EXPECT_LT(waited, 5.0) << "connection closed after the 1 s request timeout";
}

TEST_F(ApiTest, Tls12IsRefused) {
  RawTls old(node_->port(), TLS1_2_VERSION);
  EXPECT_FALSE(old.handshake());
  ERR_clear_error();
}

TEST_F(ApiTest, ResponsesCarrySecurityHeaders) {
  auto r = node_->call("GET", "/healthz", "", "");
  std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
  EXPECT_EQ(h["Cache-Control"], "no-store");
  EXPECT_EQ(h["X-Content-Type-Options"], "nosniff");
  EXPECT_FALSE(h["Strict-Transport-Security"].empty());
}

// /metrics names partners and counts failed log-ins: an anonymous client gets 401,
// a person's token other than admin 403; the scraper's metrics token reads it and
// nothing else.
TEST_F(ApiTest, MetricsNeedTheMetricsTokenWhichOpensNothingElse) {
  auto anonymous = node_->call("GET", "/metrics", "", "");
  expect_problem(anonymous, 401);
  EXPECT_EQ(anonymous.body.find("signalnode_"), std::string::npos) << anonymous.body;
  for (const char* role : {"officer", "analyst", "privacy_officer"}) {
    expect_problem(node_->call("GET", "/metrics", "", role), 403);
  }
  EXPECT_EQ(node_->call("GET", "/metrics", "", "admin").status, 200);
  EXPECT_EQ(node_->call("GET", "/metrics", "", "metrics").status, 200);
  // The scraper's token is no API key: not for routes open to any role, nor role routes.
  expect_problem(node_->call("GET", "/api/v1/taxonomy", "", "metrics"), 403);
  expect_problem(node_->call("GET", "/api/v1/session", "", "metrics"), 403);
  expect_problem(node_->call("GET", "/api/v1/signals", "", "metrics"), 403);
  expect_problem(node_->call("POST", "/api/v1/signals", kValidSignal, "metrics"), 403);
  expect_problem(node_->call("GET", "/api/v1/users", "", "metrics"), 403);
  // No web account can hold the role.
  expect_problem(node_->call("POST", "/api/v1/users",
                             R"({"username":"prom.user","role":"metrics","password":"a long enough password"})", "admin"),
                 400, "role");
}

TEST_F(ApiTest, MetricsCountRequestsAndSignals) {
  ASSERT_EQ(node_->call("POST", "/api/v1/signals", kValidSignal).status, 201);
  auto r = node_->call("GET", "/metrics", "", "metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.content_type.starts_with("text/plain"));
  EXPECT_NE(r.body.find(R"(signalnode_http_requests_total{route="/api/v1/signals",method="POST",status="201"})"),
            std::string::npos);
  EXPECT_NE(r.body.find("signalnode_http_request_duration_seconds_bucket{route=\"/api/v1/signals\""),
            std::string::npos);
  EXPECT_NE(r.body.find("signalnode_signals_stored "), std::string::npos);
  EXPECT_EQ(r.body.find("ffffffff"), std::string::npos) << "no raw paths as labels";
}

TEST_F(ApiTest, TaxonomyIsServedWithBothLanguages) {
  auto r = node_->call("GET", "/api/v1/taxonomy");
  ASSERT_EQ(r.status, 200);
  json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("categories").as_array().size(), 61u);
  const auto& first = v.at("categories").at(0);
  EXPECT_TRUE(first.as_object().contains("nl"));
  EXPECT_TRUE(first.as_object().contains("en"));
  EXPECT_TRUE(first.as_object().contains("stage"));
}

TEST_F(ApiTest, OpenApiDocumentMatchesTheRouter) {
  auto r = node_->call("GET", "/openapi.json", "", "");
  ASSERT_EQ(r.status, 200);
  json::value doc = json::parse(r.body);
  EXPECT_EQ(doc.at("openapi").as_string().subview().substr(0, 2), "3.");
  // NL API Design Rules (/core/uri-version): the server URL names the major
  // version, /api/v1, and paths are relative to it; the few outside it name
  // their own server (/). What is served is server URL + path.
  ASSERT_EQ(doc.at("servers").as_array().size(), 1u);
  const std::string base(doc.at("servers").at(0).at("url").as_string());
  EXPECT_EQ(base, "/api/v1");
  std::map<std::string, const json::object*> served;  // full path -> operations
  std::size_t documented = 0;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    const auto& ops = item.as_object();
    std::string prefix = base;
    if (const auto* servers = ops.if_contains("servers")) {
      prefix = std::string(servers->at(0).at("url").as_string());
      if (prefix == "/") prefix.clear();
    }
    EXPECT_FALSE(std::string(path).starts_with("/api/v1/"))
        << path << ": paths are relative to the server URL /api/v1 (write " << std::string(path).substr(7) << ")";
    served[prefix + std::string(path)] = &ops;
    for (const auto& [key, op] : ops) {
      if (key == "servers" || key == "parameters") continue;
      ++documented;
      // Every answer documents API-Version through the one reusable header.
      for (const auto& [code, response] : op.at("responses").as_object()) {
        const auto& answer = response.as_object();
        if (answer.contains("$ref")) continue;
        EXPECT_TRUE(answer.contains("headers") && answer.at("headers").as_object().contains("API-Version"))
            << key << " " << path << " " << code;
      }
    }
  }
  auto routes = node_->app().router().routes();
  EXPECT_EQ(documented, routes.size());
  for (const auto& [method, path] : routes) {
    std::string lower = method;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(ch));
    ASSERT_TRUE(served.contains(path)) << path;
    EXPECT_TRUE(served.at(path)->contains(lower)) << method << " " << path;
  }
}

TEST(ApiLogs, NoIdentifierNameSummaryOrTokenReachesTheLog) {
  auto log_path = std::filesystem::temp_directory_path() / "sn-log-test.log";
  std::filesystem::remove(log_path);
  signalnode::node::log::init(signalnode::node::log::Level::info, log_path);
  std::string token;
  {
    TestNode node;
    token = node.token("officer");
    ASSERT_EQ(node.call("POST", "/api/v1/signals", kValidSignal).status, 201);
    ASSERT_EQ(node.call("POST", "/api/v1/signals", signal_with("subjects", R"([{"kind":"person","bsn":"111222334"}])"))
                  .status,
              400);
  }
  signalnode::node::log::init(signalnode::node::log::Level::info);
  std::ifstream in(log_path);
  std::stringstream s;
  s << in.rdbuf();
  std::string log = s.str();
  EXPECT_NE(log.find("signal.stored"), std::string::npos);
  for (const std::string& secret : {std::string("123456782"), std::string("12345678"), std::string("Nowak"),
                                    std::string("Flex Uitzend"), std::string("1431"), std::string("NL91"),
                                    std::string("111222334"), token.substr(21)}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret;
  }
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    boost::system::error_code ec;
    json::parse(line, ec);
    EXPECT_FALSE(ec) << "not one JSON object: " << line;
  }
  std::filesystem::remove(log_path);
}

// The Design Rules want a contact in the OpenAPI document: the operator's, set
// in node.json; without one the document says so rather than name a real
// address that nobody reads.
TEST_F(ApiTest, TheOpenApiDocumentNamesTheOperatorsContact) {
  auto contact_of = [] {
    auto r = node_->call("GET", "/openapi.json", "", "");
    EXPECT_EQ(r.status, 200);
    return json::parse(r.body).at("info").at("contact");
  };
  EXPECT_TRUE(contact_of().at("email").as_string().ends_with(".invalid")) << contact_of();

  const auto path = node_->dir() / "node.json";
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  const std::string original = text.str();
  auto write = [&](const json::value& v) { std::ofstream(path, std::ios::trunc) << json::serialize(v); };
  json::value cfg = json::parse(original);
  cfg.as_object()["contact"] = {{"name", "Servicedesk Gemeente Aalsmeer"},
                                {"email", "servicedesk@aalsmeer.example"},
                                {"url", "https://www.aalsmeer.example/contact"}};
  write(cfg);
  node_->restart();
  const json::value served = contact_of();
  EXPECT_EQ(served.at("name").as_string(), "Servicedesk Gemeente Aalsmeer");
  EXPECT_EQ(served.at("email").as_string(), "servicedesk@aalsmeer.example");
  EXPECT_EQ(served.at("url").as_string(), "https://www.aalsmeer.example/contact");

  // A contact that is none: the node does not start, and says which field.
  cfg.as_object()["contact"].as_object()["email"] = "servicedesk";
  write(cfg);
  try {
    signalnode::node::app::NodeApp refused(signalnode::node::app::NodeOptions{node_->dir(), 0});
    ADD_FAILURE() << "a contact without an e-mail address was taken";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("contact.email"), std::string::npos) << e.what();
  }
  std::ofstream(path, std::ios::trunc) << original;
  node_->restart();
}
