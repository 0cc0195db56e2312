// Subject access (node/privacy), the one implementation behind the API route
// and `signalnode pseudonym`: the pseudonym through the PA, the events naming
// it, the lookup recorded; and the Pseudonymiser's erasure of a signal's links.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/temp_dir.hpp"
#include "crypto/random.hpp"
#include "node/audit/audit_log.hpp"
#include "node/audit/audit_reader.hpp"
#include "node/privacy/subject_access.hpp"
#include "node/pseudonyms/oprf_keyring.hpp"
#include "node/pseudonyms/pa_service.hpp"
#include "tests/support/local_pa.hpp"
#include "node/signals/signal_json.hpp"
#include "node/signals/signal_repository.hpp"
#include "node/storage/schema.hpp"

namespace c = signalnode::crypto;
namespace o = signalnode::crypto::oprf;
namespace a = signalnode::node::audit;
namespace ps = signalnode::node::pseudonyms;
namespace pv = signalnode::node::privacy;
namespace sg = signalnode::node::signals;
namespace st = signalnode::node::storage;
namespace p = signalnode::protocol;
namespace json = boost::json;
using namespace std::chrono;

namespace {

class OfflineTransport : public ps::OprfTransport {
 public:
  std::size_t max_batch() const override { return 1000; }
  ps::PaAnswer evaluate(std::span<const o::Element>) override { throw ps::TransportError("PA unreachable (test)"); }
};

}  // namespace

class SubjectAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    c::init();
    pa_ = std::make_unique<signalnode::testing::LocalPa>(dir_ / "oprf");
    store_ = std::make_unique<st::Store>(dir_ / "node.db", st::node_migrations());
    pseudonymiser_ = std::make_unique<ps::Pseudonymiser>(*store_, data_key_, now_, "00000001002220647000");
    log_ = std::make_unique<a::AuditLog>(*store_, signing_key_, now_);
  }

  std::vector<a::LoggedEvent> performed() {
    a::EventFilter filter;
    filter.name = "subject_access.performed";
    return a::AuditReader(*store_).events(filter);
  }

  signalnode::testing::TempDir dir_{"sn-access-"};
  c::AeadKey data_key_ = c::generate_aead_key();
  c::SigningKey signing_key_ = c::SigningKey::generate();
  std::function<std::int64_t()> now_ = [] { return std::int64_t{1'700'000'000'000}; };
  std::unique_ptr<signalnode::testing::LocalPa> pa_;
  std::unique_ptr<st::Store> store_;
  std::unique_ptr<ps::Pseudonymiser> pseudonymiser_;
  std::unique_ptr<a::AuditLog> log_;
  p::CanonicalId kvk_{p::IdKind::kvk, "12345678"};
};

TEST_F(SubjectAccessTest, FindsTheEventsNamingThePseudonymAndRecordsTheLookup) {
  std::string hex = c::to_hex(pseudonymiser_->pseudonymise_now(kvk_, pa_->transport()));
  a::Event about, other;
  about.name = "record.received";
  about.data_subjects = {hex};
  other.name = "record.received";
  other.data_subjects = {c::to_hex(pseudonymiser_->pseudonymise_now({p::IdKind::kvk, "87654321"}, pa_->transport()))};
  log_->append_now(other);
  log_->append_now(about);

  pv::SubjectAccess access(*store_, *pseudonymiser_, log_.get(), now_);
  auto found = access.perform(kvk_, "kvk", "privacy-officer-token", pa_->transport());
  EXPECT_EQ(c::to_hex(found.pseudonym), hex);
  ASSERT_EQ(found.exchanges.size(), 1u);
  EXPECT_EQ(found.exchanges[0].index, 1);
  // Logboek Dataverwerkingen: the record names its one subject as dpl.core.data_subject_id.
  EXPECT_EQ(json::parse(found.exchanges[0].leaf).at("attributes").at("dpl.core.data_subject_id").as_string(), hex);

  auto lookups = performed();
  ASSERT_EQ(lookups.size(), 1u);
  EXPECT_EQ(lookups[0].leaf.find("12345678"), std::string::npos) << "the identifier itself is never recorded";
  json::object attributes = json::parse(lookups[0].leaf).at("attributes").as_object();
  EXPECT_EQ(attributes.at("idKind"), "kvk");
  EXPECT_EQ(attributes.at("by"), "privacy-officer-token");
  EXPECT_EQ(attributes.at("found").to_number<std::int64_t>(), 1);
  EXPECT_EQ(attributes.at("dpl.core.data_subject_id").as_string(), hex);
  // The recorded lookup names the subject too, so the next request finds it.
  EXPECT_EQ(access.perform(kvk_, "kvk", "cli", pa_->transport()).exchanges.size(), 2u);
}

