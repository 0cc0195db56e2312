// Problem documents in the reader's language (issue 20): a report with many
// mistakes is answered with every mistake at once, each beside a label a
// person understands, in Dutch when the reader asks for Dutch and in English
// when it asks for English or names no language.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>
#include <string>

#include "node/http/problem_language.hpp"
#include "test_node.hpp"

namespace json = boost::json;
namespace http = signalnode::node::http;

namespace {

const std::string kManyMistakes = R"({"category":"labour.nonsense","observedOn":"31-02-2026","municipality":"Aalsmeer",
  "severity":"hoog","persons":-1,
  "subjects":[{"kind":"person","bsn":"123456789","birthDate":"1990-02-01"},
              {"kind":"address","postcode":"1431","houseNumber":"12"}]})";

json::value submit(signalnode::testing::TestNode& node, const std::string& language) {
  auto client = node.client();
  std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + node.token("officer")},
                                                              {"Content-Type", "application/json"}};
  if (!language.empty()) headers.emplace_back("Accept-Language", language);
  auto r = client->request("POST", "/api/v1/signals", kManyMistakes, headers);
  EXPECT_EQ(r.status, 400) << r.body;
  return json::parse(r.body);
}

}  // namespace

TEST(Language, TheReadersLanguageIsTheOneAcceptLanguagePrefers) {
  EXPECT_EQ(http::preferred_language("nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7"), http::Language::nl);
  EXPECT_EQ(http::preferred_language("en-GB,en;q=0.9,nl;q=0.8"), http::Language::en);
  EXPECT_EQ(http::preferred_language("en;q=0.5, nl;q=0.7"), http::Language::nl);
  EXPECT_EQ(http::preferred_language("de-DE,de;q=0.9,nl;q=0.1"), http::Language::nl);
  EXPECT_EQ(http::preferred_language("de-DE,de;q=0.9"), http::Language::en);
  EXPECT_EQ(http::preferred_language(""), http::Language::en);
  EXPECT_EQ(http::preferred_language("nl;q=abc"), http::Language::en);
  EXPECT_EQ(http::field_label("subjects[1].houseNumber", http::Language::nl), "Betrokkene 2: huisnummer");
  EXPECT_EQ(http::field_label("subjects[0].bsn", http::Language::en), "Subject 1: BSN");
  EXPECT_EQ(http::field_label("observedOn", http::Language::nl), "Datum waarneming");
}

TEST(Language, AReportWithManyMistakesGetsThemAllAtOnceInDutchWithLabels) {
  signalnode::testing::TestNode node;
  json::value nl = submit(node, "nl-NL,nl;q=0.9,en;q=0.8");
  json::value en = submit(node, "en");
  json::value none = submit(node, "");

  EXPECT_EQ(nl.at("title"), "Niet alles is goed ingevuld");
  EXPECT_EQ(en.at("title"), "Invalid input");
  const auto& nl_params = nl.at("invalidParams").as_array();
  const auto& en_params = en.at("invalidParams").as_array();
  std::set<std::string> names;
  for (const auto& p : nl_params) names.insert(std::string(p.at("name").as_string()));
  // Every mistake at once, not the first only.
  for (const char* f : {"category", "observedOn", "municipality", "severity", "persons", "subjects[0].bsn",
                        "subjects[0].name", "subjects[1].postcode"}) {
    EXPECT_TRUE(names.contains(f)) << f << " missing in " << json::serialize(nl);
  }
  ASSERT_EQ(nl_params.size(), en_params.size());
  for (std::size_t i = 0; i < nl_params.size(); ++i) {
    const std::string reason(nl_params[i].at("reason").as_string());
    const std::string label(nl_params[i].at("label").as_string());
    EXPECT_NE(reason, std::string(en_params[i].at("reason").as_string())) << "untranslated: " << reason;
    for (const char* english : {"must", "is required", "is not", "fails"}) {
      EXPECT_EQ(reason.find(english), std::string::npos) << reason;
    }
    EXPECT_FALSE(label.empty());
    EXPECT_EQ(label.find('['), std::string::npos) << "a field path shown as a label: " << label;
  }
  const std::string detail(nl.at("detail").as_string());
  EXPECT_NE(detail.find("Betrokkene 1: BSN: is geen geldig BSN (de elfproef klopt niet)"), std::string::npos) << detail;
  EXPECT_NE(detail.find("Datum waarneming: is geen bestaande datum"), std::string::npos) << detail;
  // A client that names no language gets English, labels too.
  EXPECT_EQ(none.at("title"), "Invalid input");
  EXPECT_EQ(none.at("invalidParams").at(0).at("label"), en_params.at(0).at("label"));
  EXPECT_EQ(node.stored_signals(), 0) << "nothing stored";
}

