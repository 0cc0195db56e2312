// A partner's signed log state in its receipts (Delivery::check_witnessed_head):
// it may only grow; a forged, shrunk, older or forked one is raised to the
// privacy officers as a notice, once, and the last good state is kept.
#include <gtest/gtest.h>

#include "crypto/ed25519.hpp"
#include "crypto/random.hpp"
#include "node/audit/audit_log.hpp"
#include "node/sharing/delivery.hpp"
#include "node/storage/schema.hpp"
#include "node/storage/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace sn = signalnode::node;
namespace w = signalnode::protocol::wire;
using signalnode::crypto::SigningKey;

namespace {

w::Receipt head(const SigningKey& key, std::uint64_t size, std::int64_t time, std::uint8_t root_byte) {
  w::Receipt r;
  r.tree_size = size;
  r.tree_timestamp_ms = time;
  r.tree_root.fill(root_byte);
  r.tree_signature = key.sign(sn::audit::tree_head_message(size, time, r.tree_root));
  return r;
}

class WitnessedHeadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signalnode::crypto::init();
    partner_.org = "nla";
    partner_.signing_key = key_.public_key();
  }
  bool fits(const w::Receipt& r) {
    bool ok = false;
    store_.write([&](sn::storage::Database& db) { ok = sn::sharing::Delivery::check_witnessed_head(db, partner_, r, 1000); });
    return ok;
  }
  std::int64_t notices() {
    return store_.read([](sn::storage::Database& db) {
      return db.cached("SELECT count(*) FROM notices WHERE topic = 'tree_head_mismatch' AND role = 'privacy_officer'")
          .scalar();
    });
  }
  signalnode::testing::TempDir dir_{"witness"};
  sn::storage::Store store_{dir_.path() / "n.db", sn::storage::node_migrations()};
  SigningKey key_ = SigningKey::generate();
  sn::federation::Partner partner_;
};

}  // namespace

TEST_F(WitnessedHeadTest, AGrowingLogFitsAndNothingIsRaised) {
  EXPECT_TRUE(fits(head(key_, 10, 100, 1)));
  EXPECT_TRUE(fits(head(key_, 10, 100, 1))) << "the same state again (no new events yet)";
  EXPECT_TRUE(fits(head(key_, 25, 200, 2)));
  EXPECT_EQ(notices(), 0);
}

TEST_F(WitnessedHeadTest, AShrunkOlderForkedOrForgedLogIsRaisedOnce) {
  ASSERT_TRUE(fits(head(key_, 25, 200, 2)));
  EXPECT_FALSE(fits(head(key_, 24, 300, 3))) << "fewer events than before: the log was cut";
  EXPECT_FALSE(fits(head(key_, 25, 200, 9))) << "another root at the same size: the log was rewritten";
  EXPECT_FALSE(fits(head(key_, 30, 150, 4))) << "time went backwards";
  auto forged = head(SigningKey::generate(), 40, 400, 5);
  EXPECT_FALSE(fits(forged)) << "not signed by the partner's manifest key";
  EXPECT_EQ(notices(), 4);
  EXPECT_FALSE(fits(head(key_, 24, 300, 3)));
  EXPECT_EQ(notices(), 4) << "the same misfit is raised once";
  EXPECT_TRUE(fits(head(key_, 26, 500, 6))) << "the last good state (25) was kept";
}