TEST_F(SubjectAccessTest, WithoutExchangesOnlyThePseudonymIsComputedAndTheLookupStillRecorded) {
  pv::SubjectAccess access(*store_, *pseudonymiser_, log_.get(), now_);
  access.perform(kvk_, "kvk", "cli", pa_->transport());
  auto found = access.perform(kvk_, "kvk", "cli", pa_->transport(), false);
  EXPECT_TRUE(found.exchanges.empty());
  auto lookups = performed();
  ASSERT_EQ(lookups.size(), 2u);
  EXPECT_EQ(json::parse(lookups[0].leaf).at("attributes").at("found").to_number<std::int64_t>(), 0);  // newest first
}

TEST_F(SubjectAccessTest, AnUnreachablePaIsReportedAndNothingIsRecorded) {
  OfflineTransport offline;
  pv::SubjectAccess access(*store_, *pseudonymiser_, log_.get(), now_);
  EXPECT_THROW(access.perform(kvk_, "kvk", "cli", offline), pv::PseudonymisationUnavailable);
  EXPECT_TRUE(performed().empty());
  // Without an audit log the lookup still answers.
  pv::SubjectAccess unlogged(*store_, *pseudonymiser_, nullptr, now_);
  EXPECT_NO_THROW(unlogged.perform(kvk_, "kvk", "cli", pa_->transport()));
  EXPECT_TRUE(performed().empty());
}

// Erasure through the owner: a withdrawn signal's links go, and its queued
// identifiers unless another signal still needs them.
TEST_F(SubjectAccessTest, ForgetLinksKeepsQueueEntriesAnotherSignalNeeds) {
  sg::SignalRepository repo(*store_, data_key_);
  auto make = [&] {
    auto r = sg::parse_signal(
        R"({"category":"labour.debt_bondage","observedOn":"2026-11-20","subjects":[{"kind":"organisation","kvk":"12345678"}]})",
        signalnode::policies::Taxonomy::builtin(), sys_days{year{2026} / 11 / 24});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().field);
    sg::Signal s = r.value();
    s.id = c::random_hex_id(16);
    s.created_at_ms = 1000;
    s.submitted_by = "t";
    store_->write(repo.insert_job(s, sg::prepare_identifiers(s, *pseudonymiser_)));
    return s.id;
  };
  std::string first = make(), second = make();
  auto links = [&](const std::string& id) {
    return store_->read([&](st::Database& db) { return pseudonymiser_->links_of(db, id).size(); });
  };
  EXPECT_EQ(links(first), 1u);
  EXPECT_EQ(pseudonymiser_->stats().depth, 1) << "one queue entry for the identifier both signals name";

  store_->write([&](st::Database& db) { ps::Pseudonymiser::forget_links(db, first); });
  EXPECT_EQ(links(first), 0u);
  EXPECT_EQ(links(second), 1u);
  EXPECT_EQ(pseudonymiser_->stats().depth, 1) << "the second signal still waits for it";

  store_->write([&](st::Database& db) { ps::Pseudonymiser::forget_links(db, second); });
  EXPECT_EQ(pseudonymiser_->stats().depth, 0);
}
