// What an identity provider (or someone in its place) sends a node (issue
// 21): any bytes as a discovery document, a key set, or an ID token checked
// against a fixed P-256 key; each parses within its bounds or is refused;
// and claims (as a JSON object) mapped to a role and team by the mapping of
// node.json (oidc_login.hpp). The first byte picks the parser.
#include <cstdint>
#include <string_view>

#include <boost/json.hpp>

#include "node/auth/oidc_login.hpp"
#include "node/auth/oidc_token.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace au = signalnode::node::auth;
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 3: {
      static const std::vector<au::OidcMapping> lines = {{"groups", "sn-handhaving", au::Role::officer, "handhaving"},
                                                         {"afdeling", "beheer", au::Role::admin, ""}};
      boost::system::error_code ec;
      boost::json::value claims = boost::json::parse(in, ec);
      if (ec || !claims.is_object()) break;
      if (auto m = au::OidcLogin::map_claims(claims.as_object(), lines); m && m->value != "sn-handhaving" && m->value != "beheer") {
        __builtin_trap();
      }
      break;
    }
    case 0:
      if (auto m = au::parse_discovery(in, "https://idp.example"); m && m->issuer != "https://idp.example") __builtin_trap();
      break;
    case 1:
      if (auto keys = au::parse_jwks(in); keys && keys->size() > au::kMaxJwksKeys) __builtin_trap();
      break;
    default: {
      static const std::vector<au::JsonWebKey> keys = [] {
        std::vector<au::JsonWebKey> k;
        auto parsed = au::parse_jwks(
            R"({"keys":[{"kty":"EC","crv":"P-256","kid":"k","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]})");
        if (parsed) k = std::move(*parsed);
        return k;
      }();
      au::IdTokenExpectations expected;
      expected.issuer = "https://idp.example";
      expected.client_id = "client";
      expected.nonce = "nonce";
      expected.now_ms = 1'790'000'000'000;
      if (au::verify_id_token(in, keys, expected).ok) __builtin_trap();  // nobody holds that key's private half
      break;
    }
  }
  return 0;
}