// "Mijn signalen" lists an officer's own signals (issue 20), and the log-in
// page learns whose node this is without a token.
TEST(Language, MineListsOnlyTheCallersSignalsAndAboutNamesTheNode) {
  signalnode::testing::TestNode node;
  const std::string body = R"({"category":"housing.overcrowding","observedOn":"2026-11-20","persons":9,
    "subjects":[{"kind":"address","postcode":"1431 AB","houseNumber":12}]})";
  ASSERT_EQ(node.call("POST", "/api/v1/signals", body).status, 201);
  const std::string other = node.app().tokens().create(signalnode::node::auth::Role::officer, "collega", std::nullopt, 0);
  auto client = node.client();
  auto by_other = client->request("POST", "/api/v1/signals", body,
                                  {{"Authorization", "Bearer " + other}, {"Content-Type", "application/json"}});
  ASSERT_EQ(by_other.status, 201) << by_other.body;
  auto count = [](const signalnode::node::http::HttpResponse& r) {
    return json::parse(r.body).at("items").as_array().size();
  };
  EXPECT_EQ(count(node.call("GET", "/api/v1/signals")), 2u) << "the organisation's list";
  EXPECT_EQ(count(node.call("GET", "/api/v1/signals?mine=true")), 1u);
  auto mine_other = client->request("GET", "/api/v1/signals?mine=true", {}, {{"Authorization", "Bearer " + other}});
  EXPECT_EQ(count(mine_other), 1u);
  EXPECT_EQ(node.call("GET", "/api/v1/signals?mine=yes").status, 400);

  auto about = node.call("GET", "/api/v1/about", {}, "");
  ASSERT_EQ(about.status, 200) << about.body;
  json::value a = json::parse(about.body);
  EXPECT_TRUE(a.at("name").is_string());
  EXPECT_TRUE(a.at("org").is_string());
  EXPECT_TRUE(a.at("municipality").is_null());
}

// Review finding: a field name is often the caller's own key, and the label
// of `subjects[...]` must not be read with a regex that recurses per byte.
// A 30 KB key and an absurd index are answered, and the node answers on.
TEST(Language, AHostileKeyIsAnsweredInBoundsAndTheNodeLivesOn) {
  signalnode::testing::TestNode node;
  auto client = node.client();
  const std::string long_key = "subjects[0]." + std::string(30000, 'a');
  for (const std::string& key : {long_key, std::string("subjects[99999999999999999999].bsn")}) {
    const std::string body = "{\"" + key + "\":\"x\"}";
    auto r = client->request("POST", "/api/v1/session", body,
                             {{"Content-Type", "application/json"}, {"Accept-Language", "nl"}});
    EXPECT_EQ(r.status, 400) << r.body.substr(0, 200);
    EXPECT_LT(r.body.size(), 2000u);
    auto s = client->request("POST", "/api/v1/signals", body,
                             {{"Authorization", "Bearer " + node.token("officer")}, {"Content-Type", "application/json"},
                              {"Accept-Language", "nl"}});
    EXPECT_EQ(s.status, 400) << s.body.substr(0, 200);
    EXPECT_LT(s.body.size(), 2000u);
  }
  EXPECT_EQ(node.call("GET", "/api/v1/signals").status, 200) << "still answering";
}
