// The signed federation configuration (issue 22): what a node accepts and
// what it refuses, each refusal with the reason a person reads. The manifest
// and covenant inside are the demo federation's own (create_test_federation),
// so the validators run on real content.
#include "node/federation/signed_configuration.hpp"

#include <gtest/gtest.h>

#include "crypto/random.hpp"
#include "node/net/tls_identity.hpp"
#include "tests/support/test_federation.hpp"

namespace f = signalnode::node::federation;
namespace c = signalnode::crypto;
using Kind = f::ConfigurationRefusal::Kind;

namespace {

struct Content {
  std::string manifest, covenant;
};

const Content& demo_content() {
  static const Content content = [] {
    c::init();
    auto dir = std::filesystem::temp_directory_path() / ("sn-cfg-" + c::random_hex_id(6));
    auto nodes = signalnode::testing::create_test_federation(dir, signalnode::node::app::national_demo_partners());
    Content out{signalnode::node::net::read_text_file(nodes[0].dir / "manifest.toml", 1 << 22),
                signalnode::node::net::read_text_file(nodes[0].dir / "policy.toml", 1 << 22)};
    std::filesystem::remove_all(dir);
    return out;
  }();
  return content;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "the demo content no longer holds: " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class SignedConfigurationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    c::init();
    for (int i = 0; i < 4; ++i) keys.push_back(c::SigningKey::generate());
  }

  // Version `version` after `previous` (or a first one), signers 0..2, 2 of 3.
  f::SignedConfiguration draft(std::int64_t version, const f::SignedConfiguration* previous = nullptr,
                               std::vector<std::size_t> signer_set = {0, 1, 2}, std::size_t threshold = 2) {
    f::SignedConfiguration d;
    d.version = version;
    d.effective_from = "2026-12-04T00:00:00Z";
    d.effective_from_ms = *f::parse_utc_timestamp(d.effective_from);
    if (previous) d.previous_sha256 = previous->sha256();
    d.manifest = demo_content().manifest;
    d.covenant = demo_content().covenant;
    for (auto i : signer_set) d.signers.push_back({"signer-" + std::to_string(i), keys[i].public_key()});
    d.threshold = threshold;
    return d;
  }
  f::SignedConfiguration signed_by(f::SignedConfiguration d, std::vector<std::size_t> who,
                                   const f::SignedConfiguration* previous = nullptr) {
    for (auto i : who) f::sign_configuration(d, keys[i], previous);
    // What travels is the JSON: every test verifies what a partner would parse.
    return f::parse_configuration(d.to_json());
  }
  static f::ConfigurationRefusal refusal(const f::SignedConfiguration& d, const f::SignedConfiguration* previous) {
    try {
      f::verify_configuration(d, previous, "gemeente-aalsmeer");
    } catch (const f::ConfigurationError& e) {
      return e.refusal;
    }
    ADD_FAILURE() << "accepted";
    return {};
  }

  std::vector<c::SigningKey> keys;

  // The English reason a quorum-signed first version is refused for, after
  // the demo's manifest and covenant were edited (a text replaced in each).
  std::string content_refused(std::pair<std::string, std::string> in_manifest,
                              std::pair<std::string, std::string> in_covenant = {}) {
    auto d = draft(1);
    if (!in_manifest.first.empty()) d.manifest = replaced(d.manifest, in_manifest.first, in_manifest.second);
    if (!in_covenant.first.empty()) d.covenant = replaced(d.covenant, in_covenant.first, in_covenant.second);
    auto r = refusal(signed_by(d, {0, 1}), nullptr);
    EXPECT_EQ(r.kind, Kind::invalid_content);
    return r.en;
  }
};

TEST_F(SignedConfigurationTest, AQuorumSignedVersionIsAcceptedWithItsManifestAndCovenant) {
  auto v1 = signed_by(draft(1), {0, 1});
  auto verified = f::verify_configuration(v1, nullptr, "gemeente-aalsmeer");
  EXPECT_TRUE(verified.manifest.find("riec-den-haag"));
  EXPECT_FALSE(verified.covenant.rules().empty());
  auto v2 = signed_by(draft(2, &v1), {1, 2});
  EXPECT_NO_THROW(f::verify_configuration(v2, &v1, "gemeente-aalsmeer"));
  EXPECT_EQ(*v2.previous_sha256, v1.sha256());
  // The identity of a version does not depend on how many signed it.
  EXPECT_EQ(signed_by(draft(2, &v1), {0, 1, 2}).sha256(), v2.sha256());
}

