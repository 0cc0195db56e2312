// The signed federation configuration between real nodes (issue 22): one
// node's operator publishes a new version, another node fetches it from
// that partner over mTLS, holds it until its effective date and then puts
// its manifest and covenant in force; a rollback and a signer-set change
// without the old quorum are refused, audited and raised to the admin, and
// the last good configuration stays.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "node/federation/configuration_sync.hpp"
#include "node/federation/federation.hpp"
#include "crypto/secret_file.hpp"
#include "node/net/tls_identity.hpp"
#include "node/storage/sqlite.hpp"
#include "tests/integration/federation_fixture.hpp"

namespace f = signalnode::node::federation;
namespace c = signalnode::crypto;
using namespace std::chrono_literals;

namespace {

class FederationConfigurationTest : public signalnode::testing::FederationFixture {
 protected:
  static constexpr std::size_t kPublisher = 0;  // gemeente-aalsmeer
  static constexpr std::size_t kFetcher = 1;    // nla

  // How often each node asks its partners on its own (NodeOptions).
  virtual int fetch_seconds() const { return 3600; }
  void SetUp() override {
    c::init();
    dir_ = std::filesystem::temp_directory_path() / ("sn-fedcfg-" + c::random_hex_id(6));
    nodes_ = signalnode::testing::create_test_federation(dir_, partners());
    for (const auto& n : nodes_) {
      signalnode::node::app::NodeOptions options;
      options.dir = n.dir;
      options.configuration_fetch_seconds = fetch_seconds();
      apps_.push_back(std::make_unique<signalnode::node::app::NodeApp>(options));
      apps_.back()->start();
    }
    for (int i = 0; i < 5; ++i) keys.push_back(c::SigningKey::generate());
    manifest = signalnode::node::net::read_text_file(nodes_[0].dir / "manifest.toml", 1 << 22);
    covenant = signalnode::node::net::read_text_file(nodes_[0].dir / "policy.toml", 1 << 22);
  }

  f::SignedConfiguration draft(std::int64_t version, const f::SignedConfiguration* previous, std::int64_t effective_ms,
                               std::vector<std::size_t> signers = {0, 1, 2}) {
    f::SignedConfiguration d;
    d.version = version;
    d.effective_from = f::format_utc_timestamp(effective_ms);
    if (previous) d.previous_sha256 = previous->sha256();
    d.manifest = manifest;
    d.covenant = covenant;
    for (auto i : signers) d.signers.push_back({"signer-" + std::to_string(i), keys[i].public_key()});
    d.threshold = 2;
    return d;
  }
  std::string signed_json(f::SignedConfiguration d, std::vector<std::size_t> who,
                          const f::SignedConfiguration* previous = nullptr) {
    for (auto i : who) f::sign_configuration(d, keys[i], previous);
    return d.to_json();
  }
  static std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  // What node `n` logged under an event name, the leaves joined.
  std::string logged(std::size_t n, const std::string& name) {
    signalnode::node::storage::Database db(nodes_[n].dir / "signalnode.db",
                                           signalnode::node::storage::Database::Mode::read_only);
    auto st = db.cached("SELECT CAST(leaf AS TEXT) FROM audit_events WHERE name = '" + name + "' ORDER BY idx");
    std::string out;
    while (st.step()) out += st.text(0) + "\n";
    return out;
  }
  std::int64_t admin_notices(std::size_t n) {
    signalnode::node::storage::Database db(nodes_[n].dir / "signalnode.db",
                                           signalnode::node::storage::Database::Mode::read_only);
    return db.cached("SELECT count(*) FROM notices WHERE topic = 'configuration_refused' AND role = 'admin'").scalar();
  }
  template <class P>
  static bool eventually(P done, std::chrono::milliseconds limit = 20s) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (done()) return true;
      std::this_thread::sleep_for(100ms);
    }
    return done();
  }

  std::vector<c::SigningKey> keys;
  std::string manifest, covenant;
};

// Nodes that ask a partner every second, as a federation in a hurry would.
class FederationConfigurationRollout : public FederationConfigurationTest {
 protected:
  int fetch_seconds() const override { return 1; }
};

