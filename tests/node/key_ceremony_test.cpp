// The threshold key ceremony (issue 15): shares on disk that only their owner
// can read, a public key set that every node can check, and any t holders
// evaluating the same pseudonym while fewer cannot.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <variant>

#include "crypto/random.hpp"
#include "crypto/threshold.hpp"
#include "crypto/voprf.hpp"
#include "node/pseudonyms/key_ceremony.hpp"
#include "node/pseudonyms/oprf_keyring.hpp"
#include "node/pseudonyms/pa_service.hpp"
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

// A PA node holding one share (issue 15, BRIEF 3.8): it answers the federation
// endpoint's batch with its share index and a proof that verifies against its
// public share, and two such nodes give the pseudonym any two holders give.
TEST(KeyCeremony, APaHoldingAShareAnswersWithAProofOfItsShare) {
  c::init();
  signalnode::testing::TempDir dir{"sn-ceremony-"};
  auto set = ps::run_key_ceremony(dir / "out", 2, 3, 1);
  auto pa_of = [&](int holder) {
    auto keys = dir / ("pa-" + std::to_string(holder));
    fs::create_directories(keys);
    fs::copy_file(ps::share_file(dir / "out", holder, 1), keys / "epoch-0001.share");
    auto ring = ps::OprfKeyring::load(keys);
    EXPECT_EQ(ring.current_share_index(), holder);
    return std::make_unique<ps::PaService>(std::move(ring), ps::PaLimits{});
  };
  auto pa2 = pa_of(2), pa3 = pa_of(3);
  const std::string input = "00000001003214345000:kvk:12345678";
  auto blinded = c::voprf::blind(c::as_bytes(input));
  const std::string request = ps::pa_request_json(std::span(&blinded->blinded_element, 1));
  std::vector<th::HolderAnswer> answers;
  for (auto* pa : {pa2.get(), pa3.get()}) {
    auto result = pa->evaluate_json("gemeente-aalsmeer", request);
    ASSERT_TRUE(std::holds_alternative<ps::PaAnswer>(result));
    const std::string body = ps::pa_answer_json(std::get<ps::PaAnswer>(result));
    EXPECT_NE(body.find("\"mode\":\"voprf\""), std::string::npos) << body;
    auto parsed = ps::parse_pa_answer(body, 1);
    ASSERT_TRUE(parsed && parsed->proof && parsed->share_index) << body;
    const auto& own = set.shares.at(*parsed->share_index - 1);
    EXPECT_TRUE(c::voprf::verify_proof(own.point, std::span(&blinded->blinded_element, 1), parsed->evaluated, *parsed->proof));
    answers.push_back({*parsed->share_index, parsed->evaluated, *parsed->proof});
  }
  auto combined = th::verify_and_combine(answers, set.shares, std::span(&blinded->blinded_element, 1), 2);
  ASSERT_TRUE(combined);
  auto pseudonym = c::voprf::finalize_verified(c::as_bytes(input), blinded->blind, combined->at(0));
  EXPECT_EQ(pseudonym, evaluate_with(dir / "out", set, {1, 3}, input).value_or(c::oprf::Output{}))
      << "the same pseudonym as holders 1 and 3 give (with another blind)";
  // A malformed proof in an answer is refused by the parser.
  auto body = ps::pa_answer_json(std::get<ps::PaAnswer>(pa2->evaluate_json("x", request)));
  auto at = body.find("\"c\":\"") + 5;
  body.replace(at, 2, "zz");
  EXPECT_FALSE(ps::parse_pa_answer(body, 1));
}

TEST(KeyCeremony, AKeyFolderWithAWholeKeyAndAShareOfOneEpochIsRefused) {
  c::init();
  signalnode::testing::TempDir dir{"sn-ceremony-"};
  ps::run_key_ceremony(dir / "out", 2, 3, 1);
  ps::OprfKeyring::create_next_epoch(dir / "keys");
  fs::copy_file(ps::share_file(dir / "out", 1, 1), dir / "keys" / "epoch-0001.share");
  EXPECT_THROW(ps::OprfKeyring::load(dir / "keys"), std::runtime_error);
}