TEST_F(SignedConfigurationTest, TheBytesSignedAreCanonicalJson) {
  auto v1 = signed_by(draft(1), {0, 1});
  // Reordered fields and white space parse to the same body, the same hash.
  auto text = v1.to_json();
  auto reparsed = f::parse_configuration(" \n" + text + "\n");
  EXPECT_EQ(reparsed.sha256(), v1.sha256());
  EXPECT_EQ(v1.signing_message().rfind("signalnode-federation-configuration-v1\n{", 0), 0u);
  EXPECT_EQ(v1.canonical_body().find("signatures"), std::string::npos);
}

TEST_F(SignedConfigurationTest, TooFewSignaturesAreRefused) {
  auto r = refusal(signed_by(draft(1), {0}), nullptr);
  EXPECT_EQ(r.kind, Kind::too_few_signatures);
  EXPECT_NE(r.nl.find("te weinig handtekeningen: 1 van de 2"), std::string::npos) << r.nl;
  EXPECT_EQ(refusal(signed_by(draft(1), {}), nullptr).kind, Kind::too_few_signatures) << "an unsigned draft";
}

TEST_F(SignedConfigurationTest, AnUnknownSignerIsRefused) {
  auto d = signed_by(draft(1), {0, 1});
  // keys[3] is in no signer set: sign_configuration refuses it, and a
  // signature smuggled into the JSON is refused by the verifier.
  auto copy = d;
  EXPECT_THROW(f::sign_configuration(copy, keys[3]), f::ConfigurationError);
  d.signatures.push_back({keys[3].public_key(), keys[3].sign(c::as_bytes(d.signing_message()))});
  auto r = refusal(f::parse_configuration(d.to_json()), nullptr);
  EXPECT_EQ(r.kind, Kind::unknown_signer);
  EXPECT_EQ(r.field, "signatures[2]");
}

TEST_F(SignedConfigurationTest, ASignatureOverOtherContentIsRefused) {
  auto d = signed_by(draft(1), {0, 1});
  d.covenant += "\n# a change after signing\n";
  auto r = refusal(f::parse_configuration(d.to_json()), nullptr);
  EXPECT_EQ(r.kind, Kind::bad_signature);
  EXPECT_EQ(r.field, "signatures[0]");
}

TEST_F(SignedConfigurationTest, AnOlderOrEqualVersionIsARollbackAndRefused) {
  auto v1 = signed_by(draft(1), {0, 1});
  auto v2 = signed_by(draft(2, &v1), {0, 1});
  auto r = refusal(v1, &v2);
  EXPECT_EQ(r.kind, Kind::not_newer);
  EXPECT_NE(r.en.find("version 1 is not newer than version 2"), std::string::npos) << r.en;
  // Another document under the same number (a fork) is not newer either.
  auto other2 = signed_by(draft(2, &v1), {0, 1});
  other2.effective_from = "2026-12-05T00:00:00Z";
  EXPECT_EQ(refusal(signed_by(other2, {0, 1}), &v2).kind, Kind::not_newer);
}

TEST_F(SignedConfigurationTest, AVersionThatDoesNotChainIsRefused) {
  auto v1 = signed_by(draft(1), {0, 1});
  auto v2 = signed_by(draft(2, &v1), {0, 1});
  auto v3_after_v1 = signed_by(draft(3, &v1), {0, 1});  // skips v2: names v1 as previous
  EXPECT_EQ(refusal(v3_after_v1, &v2).kind, Kind::does_not_chain);
  auto headless = signed_by(draft(3), {0, 1});  // no previousSha256 at all
  EXPECT_EQ(refusal(headless, &v2).kind, Kind::does_not_chain);
}

TEST_F(SignedConfigurationTest, ASignerSetChangeNeedsTheOldQuorum) {
  auto v1 = signed_by(draft(1), {0, 1});  // signers 0, 1, 2; 2 of 3
  // The new set {2, 3} signs its own change, but of the old set only 2 signed.
  auto takeover = signed_by(draft(2, &v1, {2, 3}, 2), {2, 3});
  auto r = refusal(takeover, &v1);
  EXPECT_EQ(r.kind, Kind::not_old_quorum);
  EXPECT_NE(r.en.find("1 of the 2 (the signer set changes)"), std::string::npos) << r.en;
  // Lowering the threshold to 1 with one old signer is the same attack.
  auto lowered = signed_by(draft(2, &v1, {0, 1, 2}, 1), {0});
  EXPECT_EQ(refusal(lowered, &v1).kind, Kind::not_old_quorum);
  // With the old quorum's consent (0 and 1 co-sign, as old signers) it is accepted.
  auto agreed = signed_by(draft(2, &v1, {2, 3}, 2), {2, 3, 0, 1}, &v1);
  EXPECT_NO_THROW(f::verify_configuration(agreed, &v1, "gemeente-aalsmeer"));
  // And from then on the new set alone decides.
  auto v3 = signed_by(draft(3, &agreed, {2, 3}, 2), {2, 3});
  EXPECT_NO_THROW(f::verify_configuration(v3, &agreed, "gemeente-aalsmeer"));
  EXPECT_EQ(refusal(signed_by(draft(3, &agreed, {2, 3}, 2), {2, 3, 0, 1}, &v1), &agreed).kind, Kind::unknown_signer)
      << "a former signer is nobody now";
}

