#include "node/federation/manifest.hpp"

#include <gtest/gtest.h>

#include "crypto/random.hpp"
#include "crypto/threshold.hpp"

namespace f = signalnode::node::federation;
namespace c = signalnode::crypto;
namespace th = signalnode::crypto::threshold;

namespace {
const std::string kPin = std::string(64, 'a');
const std::string kKey = std::string(64, 'b');

// A 2-of-3 dealing and a whole key, for the [pseudonymisation] tables.
const th::Dealing& dealing() {
  static const th::Dealing d = [] {
    c::init();
    return th::split(c::oprf::random_scalar(), 2, 3);
  }();
  return d;
}
const th::Dealing& whole() {
  static const th::Dealing d = [] {
    c::init();
    return th::whole_key(c::oprf::random_scalar());
  }();
  return d;
}

// A partner; a PA (share index >= 0) gets that share of `d`.
std::string partner(const std::string& org, const std::string& oin, bool pa, const std::string& extra = "",
                    int share = 0, const th::Dealing& d = whole()) {
  std::string out = "\n[[partners]]\norg = \"" + org + "\"\nname = \"" + org + "\"\nrole = \"" +
                    (pa ? "pseudonymisation_authority" : "riec") + "\"\noin = \"" + oin +
                    "\"\nendpoint = \"https://127.0.0.1:18444\"\ntls_cert_sha256 = \"" + kPin +
                    "\"\nsigning_key = \"" + kKey + "\"\npseudonymisation_authority = " + (pa ? "true" : "false") + "\n";
  if (pa) {
    const auto& s = d.public_shares.at(static_cast<std::size_t>(&d == &whole() ? 0 : share - 1));
    out += "share_index = " + std::to_string(s.index) + "\nshare_public_key = \"" + c::to_hex(s.point) + "\"\n";
  }
  return out + extra;
}

std::string key_table(std::size_t threshold = 1, const th::Dealing& d = whole()) {
  return "\n[pseudonymisation]\nepoch = 1\nthreshold = " + std::to_string(threshold) + "\ngroup_public_key = \"" +
         c::to_hex(d.group_public_key) + "\"\n";
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
                                 partner("pa-b", "00000001823288444000", true) + key_table(),
                             "manifest.toml");
  ASSERT_EQ(m.partners.size(), 2u);
  ASSERT_EQ(m.share_holders().size(), 1u);
  EXPECT_EQ(m.find("pa-b"), m.share_holders()[0]);
  EXPECT_EQ(m.recipient_domains("pa-b"), std::vector<std::string>{"00000001002220647000"}) << "a PA is nobody's recipient";
  EXPECT_TRUE(m.recipient_domains("gemeente-a").empty());
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
  EXPECT_EQ(error_of(kHead + pa + "colour = \"red\"\n" + key_table()).substr(0, 16), "manifest.toml:15");
  EXPECT_NE(error_of(kHead + pa + "colour = \"red\"\n" + key_table()).find("partners[0].colour: is not a known field"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + partner("riec-b", "123", true)).find("manifest.toml:8:7: partners[0].oin: must be 20 digits"),
            std::string::npos)
      << error_of(kHead + partner("riec-b", "123", true));
  EXPECT_NE(error_of(kHead + pa + partner("riec-b", "00000001002220647000", false)).find("partners[1].org: appears twice"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + pa + partner("gem", "00000001823288444000", false)).find("partners[1].oin: appears twice"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + partner("riec-b", "00000001823288444000", false) + key_table()).find("only 0 partners"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + partner("riec-b", "00000001823288444000", false)).find("pseudonymisation: is required"),
            std::string::npos);
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
  const auto& d = dealing();
  auto m = f::parse_manifest(kHead + partner("pa-a", "00000009000000000001", true, "", 1, d) +
                                 partner("pa-b", "00000009000000000002", true, "", 2, d) +
                                 partner("pa-c", "00000009000000000003", true, "", 3, d) + key_table(2, d),
                             "a.toml");
  auto again = f::parse_manifest(f::manifest_to_toml(m), "b.toml");
  ASSERT_EQ(again.partners.size(), 3u);
  EXPECT_EQ(again.partners[0].oin, m.partners[0].oin);
  EXPECT_EQ(again.partners[0].certificate_sha256, m.partners[0].certificate_sha256);
  EXPECT_EQ(again.partners[0].signing_key, m.partners[0].signing_key);
  EXPECT_EQ(again.pseudonymisation.threshold, 2u);
  EXPECT_EQ(again.pseudonymisation.group_public_key, d.group_public_key);
  ASSERT_EQ(again.pseudonymisation.shares.size(), 3u);
  EXPECT_EQ(again.pseudonymisation.shares[2].point, d.public_shares[2].point);
}

