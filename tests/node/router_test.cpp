#include "node/api/router.hpp"

#include <gtest/gtest.h>

namespace api = signalnode::node::api;
namespace au = signalnode::node::auth;

namespace {
api::HttpResponse run(const api::Router& router, std::string method, std::string path, std::string token = "") {
  api::HttpRequest req;
  req.method = std::move(method);
  req.path = std::move(path);
  if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
  api::HttpResponse out;
  router.handle(std::move(req), [&](api::HttpResponse r) { out = std::move(r); });
  return out;
}
}  // namespace

class RouterTest : public ::testing::Test {
 protected:
  RouterTest()
      : router_(metrics_, [](std::string_view token) -> std::optional<au::Principal> {
          if (token == "officer-token") return au::Principal{"t1", au::Role::officer, "o"};
          if (token == "analyst-token") return au::Principal{"t2", au::Role::analyst, "a"};
          return std::nullopt;
        }) {
    router_.add("GET", "/things/{id}", api::Access::only({au::Role::officer}), [](api::RouteContext ctx, api::Respond r) {
      r({200, "text/plain", ctx.params.at("id") + " for " + ctx.principal->token_id, {}});
    });
    router_.add("GET", "/open", api::Access::open(), [](api::RouteContext, api::Respond r) { r({204, "", "", {}}); });
    router_.add("GET", "/boom", api::Access::open(),
                [](api::RouteContext, api::Respond) { throw std::runtime_error("handler bug"); });
  }
  api::Metrics metrics_;
  api::Router router_;
};

TEST_F(RouterTest, MatchesTemplatesAndPassesParams) {
  auto r = run(router_, "GET", "/things/abc", "officer-token");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "abc for t1");
  EXPECT_EQ(run(router_, "GET", "/open").status, 204);
}

TEST_F(RouterTest, AuthThenRole) {
  EXPECT_EQ(run(router_, "GET", "/things/abc").status, 401);
  EXPECT_EQ(run(router_, "GET", "/things/abc", "nope").status, 401);
  EXPECT_EQ(run(router_, "GET", "/things/abc", "analyst-token").status, 403);
}

TEST_F(RouterTest, NotFoundMethodNotAllowedAndHandlerFailure) {
  EXPECT_EQ(run(router_, "GET", "/things").status, 404);
  EXPECT_EQ(run(router_, "GET", "/things/abc/def", "officer-token").status, 404);
  EXPECT_EQ(run(router_, "GET", "/things/", "officer-token").status, 404);
  auto r = run(router_, "POST", "/open");
  EXPECT_EQ(r.status, 405);
  ASSERT_FALSE(r.headers.empty());
  EXPECT_EQ(r.headers[0].first, "Allow");
  auto boom = run(router_, "GET", "/boom");
  EXPECT_EQ(boom.status, 500);
  EXPECT_EQ(boom.body.find("handler bug"), std::string::npos) << "internal errors stay internal";
}

TEST(ParseQuery, DecodesAndRejectsMalformedOrRepeated) {
  auto q = api::parse_query("a=1&b=hello%20world&c=x+y&d");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->at("a"), "1");
  EXPECT_EQ(q->at("b"), "hello world");
  EXPECT_EQ(q->at("c"), "x y");
  EXPECT_EQ(q->at("d"), "");
  EXPECT_FALSE(api::parse_query("a=%"));
  EXPECT_FALSE(api::parse_query("a=%4"));
  EXPECT_FALSE(api::parse_query("a=%zz"));
  EXPECT_FALSE(api::parse_query("a=1&a=2"));
  EXPECT_TRUE(api::parse_query(""));
}

// A client (or an attacker probing for a laxer parser) sending a look-alike media
// type is refused before any handler reads the body; the answer names the header.
TEST_F(RouterTest, ContentTypeMustBeTheExactMediaType) {
  router_.add("POST", "/echo", api::Access::open(),
              [](api::RouteContext, api::Respond r) { r({204, "", "", {}}); });
  auto post = [this](std::string content_type) {
    api::HttpRequest req;
    req.method = "POST";
    req.path = "/echo";
    req.body = "{}";
    req.headers.emplace_back("content-type", std::move(content_type));
    api::HttpResponse out;
    router_.handle(std::move(req), [&](api::HttpResponse r) { out = std::move(r); });
    return out;
  };
  EXPECT_EQ(post("application/json").status, 204);
  EXPECT_EQ(post("application/json; charset=utf-8").status, 204);
  EXPECT_EQ(post("Application/JSON;charset=UTF-8").status, 204);
  EXPECT_EQ(post("application/json ; charset=utf-8").status, 204);
  for (std::string bad : {"application/jsonx", "application/json-patch+json", "application/json+x; charset=utf-8",
                          "text/plain", "", "application/jso", "xapplication/json"}) {
    auto r = post(bad);
    EXPECT_EQ(r.status, 415) << bad;
    EXPECT_EQ(r.content_type, "application/problem+json") << bad;
    EXPECT_NE(r.body.find("Content-Type"), std::string::npos) << r.body;
  }
}
