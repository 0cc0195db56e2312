// A client of a 2-of-3 threshold PA (issue 15, "Bad input"): holders that are
// down, lie, answer for another share, off the group or for another epoch are
// named and passed over; the pseudonym is the same from any two honest ones.
#include <gtest/gtest.h>

#include <functional>

#include "crypto/random.hpp"
#include "node/pseudonyms/key_ceremony.hpp"
#include "node/pseudonyms/threshold_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace c = signalnode::crypto;
namespace th = signalnode::crypto::threshold;
namespace ps = signalnode::node::pseudonyms;

namespace {

// A holder whose answer is changed by `tamper` (or that throws).
class TamperedHolder : public ps::ShareHolder {
 public:
  TamperedHolder(std::unique_ptr<ps::LocalShareHolder> honest, std::function<void(ps::ShareAnswer&)> tamper)
      : honest_(std::move(honest)), tamper_(std::move(tamper)) {}
  const std::string& name() const override { return honest_->name(); }
  th::ShareIndex index() const override { return honest_->index(); }
  ps::ShareAnswer evaluate(std::span<const th::Element> blinded) override {
    auto a = honest_->evaluate(blinded);
    tamper_(a);
    return a;
  }

 private:
  std::unique_ptr<ps::LocalShareHolder> honest_;
  std::function<void(ps::ShareAnswer&)> tamper_;
};

class ThresholdClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    c::init();
    keys_ = ps::run_key_ceremony(dir_ / "out", 2, 3, 1);
  }
  std::unique_ptr<ps::LocalShareHolder> holder(int i) {
    return std::make_unique<ps::LocalShareHolder>("pa-" + std::to_string(i), ps::load_share(ps::share_file(dir_ / "out", i, 1)), 1);
  }
  // The pseudonym of kInput through `holders`, or nullopt; `faulty` gets the named ones.
  std::optional<c::oprf::Output> pseudonym(std::vector<ps::ShareHolder*> holders, std::vector<ps::FaultyHolder>* faulty = nullptr) {
    auto b = c::voprf::blind(c::as_bytes(kInput));
    auto r = ps::evaluate_with_threshold(holders, keys_, std::span(&b->blinded_element, 1));
    if (faulty) *faulty = r.faulty;
    if (r.combined.empty()) return std::nullopt;
    return c::voprf::finalize_verified(c::as_bytes(kInput), b->blind, r.combined[0]);
  }
  static constexpr std::string_view kInput = "00000001003214345000:kvk:12345678";
  signalnode::testing::TempDir dir_{"sn-threshold-"};
  ps::PublicKeySet keys_;
};

}  // namespace

TEST_F(ThresholdClientTest, AnyTwoHonestHoldersGiveTheSamePseudonym) {
  auto h1 = holder(1), h2 = holder(2), h3 = holder(3);
  auto a = pseudonym({h1.get(), h2.get(), h3.get()});
  auto b = pseudonym({h3.get(), h2.get()});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
}

TEST_F(ThresholdClientTest, EveryKindOfFaultyHolderIsNamedAndPassedOver) {
  auto h2 = holder(2), h3 = holder(3);
  const auto expected = *pseudonym({h2.get(), h3.get()});
  struct Fault {
    const char* what;
    std::function<void(ps::ShareAnswer&)> tamper;
    const char* named;
  };
  const std::vector<Fault> faults = {
      {"down", [](ps::ShareAnswer&) { throw std::runtime_error("connection refused"); }, "did not answer"},
      {"a wrong evaluation", [](ps::ShareAnswer& a) { a.evaluated[0] = *c::oprf::hash_to_group(c::as_bytes("x")); }, "proof does not verify"},
      {"a proof of another batch", [](ps::ShareAnswer& a) { a.proof.c[0] ^= 1; }, "proof does not verify"},
      {"another holder's index", [](ps::ShareAnswer& a) { a.index = 3; }, "not its own"},
      {"an element off the group", [](ps::ShareAnswer& a) { a.evaluated[0].fill(0xff); }, "off the group"},
      {"the identity", [](ps::ShareAnswer& a) { a.evaluated[0].fill(0); }, "off the group"},
      {"another epoch", [](ps::ShareAnswer& a) { a.epoch = 2; }, "epoch"},
      {"a short batch", [](ps::ShareAnswer& a) { a.evaluated.clear(); }, "number of elements"},
  };
  for (const auto& f : faults) {
    SCOPED_TRACE(f.what);
    TamperedHolder bad(holder(1), f.tamper);
    std::vector<ps::FaultyHolder> faulty;
    auto got = pseudonym({&bad, h2.get(), h3.get()}, &faulty);
    ASSERT_TRUE(got) << "the two honest holders suffice";
    EXPECT_EQ(*got, expected) << "nothing of the faulty answer was combined";
    ASSERT_EQ(faulty.size(), 1u);
    EXPECT_EQ(faulty[0].name, "pa-1");
    EXPECT_NE(faulty[0].why.find(f.named), std::string::npos) << faulty[0].why;
  }
}

TEST_F(ThresholdClientTest, WithOneHonestHolderNothingIsCombined) {
  auto h3 = holder(3);
  TamperedHolder down(holder(1), [](ps::ShareAnswer&) { throw std::runtime_error("timeout"); });
  TamperedHolder liar(holder(2), [](ps::ShareAnswer& a) { a.proof.s[0] ^= 1; });
  std::vector<ps::FaultyHolder> faulty;
  EXPECT_FALSE(pseudonym({&down, &liar, h3.get()}, &faulty));
  EXPECT_EQ(faulty.size(), 2u);
}

// "A wrong public share" (issue 15, Bad input): a key set that gives an honest
// holder another public share makes its proof fail; it is named, the others
// suffice. A key set naming one index twice is not one ceremony's.
TEST_F(ThresholdClientTest, AWrongPublicShareIsCaughtAndARepeatedIndexRefused) {
  auto h1 = holder(1), h2 = holder(2), h3 = holder(3);
  const auto expected = *pseudonym({h2.get(), h3.get()});
  const auto honest = keys_;
  keys_.shares[0].point = honest.shares[1].point;  // holder 1's entry carries holder 2's point
  std::vector<ps::FaultyHolder> faulty;
  auto got = pseudonym({h1.get(), h2.get(), h3.get()}, &faulty);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, expected);
  ASSERT_EQ(faulty.size(), 1u);
  EXPECT_EQ(faulty[0].name, "pa-1");
  EXPECT_NE(faulty[0].why.find("proof does not verify"), std::string::npos) << faulty[0].why;
  EXPECT_FALSE(ps::public_key_set_is_consistent(keys_));

  keys_ = honest;
  EXPECT_TRUE(ps::public_key_set_is_consistent(keys_));
  auto repeated = honest;
  repeated.shares[2] = repeated.shares[0];  // indices 1, 2, 1: not adjacent
  EXPECT_FALSE(ps::public_key_set_is_consistent(repeated));
}