TEST_F(FederationConfigurationRollout, ANewVersionTravelsOverMtlsAndTakesEffectAtItsDate) {
  auto* publisher = apps_[kPublisher]->configuration();
  auto* fetcher = apps_[kFetcher]->configuration();
  ASSERT_TRUE(publisher && fetcher);

  // Both operators install the first version by hand (a node takes a first
  // version from its own admin only, never from a partner).
  auto v1_json = signed_json(draft(1, nullptr, now_ms() - 60'000), {0, 1});
  auto v1 = f::parse_configuration(v1_json);
  ASSERT_EQ(publisher->consider(v1_json, "local"), f::ConfigurationSync::Outcome::accepted);
  ASSERT_EQ(fetcher->consider(v1_json, "local"), f::ConfigurationSync::Outcome::accepted);
  ASSERT_TRUE(eventually([&] { return fetcher->status(now_ms()).in_force.has_value(); })) << "v1 is due at once";
  EXPECT_NE(logged(kFetcher, "configuration.applied").find("\"version\":1"), std::string::npos);

  // Nothing newer at the publisher: a partner asking gets an empty answer.
  {
    auto manifest_now = apps_[kFetcher]->federation()->manifest();
    auto response = apps_[kFetcher]->federation()->client_for(*manifest_now->find("gemeente-aalsmeer"))
                        ->request("GET", std::string(f::kConfigurationPath) + "?after=1");
    EXPECT_EQ(response.status, 204);
    response = apps_[kFetcher]->federation()->client_for(*manifest_now->find("gemeente-aalsmeer"))
                   ->request("GET", std::string(f::kConfigurationPath) + "?after=een");
    EXPECT_EQ(response.status, 400) << "a bad query is refused naming the field";
    EXPECT_NE(response.body.find("after"), std::string::npos);
  }

  // Version 2 renames the covenant, in force 10 s from now; the publisher's
  // operator publishes it as `federation config publish` does (incoming.json).
  const std::string old_name = apps_[kFetcher]->federation()->policy()->name();
  auto v2_draft = draft(2, &v1, now_ms() + 10'000);
  v2_draft.covenant = covenant;
  auto at = v2_draft.covenant.find("\nname = ");
  ASSERT_NE(at, std::string::npos);
  v2_draft.covenant.insert(at + 1, "name = \"Convenant versie 2\"\n#");
  auto v2_json = signed_json(v2_draft, {1, 2});
  c::write_file_atomically(f::ConfigurationFolder::of_node(nodes_[kPublisher].dir).incoming(), v2_json);
  ASSERT_TRUE(eventually([&] { return publisher->serve(1).has_value(); })) << "the publisher took it";

  // The other node asks its partners in turn, on its own; the share holders
  // have none, the municipality has version 2.
  ASSERT_TRUE(eventually([&] { return !fetcher->status(now_ms()).pending.empty(); }, 9s));
  auto status = fetcher->status(now_ms());
  ASSERT_TRUE(status.in_force);
  EXPECT_EQ(status.in_force->version, 1) << "held until its effective date";
  ASSERT_EQ(status.pending.size(), 1u);
  EXPECT_EQ(status.pending[0].version, 2);
  EXPECT_EQ(apps_[kFetcher]->federation()->policy()->name(), old_name);
  EXPECT_NE(logged(kFetcher, "configuration.accepted").find("\"source\":\"gemeente-aalsmeer\""), std::string::npos)
      << "the log says where it came from";

  // At its date it takes effect: the covenant in force is version 2's, on disk too.
  ASSERT_TRUE(eventually([&] { return apps_[kFetcher]->federation()->policy()->name() == "Convenant versie 2"; }));
  EXPECT_EQ(fetcher->status(now_ms()).in_force->version, 2);
  EXPECT_NE(signalnode::node::net::read_text_file(nodes_[kFetcher].dir / "policy.toml", 1 << 22).find("Convenant versie 2"),
            std::string::npos);
  EXPECT_NE(logged(kFetcher, "configuration.applied").find("\"version\":2"), std::string::npos);
  EXPECT_EQ(admin_notices(kFetcher), 0) << "nothing was refused";
}

TEST_F(FederationConfigurationTest, ARollbackAndABadSignerSetChangeAreRefusedAuditedAndShown) {
  auto* node = apps_[kFetcher]->configuration();
  auto v1_json = signed_json(draft(1, nullptr, now_ms() - 60'000), {0, 1});
  auto v1 = f::parse_configuration(v1_json);
  ASSERT_EQ(node->consider(v1_json, "local"), f::ConfigurationSync::Outcome::accepted);
  auto v2_json = signed_json(draft(2, &v1, now_ms() - 30'000), {0, 2});
  auto v2 = f::parse_configuration(v2_json);
  ASSERT_EQ(node->consider(v2_json, "local"), f::ConfigurationSync::Outcome::accepted);
  ASSERT_TRUE(eventually([&] {
    auto s = node->status(now_ms());
    return s.in_force && s.in_force->version == 2;
  }));
  const auto policy_before = apps_[kFetcher]->federation()->policy()->sha256();

  // A rollback: another, validly signed version 1 offered by a partner.
  auto other_v1 = signed_json(draft(1, nullptr, now_ms() - 50'000), {0, 1});
  EXPECT_EQ(node->consider(other_v1, "gemeente-aalsmeer"), f::ConfigurationSync::Outcome::refused);
  // A takeover: a new signer set {3, 4} that signed its own change, with only one old signer.
  auto takeover = signed_json(draft(3, &v2, now_ms(), {3, 4}), {3, 4, 0}, &v2);
  EXPECT_EQ(node->consider(takeover, "gemeente-aalsmeer"), f::ConfigurationSync::Outcome::refused);
  // The same offered again is refused again, but audited and shown once.
  EXPECT_EQ(node->consider(takeover, "gemeente-aalsmeer"), f::ConfigurationSync::Outcome::refused);

  auto refusals = logged(kFetcher, "configuration.refused");
  EXPECT_NE(refusals.find("\"reason\":\"not_newer\""), std::string::npos) << refusals;
  EXPECT_NE(refusals.find("\"reason\":\"not_old_quorum\""), std::string::npos) << refusals;
  EXPECT_EQ(std::count(refusals.begin(), refusals.end(), '\n'), 2) << refusals;
  EXPECT_NE(refusals.find("\"source\":\"gemeente-aalsmeer\""), std::string::npos);
  EXPECT_EQ(admin_notices(kFetcher), 2) << "each refusal raised to the admins";
  auto status = node->status(now_ms());
  ASSERT_TRUE(status.last_refusal && status.last_refusal->refusal);
  EXPECT_EQ(status.last_refusal->refusal->kind, f::ConfigurationRefusal::Kind::not_old_quorum);

  // The last good configuration stays, and stays what partners are served.
  EXPECT_EQ(status.in_force->version, 2);
  EXPECT_TRUE(status.pending.empty());
  EXPECT_EQ(apps_[kFetcher]->federation()->policy()->sha256(), policy_before);
  EXPECT_EQ(f::parse_configuration(*node->serve(std::nullopt)).sha256(), v2.sha256());
}

}  // namespace
