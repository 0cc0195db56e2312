// The threshold key ceremony (issue 15): shares on disk that only their owner
// can read, a public key set that every node can check, and any t holders
// evaluating the same pseudonym while fewer cannot.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "crypto/random.hpp"
#include "crypto/threshold.hpp"
#include "crypto/voprf.hpp"
#include "node/pseudonyms/key_ceremony.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
namespace c = signalnode::crypto;
namespace th = signalnode::crypto::threshold;
namespace ps = signalnode::node::pseudonyms;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The pseudonym of `input` from the holders in `use` (share files under out).
std::optional<c::oprf::Output> evaluate_with(const fs::path& out, const ps::PublicKeySet& set,
                                             std::vector<int> use, std::string_view input) {
  auto bytes = c::as_bytes(input);
  auto blinded = c::voprf::blind(bytes);
  if (!blinded) return std::nullopt;
  std::vector<th::HolderAnswer> answers;
  for (int i : use) {
    th::Share share = ps::load_share(ps::share_file(out, i, 1));
    auto eval = c::voprf::blind_evaluate(share.value, std::span(&blinded->blinded_element, 1));
    answers.push_back({share.index, eval.evaluated, eval.proof});
  }
  auto combined = th::verify_and_combine(answers, set.shares, std::span(&blinded->blinded_element, 1), use.size());
  if (!combined) return std::nullopt;
  return c::voprf::finalize_verified(bytes, blinded->blind, combined->at(0));
}

}  // namespace

TEST(KeyCeremony, AnyTwoOfThreeHoldersGiveOnePseudonymAndOneHolderAlonePasses) {
  c::init();
  signalnode::testing::TempDir dir{"sn-ceremony-"};
  auto set = ps::run_key_ceremony(dir / "out", 2, 3, 1);
  ASSERT_EQ(set.shares.size(), 3u);
  for (int i = 1; i <= 3; ++i) {
    auto share = dir / "out" / ("holder-" + std::to_string(i)) / "epoch-0001.share";
    ASSERT_TRUE(fs::exists(share));
    EXPECT_EQ(fs::status(share).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(fs::file_size(share), 34u);
  }
  const std::string input = "00000001003214345000:kvk:12345678";
  auto a = evaluate_with(dir / "out", set, {1, 2}, input);
  auto b = evaluate_with(dir / "out", set, {2, 3}, input);
  auto d = evaluate_with(dir / "out", set, {3, 1}, input);
  ASSERT_TRUE(a && b && d);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, *d);
  EXPECT_NE(*a, *evaluate_with(dir / "out", set, {1, 2}, "00000001003214345000:kvk:87654321"));
  // One holder posing as the threshold gets an unrelated value.
  ps::PublicKeySet one = set;
  one.threshold = 1;
  auto alone = evaluate_with(dir / "out", one, {2}, input);
  ASSERT_TRUE(alone);
  EXPECT_NE(*alone, *a);
}

TEST(KeyCeremony, ThePublicSetRoundTripsAndATamperedShareIsRefused) {
  c::init();
  signalnode::testing::TempDir dir{"sn-ceremony-"};
  auto set = ps::run_key_ceremony(dir / "out", 2, 3, 1);
  const std::string text = read(dir / "out" / "pseudonymisation-epoch-0001.json");
  std::string error;
  auto parsed = ps::parse_public_key_set(text, error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(parsed->threshold, 2u);
  EXPECT_EQ(parsed->group_public_key, set.group_public_key);
  EXPECT_EQ(ps::public_key_set_json(*parsed) + "\n", text);
  // Holder 2's public share swapped for another valid point: caught.
  ps::PublicKeySet forged = set;
  forged.shares[1].point = ps::run_key_ceremony(dir / "other", 1, 1, 1).group_public_key;
  EXPECT_FALSE(ps::parse_public_key_set(ps::public_key_set_json(forged), error));
  EXPECT_NE(error.find("do not fit"), std::string::npos) << error;
  for (const char* bad : {"[]", "{\"epoch\":0}", "{\"epoch\":1,\"threshold\":3,\"groupPublicKey\":\"00\",\"shares\":[]}"}) {
    EXPECT_FALSE(ps::parse_public_key_set(bad, error)) << bad;
  }
}

TEST(KeyCeremony, RefusesBadParametersAnExistingEpochAndAShareOthersCanRead) {
  c::init();
  signalnode::testing::TempDir dir{"sn-ceremony-"};
  EXPECT_THROW(ps::run_key_ceremony(dir / "out", 0, 3, 1), std::invalid_argument);
  EXPECT_THROW(ps::run_key_ceremony(dir / "out", 4, 3, 1), std::invalid_argument);
  EXPECT_THROW(ps::run_key_ceremony(dir / "out", 2, 300, 1), std::invalid_argument);
  EXPECT_THROW(ps::run_key_ceremony(dir / "out", 2, 3, 0), std::invalid_argument);
  ps::run_key_ceremony(dir / "out", 2, 3, 1);
  EXPECT_THROW(ps::run_key_ceremony(dir / "out", 2, 3, 1), std::runtime_error) << "an epoch is dealt once";
  auto share = dir / "out" / "holder-1" / "epoch-0001.share";
  fs::permissions(share, fs::perms::group_read, fs::perm_options::add);
  EXPECT_THROW(ps::load_share(share), std::runtime_error);
}
