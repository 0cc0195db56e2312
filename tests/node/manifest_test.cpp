#include "node/federation/manifest.hpp"

#include <gtest/gtest.h>

namespace f = signalnode::node::federation;

namespace {
const std::string kPin = std::string(64, 'a');
const std::string kKey = std::string(64, 'b');

std::string partner(const std::string& org, const std::string& oin, bool pa, const std::string& extra = "") {
  return "\n[[partners]]\norg = \"" + org + "\"\nname = \"" + org + "\"\nrole = \"riec\"\noin = \"" + oin +
         "\"\nendpoint = \"https://127.0.0.1:18444\"\ntls_cert_sha256 = \"" + kPin + "\"\nsigning_key = \"" + kKey +
         "\"\npseudonymisation_authority = " + (pa ? "true" : "false") + "\n" + extra;
}

const std::string kHead = "version = 1\nname = \"test\"\n";

std::string error_of(const std::string& text) {
  try {
    f::parse_manifest(text, "manifest.toml");
    return "<accepted>";
  } catch (const f::ManifestError& e) {
    return e.what();
  }
}
}  // namespace

TEST(Manifest, ParsesPartnersPinsAndTheAuthority) {
  auto m = f::parse_manifest(kHead + partner("gemeente-a", "00000001002220647000", false) +
                                 partner("riec-b", "00000001823288444000", true),
                             "manifest.toml");
  ASSERT_EQ(m.partners.size(), 2u);
  EXPECT_EQ(m.find("riec-b"), m.authority());
  EXPECT_EQ(m.partners[0].host, "127.0.0.1");
  EXPECT_EQ(m.partners[0].port, 18444);
  signalnode::crypto::Digest256 pin{};
  pin.fill(0xaa);
  EXPECT_EQ(m.match_certificate(pin, {}, "00000001002220647000"), &m.partners[0]);
  EXPECT_EQ(m.match_certificate(pin, {}, "00000001002220647999"), nullptr) << "pin without the right OIN";
  EXPECT_EQ(m.match_certificate({}, {}, "00000001002220647000"), nullptr);
}

TEST(Manifest, ErrorsNameFileLineAndField) {
  auto pa = partner("riec-b", "00000001823288444000", true);
  EXPECT_EQ(error_of(kHead + pa + "colour = \"red\"\n").substr(0, 16), "manifest.toml:13");
  EXPECT_NE(error_of(kHead + pa + "colour = \"red\"\n").find("partners[0].colour: is not a known field"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + partner("riec-b", "123", true)).find("manifest.toml:8:7: partners[0].oin: must be 20 digits"),
            std::string::npos)
      << error_of(kHead + partner("riec-b", "123", true));
  EXPECT_NE(error_of(kHead + pa + partner("riec-b", "00000001002220647000", false)).find("partners[1].org: appears twice"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + pa + partner("gem", "00000001823288444000", false)).find("partners[1].oin: appears twice"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + partner("riec-b", "00000001823288444000", false)).find("exactly one"), std::string::npos);
  EXPECT_NE(error_of("version = 2\n" + pa).find("version: must be 1"), std::string::npos);
  EXPECT_NE(error_of(kHead + "[[partners]\n").find("manifest.toml:3"), std::string::npos) << "TOML syntax";
  std::string no_pin = pa;
  no_pin.replace(no_pin.find("tls_cert_sha256"), 16, "tls_cert_sha25x");
  EXPECT_NE(error_of(kHead + no_pin).find("is not a known field"), std::string::npos);
  std::string bad_endpoint = pa;
  bad_endpoint.replace(bad_endpoint.find("https://"), 8, "http://");
  EXPECT_NE(error_of(kHead + bad_endpoint).find("partners[0].endpoint: must be https://host:port"), std::string::npos);
}

TEST(Manifest, WritesWhatItReads) {
  auto m = f::parse_manifest(kHead + partner("riec-b", "00000001823288444000", true), "a.toml");
  auto again = f::parse_manifest(f::manifest_to_toml(m), "b.toml");
  ASSERT_EQ(again.partners.size(), 1u);
  EXPECT_EQ(again.partners[0].oin, m.partners[0].oin);
  EXPECT_EQ(again.partners[0].certificate_sha256, m.partners[0].certificate_sha256);
  EXPECT_EQ(again.partners[0].signing_key, m.partners[0].signing_key);
}
