// node.json's auth.oidc (issue 21): what the node refuses to start with
// (an algorithm other than RS256/PS256/ES256, an http:// issuer, a redirect
// URI that is not the callback, a mapping to an unknown role or a bad team),
// what it writes back, and how the provider's claims map to a role and team.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>

#include "node/auth/base64url.hpp"
#include "node/auth/oidc_http.hpp"
#include "node/auth/oidc_login.hpp"
#include "node/config/node_config.hpp"
#include "tests/support/temp_dir.hpp"

namespace cfg = signalnode::node::config;
namespace au = signalnode::node::auth;
namespace json = boost::json;

namespace {

const std::string kGood = R"({"issuer":"https://login.gemeente-x.nl","clientId":"signalnode",
  "clientSecretFile":"keys/oidc-client-secret",
  "redirectUri":"https://signalnode.gemeente-x.nl/api/v1/session/oidc/callback",
  "mappings":[{"group":"sn-handhaving","role":"officer","team":"handhaving"},
              {"claim":"afdeling","value":"beheer","role":"admin"}]})";

class OidcConfigTest : public ::testing::Test {
 protected:
  cfg::NodeConfig load(const std::string& oidc) {
    std::ofstream(paths_.config()) << R"({"org":"gemeente-x","role":"municipality","oin":"00000001002220647000",)"
                                   << R"("auth":{"oidc":)" << oidc << "}}";
    return cfg::load_config(paths_);
  }
  std::string error(const std::string& from, const std::string& to) {
    std::string text = kGood;
    text.replace(text.find(from), from.size(), to);
    try {
      load(text);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "<accepted>";
  }
  signalnode::testing::TempDir dir_{"sn-oidc-config-"};
  cfg::NodePaths paths_{dir_.path()};
};

}  // namespace

TEST_F(OidcConfigTest, IsReadWithDefaultsAndWrittenBack) {
  const auto c = load(kGood);
  ASSERT_TRUE(c.auth.oidc);
  EXPECT_EQ(c.auth.oidc->scopes, (std::vector<std::string>{"openid", "profile"}));
  EXPECT_EQ(c.auth.oidc->algorithms, (std::vector<std::string>{"RS256", "PS256", "ES256"}));
  ASSERT_EQ(c.auth.oidc->mappings.size(), 2u);
  EXPECT_EQ(c.auth.oidc->mappings[0].claim, "groups");
  EXPECT_EQ(c.auth.oidc->mappings[0].team, "handhaving");
  EXPECT_EQ(c.auth.oidc->mappings[1].claim, "afdeling");
  const auto written = json::parse(cfg::config_to_json(c));
  EXPECT_EQ(written.at("auth").at("oidc").at("issuer").as_string(), "https://login.gemeente-x.nl");
  EXPECT_EQ(written.at("auth").at("oidc").at("mappings").as_array().size(), 2u);
  // Without auth.oidc: local accounts only.
  std::ofstream(paths_.config()) << R"({"org":"gemeente-x","role":"municipality","oin":"00000001002220647000"})";
  EXPECT_FALSE(cfg::load_config(paths_).auth.oidc);
}

TEST_F(OidcConfigTest, RefusesWhatWouldWeakenTheSignIn) {
  const std::string algs = R"("mappings")";
  EXPECT_NE(error(algs, R"("algorithms":["RS256","HS256"],"mappings")").find("auth.oidc.algorithms may hold only RS256"),
            std::string::npos);
  EXPECT_NE(error(algs, R"("algorithms":["none"],"mappings")").find("never none or HS256"), std::string::npos);
  EXPECT_NE(error("https://login", "http://login").find("auth.oidc.issuer"), std::string::npos);
  EXPECT_NE(error("/api/v1/session/oidc/callback", "/elders").find("auth.oidc.redirectUri"), std::string::npos);
  EXPECT_NE(error(R"("role":"officer")", R"("role":"metrics")").find("auth.oidc.mappings[].role"), std::string::npos);
  EXPECT_NE(error(R"("team":"handhaving")", R"("team":"Hand Having")").find("auth.oidc.mappings[].team"),
            std::string::npos);
  EXPECT_NE(error(algs, R"("scopes":["profile"],"mappings")").find("auth.oidc.scopes must include openid"),
            std::string::npos);
  EXPECT_NE(error(algs, R"("clientSecret":"in-the-file-please","mappings")").find("auth.oidc.clientSecret is not a known setting"),
            std::string::npos);
  EXPECT_NE(error(R"("mappings":[)", R"("mappings":[],"x":[)").find("auth.oidc"), std::string::npos);
}

TEST(OidcMapping, TheFirstMatchingLineGivesRoleAndTeam) {
  const std::vector<au::OidcMapping> lines = {{"groups", "sn-handhaving", au::Role::officer, "handhaving"},
                                              {"groups", "sn-analyse", au::Role::analyst, ""},
                                              {"afdeling", "beheer", au::Role::admin, ""}};
  auto claims = [](const char* text) { return json::parse(text).as_object(); };
  auto m = au::OidcLogin::map_claims(claims(R"({"groups":["kantine","sn-analyse","sn-handhaving"]})"), lines);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->role, au::Role::officer);
  EXPECT_EQ(m->team, "handhaving");
  m = au::OidcLogin::map_claims(claims(R"({"afdeling":"beheer"})"), lines);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->role, au::Role::admin);
  EXPECT_FALSE(au::OidcLogin::map_claims(claims(R"({"groups":["kantine"]})"), lines));
  EXPECT_FALSE(au::OidcLogin::map_claims(claims(R"({"groups":"sn-handhaving-extra"})"), lines)) << "exact names only";
  EXPECT_FALSE(au::OidcLogin::map_claims(claims(R"({"groups":[["sn-handhaving"]]})"), lines)) << "no nesting";
  EXPECT_FALSE(au::OidcLogin::map_claims(claims(R"({"afdeling":{"naam":"beheer"}})"), lines));
}

TEST(OidcHttp, PercentEncodingLeavesOnlyUnreservedCharacters) {
  EXPECT_EQ(au::percent_encode("a b+c/d:e%f~g"), "a%20b%2Bc%2Fd%3Ae%25f~g");
  EXPECT_EQ(au::percent_encode("signalnode"), "signalnode");
}

TEST(OidcHttp, CallsOnlyHttpsAndReportsWhyNot) {
  std::string why;
  EXPECT_FALSE(au::https_get({}, "http://127.0.0.1:9/.well-known/openid-configuration", why));
  EXPECT_EQ(why, "the provider's address is not an https:// URL");
  // Nobody listens there: not reached, and said so, within the deadline.
  au::HttpsCall call;
  call.connect_timeout_seconds = 2;
  call.timeout_seconds = 2;
  EXPECT_FALSE(au::https_get(call, "https://127.0.0.1:9/", why));
  EXPECT_NE(why.find("could not be reached"), std::string::npos) << why;
}