// Issue 15: the key set every node checks proofs against is refused unless
// it is one ceremony's, and a PA is a role of its own that receives nothing.
TEST(Manifest, RefusesAKeySetThatIsNotOneCeremonysAndAPaWithAnotherRole) {
  const auto& d = dealing();
  auto three = [&](int second) {
    return kHead + partner("pa-a", "00000009000000000001", true, "", 1, d) +
           partner("pa-b", "00000009000000000002", true, "", second, d) +
           partner("pa-c", "00000009000000000003", true, "", 3, d);
  };
  EXPECT_EQ(error_of(three(2) + key_table(2, d)), "<accepted>");
  EXPECT_NE(error_of(three(1) + key_table(2, d)).find("do not fit it"), std::string::npos) << "a repeated share";
  EXPECT_NE(error_of(three(2) + key_table(2, whole())).find("do not fit it"), std::string::npos) << "another group key";
  EXPECT_NE(error_of(three(2) + key_table(4, d)).find("only 3 partners"), std::string::npos);
  std::string off_group = three(2) + key_table(2, d);
  off_group.replace(off_group.find("share_public_key = \"") + 20, 64, std::string(64, 'f'));
  EXPECT_NE(error_of(off_group).find("partners[0].share_public_key: must be 64 hex characters of a ristretto255 element"),
            std::string::npos);
  std::string riec_as_pa = partner("riec-b", "00000001823288444000", true) + key_table();
  const std::string pa_role = "role = \"pseudonymisation_authority\"";
  riec_as_pa.replace(riec_as_pa.find(pa_role), pa_role.size(), "role = \"riec\"");
  EXPECT_NE(error_of(kHead + riec_as_pa).find("must be true exactly when role is pseudonymisation_authority"),
            std::string::npos)
      << error_of(kHead + riec_as_pa);
  EXPECT_NE(error_of(kHead + partner("gem", "00000001002220647000", false, "share_index = 1\n") +
                     partner("pa-b", "00000001823288444000", true) + key_table())
                .find("partners[0].share_index: belongs to a pseudonymisation authority only"),
            std::string::npos);
}

// Issue 22: the areas a partner serves and send-only participants.
TEST(Manifest, AreasAreKnownCbsCodesAndTwoPartnersOfOneRoleDoNotShareOne) {
  const std::string pa = partner("pa-z", "00000009000000000009", true);
  auto m = f::parse_manifest(kHead + pa +
                                 partner("riec-a", "00000001823288444000", false, "areas = [\"GM0363\", \"GM0358\"]\n") +
                                 partner("riec-b", "00000001823288445000", false, "areas = [\"GM1783\"]\nsend_only = true\n") +
                                 key_table(),
                             "manifest.toml");
  EXPECT_EQ(m.find("riec-a")->areas, (std::vector<std::string>{"GM0358", "GM0363"})) << "sorted";
  EXPECT_TRUE(m.find("pa-z")->areas.empty());
  EXPECT_TRUE(m.find("riec-b")->send_only);
  auto again = f::parse_manifest(f::manifest_to_toml(m), "b.toml");
  EXPECT_EQ(again.find("riec-a")->areas, m.find("riec-a")->areas);
  EXPECT_TRUE(again.find("riec-b")->send_only);
  EXPECT_FALSE(again.find("riec-a")->send_only);
  auto party = f::party_of(*m.find("riec-a"));
  EXPECT_EQ(party.areas, m.find("riec-a")->areas);

  auto unknown = error_of(kHead + pa + partner("riec-a", "00000001823288444000", false, "areas = [\"GM9999\"]\n") + key_table());
  EXPECT_NE(unknown.find("partners[1].areas: 'GM9999' is not a CBS municipality code"), std::string::npos) << unknown;
  auto twice = error_of(kHead + pa + partner("riec-a", "00000001823288444000", false, "areas = [\"GM0358\", \"GM0358\"]\n") +
                        key_table());
  EXPECT_NE(twice.find("GM0358 appears twice"), std::string::npos) << twice;
  auto overlap = error_of(kHead + pa + partner("riec-a", "00000001823288444000", false, "areas = [\"GM0358\"]\n") +
                          partner("riec-b", "00000001823288445000", false, "areas = [\"GM1783\", \"GM0358\"]\n") + key_table());
  EXPECT_NE(overlap.find("partners[2].areas: GM0358 is already in the area of riec-a, which has the same role"),
            std::string::npos)
      << overlap;
  auto pa_area = error_of(kHead + partner("pa-z", "00000009000000000009", true, "areas = [\"GM0358\"]\n") + key_table());
  EXPECT_NE(pa_area.find("a pseudonymisation authority serves no area"), std::string::npos) << pa_area;
  auto not_bool = error_of(kHead + pa + partner("riec-a", "00000001823288444000", false, "send_only = 1\n") + key_table());
  EXPECT_NE(not_bool.find("partners[1].send_only: must be true or false"), std::string::npos) << not_bool;
}

// Issue 24: a partner's Logboek Dataverwerkingen read API, optional, an
// https:// URL; what the log's dpl.read.externalReadAPI_id points at.
TEST(Manifest, APartnersReadApiIsAnOptionalHttpsUrlKeptAsWritten) {
  const std::string url = "https://riec.example.nl:8443/api/v1/ldv/processing-activities";
  auto m = f::parse_manifest(kHead + partner("pa-a", "00000009000000000001", true) +
                                 partner("riec-b", "00000001823288444000", false, "read_api = \"" + url + "\"\n") +
                                 key_table(),
                             "a.toml");
  EXPECT_TRUE(m.partners[0].read_api.empty());
  EXPECT_EQ(m.partners[1].read_api, url);
  EXPECT_EQ(f::parse_manifest(f::manifest_to_toml(m), "b.toml").partners[1].read_api, url);
  for (const std::string bad : {"http://riec.example.nl/x", "https://", "https://a b", "ftp://x"}) {
    EXPECT_NE(error_of(kHead + partner("pa-a", "00000009000000000001", true) +
                       partner("riec-b", "00000001823288444000", false, "read_api = \"" + bad + "\"\n") + key_table())
                  .find("partners[1].read_api: must be an https:// URL"),
              std::string::npos)
        << bad;
  }
}