TEST_F(SignedConfigurationTest, ARuleToASendOnlyParticipantOrAPaIsRefused) {
  EXPECT_NE(content_refused({}, {"to = [\"role:labour_inspectorate\"]", "to = [\"role:labour_inspectorate\", \"pa-een\"]"})
                .find("pseudonymisation authority"),
            std::string::npos);
  EXPECT_NE(content_refused({"org = \"snf\"", "send_only = true\norg = \"snf\""},
                            {"to = [\"role:housing_certifier\"]", "to = [\"snf\"]"})
                .find("only sends"),
            std::string::npos);
}

TEST_F(SignedConfigurationTest, OverlappingOrUnknownAreasAreRefused) {
  EXPECT_NE(content_refused({"areas = [\"GM1783\"]", "areas = [\"GM0358\"]"})
                .find("GM0358 is already in the area of gemeente-aalsmeer"),
            std::string::npos);
  EXPECT_NE(content_refused({"areas = [\"GM1783\"]", "areas = [\"GM9999\"]"}).find("is not a CBS municipality code"),
            std::string::npos);
}

TEST_F(SignedConfigurationTest, AConfigurationWithoutThisNodeIsRefusedByIt) {
  auto d = signed_by(draft(1), {0, 1});
  try {
    f::verify_configuration(d, nullptr, "gemeente-nergens");
    ADD_FAILURE() << "accepted";
  } catch (const f::ConfigurationError& e) {
    EXPECT_EQ(e.refusal.kind, Kind::not_this_node);
  }
}

TEST_F(SignedConfigurationTest, MalformedDocumentsNameTheField) {
  auto fails = [](const std::string& text) -> std::string {
    try {
      f::parse_configuration(text);
      return "<accepted>";
    } catch (const f::ConfigurationError& e) {
      EXPECT_EQ(e.refusal.kind, Kind::malformed);
      return e.refusal.field;
    }
  };
  auto good = signed_by(draft(1), {0, 1}).to_json();
  EXPECT_EQ(fails("{"), "document");
  EXPECT_EQ(fails("[]"), "document");
  EXPECT_EQ(fails(std::string(f::kMaxConfigurationBytes + 1, ' ')), "document");
  EXPECT_EQ(fails(replaced(good, "\"version\":1", "\"version\":0")), "version");
  EXPECT_EQ(fails(replaced(good, "\"version\":1", "\"version\":1.5")), "version");
  EXPECT_EQ(fails(replaced(good, "2026-12-04T00:00:00Z", "2026-02-30T00:00:00Z")), "effectiveFrom");
  EXPECT_EQ(fails(replaced(good, "\"threshold\":2", "\"threshold\":4")), "signers.threshold");
  EXPECT_EQ(fails(replaced(good, "\"formatVersion\":1", "\"formatVersion\":1,\"extra\":true")), "extra");
  EXPECT_EQ(fails(replaced(good, "\"name\":\"signer-1\"", "\"name\":\"signer-0\"")), "signers.keys[1].name");
}

TEST_F(SignedConfigurationTest, TimestampsRoundTrip) {
  auto ms = f::parse_utc_timestamp("2028-02-29T23:59:59Z");
  ASSERT_TRUE(ms);
  EXPECT_EQ(f::format_utc_timestamp(*ms), "2028-02-29T23:59:59Z");
  EXPECT_EQ(*f::parse_utc_timestamp("2000-01-01T00:00:00Z"), 946684800000);
  EXPECT_FALSE(f::parse_utc_timestamp("2027-02-29T00:00:00Z"));
  EXPECT_FALSE(f::parse_utc_timestamp("2026-12-04 00:00:00Z"));
}

}  // namespace
