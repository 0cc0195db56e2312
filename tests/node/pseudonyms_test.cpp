// The pseudonymisation authority's service and every node's client side.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.hpp"
#include "crypto/random.hpp"
#include "node/pseudonyms/oprf_keyring.hpp"
#include "node/pseudonyms/pa_service.hpp"
#include "tests/support/local_pa.hpp"
#include "node/pseudonyms/pseudonymiser.hpp"
#include "node/signals/signal_json.hpp"
#include "node/signals/signal_repository.hpp"
#include "node/storage/schema.hpp"

namespace fs = std::filesystem;
namespace c = signalnode::crypto;
namespace o = signalnode::crypto::oprf;
namespace ps = signalnode::node::pseudonyms;
namespace sg = signalnode::node::signals;
namespace st = signalnode::node::storage;
namespace p = signalnode::protocol;
using namespace std::chrono;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr const char* kOwn = "00000001002220647000";

// A transport that can be switched off, counting what reaches the PA.
class SwitchableTransport : public ps::OprfTransport {
 public:
  explicit SwitchableTransport(signalnode::testing::LocalPa& pa) : local_(pa.transport()) {}
  std::size_t max_batch() const override { return 1000; }
  ps::PaAnswer evaluate(std::span<const o::Element> blinded) override {
    if (!online) throw ps::TransportError("PA unreachable (test)");
    calls += 1;
    elements += blinded.size();
    return local_.evaluate(blinded);
  }
  bool online = true;
  int calls = 0;
  std::size_t elements = 0;

 private:
  ps::OprfTransport& local_;
};

}  // namespace

class PseudonymTest : public ::testing::Test {
 protected:
  void SetUp() override {
    c::init();
    ps::OprfKeyring::create_next_epoch(dir_ / "oprf");
    pa_ = std::make_unique<ps::PaService>(ps::OprfKeyring::load(dir_ / "oprf"), ps::PaLimits{},
                                          [this](const std::string& caller, std::size_t count, int) {
                                            observed_.emplace_back(caller, count);
                                          });
  }

  std::vector<o::Element> blinded(std::size_t n) {
    std::vector<o::Element> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(o::blind(c::as_bytes("kvk:1234567" + std::to_string(i % 10)))->blinded_element);
    return out;
  }

  sg::Signal signal(const std::string& subjects_json) {
    auto r = sg::parse_signal(R"({"category":"labour.debt_bondage","observedOn":"2026-11-20","subjects":)" +
                                  subjects_json + "}",
                              signalnode::policies::Taxonomy::builtin(), sys_days{year{2026} / 11 / 24});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().field);
    sg::Signal s = r.value();
    s.id = c::random_hex_id(16);
    s.created_at_ms = 1000;
    s.submitted_by = "t";
    return s;
  }

  signalnode::testing::TempDir dir_{"sn-pseudo-"};
  std::unique_ptr<ps::PaService> pa_;
  std::vector<std::pair<std::string, std::size_t>> observed_;
  std::int64_t now_ms_ = 1'000'000;
};

TEST_F(PseudonymTest, KeyringCreatesEpochsAs0600AndServesTheNewest) {
  struct stat s {};
  ASSERT_EQ(::stat((dir_ / "oprf" / "epoch-0001.key").c_str(), &s), 0);
  EXPECT_EQ(s.st_mode & 0777, 0600u);
  EXPECT_EQ(ps::OprfKeyring::create_next_epoch(dir_ / "oprf"), 2);
  auto ring = ps::OprfKeyring::load(dir_ / "oprf");
  EXPECT_EQ(ring.current_epoch(), 2);
  ASSERT_NE(ring.at(1), nullptr);
  EXPECT_EQ(ring.at(3), nullptr);
  EXPECT_THROW(ps::OprfKeyring::load(dir_ / "nothing"), std::runtime_error);
}

TEST_F(PseudonymTest, PaEvaluatesValidBatchesAndRecordsOnlyTheCount) {
  auto batch = blinded(5);
  auto result = pa_->evaluate("nla", batch);
  auto* answer = std::get_if<ps::PaAnswer>(&result);
  ASSERT_NE(answer, nullptr);
  EXPECT_EQ(answer->evaluated.size(), 5u);
  EXPECT_EQ(answer->key_epoch, 1);
  ASSERT_EQ(observed_.size(), 1u);
  EXPECT_EQ(observed_[0], (std::pair<std::string, std::size_t>{"nla", 5}));
}

TEST_F(PseudonymTest, PaRejectsEmptyOversizeAndInvalidBatchesWithoutWork) {
  auto field = [](const ps::PaResult& r) {
    auto* refusal = std::get_if<ps::PaRefusal>(&r);
    if (!refusal) return std::string("served");
    return std::string(refusal->kind == ps::PaRefusal::Kind::invalid ? "invalid " : "refused ") + refusal->error.field;
  };
  EXPECT_EQ(field(pa_->evaluate("nla", {})), "invalid blindedElements");
  EXPECT_EQ(field(pa_->evaluate("nla", blinded(1001))), "invalid blindedElements");
  auto batch = blinded(3);
  batch[1] = o::Element{};  // identity
  EXPECT_EQ(field(pa_->evaluate("nla", batch)), "invalid blindedElements[1]");
  batch[1].fill(0xff);  // not canonical
  EXPECT_EQ(field(pa_->evaluate("nla", batch)), "invalid blindedElements[1]");
  EXPECT_TRUE(observed_.empty()) << "nothing served, nothing recorded";

  std::string hex = c::to_hex(blinded(1)[0]);
  EXPECT_EQ(field(pa_->evaluate_json("nla", R"({"blindedElements":[")" + hex + R"("]})")), "served");
  EXPECT_EQ(field(pa_->evaluate_json("nla", R"({"blindedElements":[")" + hex.substr(2) + R"("]})")),
            "invalid blindedElements[0]");
  EXPECT_EQ(field(pa_->evaluate_json("nla", R"({"blindedElements":["zz)" + hex.substr(2) + R"("]})")),
            "invalid blindedElements[0]");
  EXPECT_EQ(field(pa_->evaluate_json("nla", R"({"blindedElements":[]})")), "invalid blindedElements");
  EXPECT_EQ(field(pa_->evaluate_json("nla", R"({"blindedElements":[")" + hex + R"("],"x":1})")), "invalid x");
  EXPECT_EQ(field(pa_->evaluate_json("nla", "[[[[[[[]]]]]]]")), "invalid body");
  EXPECT_EQ(field(pa_->evaluate_json("nla", std::string(200'000, ' '))), "invalid body");
  std::string many = R"({"blindedElements":[)";
  for (int i = 0; i < 1001; ++i) many += std::string(i ? "," : "") + "\"" + hex + "\"";
  EXPECT_EQ(field(pa_->evaluate_json("nla", many + "]}")), "invalid blindedElements");
}

TEST_F(PseudonymTest, PaRateLimitsEachPartnerSeparately) {
  ps::PaService limited(ps::OprfKeyring::load(dir_ / "oprf"), ps::PaLimits{.max_batch = 1000, .elements_per_second = 100, .burst = 1000, .budget = {}, .partner_budgets = {}});
  auto t0 = signalnode::node::limits::RateLimiter::Clock::now();
  auto batch = blinded(1000);
  EXPECT_TRUE(std::holds_alternative<ps::PaAnswer>(limited.evaluate("nla", batch, t0)));
  auto again = limited.evaluate("nla", batch, t0);
  auto* refusal = std::get_if<ps::PaRefusal>(&again);
  ASSERT_NE(refusal, nullptr);
  EXPECT_EQ(refusal->kind, ps::PaRefusal::Kind::rate_limited);
  EXPECT_GT(refusal->retry_after_seconds, 9.0);
  EXPECT_TRUE(std::holds_alternative<ps::PaAnswer>(limited.evaluate("snf", batch, t0))) << "other partners unaffected";
  EXPECT_TRUE(std::holds_alternative<ps::PaAnswer>(limited.evaluate("nla", batch, t0 + seconds(10))));
}

TEST_F(PseudonymTest, AnswerJsonRoundTripsAndBadAnswersAreRefused) {
  auto batch = blinded(2);
  auto answer = std::get<ps::PaAnswer>(pa_->evaluate("nla", batch));
  std::string json = ps::pa_answer_json(answer);
  auto back = ps::parse_pa_answer(json, 2);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->evaluated, answer.evaluated);
  EXPECT_EQ(back->key_epoch, 1);
  EXPECT_FALSE(ps::parse_pa_answer(json, 3));
  EXPECT_FALSE(ps::parse_pa_answer(R"({"evaluatedElements":[],"suite":"P256-SHA256","keyEpoch":1})", 0));
  auto request = boost::json::parse(ps::pa_request_json(batch));
  EXPECT_EQ(request.at("blindedElements").as_array().size(), 2u);
}

TEST_F(PseudonymTest, SignalsAreAcceptedWhilePaIsAwayAndPseudonymisedOnceWhenBack) {
  c::AeadKey key = c::generate_aead_key();
  signalnode::testing::LocalPa local_pa(dir_ / "oprf");
  SwitchableTransport transport(local_pa);
  transport.online = false;
  auto s1 = signal(R"([{"kind":"person","bsn":"123456782"},{"kind":"organisation","kvk":"12345678"}])");
  auto s2 = signal(R"([{"kind":"organisation","kvk":"12345678"},{"kind":"address","postcode":"1431AB","houseNumber":12}])");
  {
    st::Store store(dir_ / "node.db", st::node_migrations());
    sg::SignalRepository repo(store, key);
    ps::Pseudonymiser pseudo(store, key, [this] { return now_ms_; }, kOwn);
    store.write(repo.insert_job(s1, sg::prepare_identifiers(s1, pseudo)));
    store.write(repo.insert_job(s2, sg::prepare_identifiers(s2, pseudo)));
    EXPECT_EQ(pseudo.stats().depth, 3) << "the shared KvK is queued once";

    auto pass = pseudo.process_pending(transport);
    EXPECT_EQ(pass.failed, 3u);
    EXPECT_EQ(pseudo.stats().depth, 3);
    EXPECT_EQ(pseudo.stats().last_error, "PA unreachable (test)");
    EXPECT_EQ(pseudo.process_pending(transport).failed, 0u) << "backing off";
  }
  // The node restarts; the PA comes back later.
  st::Store store(dir_ / "node.db", st::node_migrations());
  ps::Pseudonymiser pseudo(store, key, [this] { return now_ms_; }, kOwn);
  EXPECT_EQ(pseudo.stats().depth, 3) << "the queue survives a restart";
  transport.online = true;
  now_ms_ += 10'000;
  auto pass = pseudo.process_pending(transport);
  EXPECT_EQ(pass.computed, 3u);
  EXPECT_EQ(transport.elements, 3u);
  EXPECT_EQ(pseudo.stats().depth, 0);
  EXPECT_EQ(pseudo.stats().cached, 3);
  EXPECT_EQ(pseudo.process_pending(transport).computed, 0u) << "nothing twice";
  EXPECT_EQ(transport.elements, 3u);

  // The cached pseudonym is the VOPRF of this node's OIN and the canonical
  // identifier under the PA key (BRIEF 3.8).
  p::CanonicalId kvk{p::IdKind::kvk, "12345678"};
  auto cached = pseudo.cached(kvk);
  ASSERT_TRUE(cached);
  EXPECT_EQ(*cached, local_pa.pseudonym(std::string(kOwn) + ":kvk:12345678"));

  // A later signal naming a known identifier queues nothing new.
  sg::SignalRepository repo(store, key);
  auto s3 = signal(R"([{"kind":"organisation","kvk":"12345678"}])");
  store.write(repo.insert_job(s3, sg::prepare_identifiers(s3, pseudo)));
  EXPECT_EQ(pseudo.stats().depth, 0);
  int links = store.read([](st::Database& db) {
    auto q = db.prepare("SELECT count(*) FROM signal_identifiers");
    q.step();
    return static_cast<int>(q.int64(0));
  });
  EXPECT_EQ(links, 5);
}

TEST_F(PseudonymTest, NothingIdentifyingIsStoredInTheClear) {
  c::AeadKey key = c::generate_aead_key();
  signalnode::testing::LocalPa local_pa(dir_ / "oprf");
  SwitchableTransport transport(local_pa);
  std::string pseudonym_hex;
  {
    st::Store store(dir_ / "node.db", st::node_migrations());
    sg::SignalRepository repo(store, key);
    ps::Pseudonymiser pseudo(store, key, [this] { return now_ms_; }, kOwn);
    auto s = signal(R"([{"kind":"person","bsn":"123456782"}])");
    store.write(repo.insert_job(s, sg::prepare_identifiers(s, pseudo)));
    std::string queued = slurp(dir_ / "node.db") + slurp(dir_ / "node.db-wal");
    EXPECT_EQ(queued.find("123456782"), std::string::npos);
    EXPECT_EQ(pseudo.process_pending(transport).computed, 1u);
    auto out = pseudo.cached({p::IdKind::bsn, "123456782"});
    ASSERT_TRUE(out);
    pseudonym_hex = c::to_hex(*out);
  }
  std::string bytes = slurp(dir_ / "node.db") + slurp(dir_ / "node.db-wal");
  EXPECT_EQ(bytes.find("123456782"), std::string::npos);
  auto raw = c::from_hex(pseudonym_hex);
  EXPECT_EQ(bytes.find(std::string(raw->begin(), raw->begin() + 16)), std::string::npos) << "pseudonyms sealed too";
}

TEST_F(PseudonymTest, PseudonymiseNowUsesTheCacheOrThePa) {
  c::AeadKey key = c::generate_aead_key();
  signalnode::testing::LocalPa local_pa(dir_ / "oprf");
  SwitchableTransport transport(local_pa);
  st::Store store(dir_ / "node.db", st::node_migrations());
  ps::Pseudonymiser pseudo(store, key, [this] { return now_ms_; }, kOwn);
  p::CanonicalId id{p::IdKind::iban, "NL91ABNA0417164300"};
  auto first = pseudo.pseudonymise_now(id, transport);
  auto second = pseudo.pseudonymise_now(id, transport);
  EXPECT_EQ(first, second);
  EXPECT_EQ(transport.calls, 1);
  transport.online = false;
  EXPECT_THROW((void)pseudo.pseudonymise_now({p::IdKind::kvk, "87654321"}, transport), ps::TransportError);
}

// One queue row that does not decrypt (damaged in storage, or sealed under
// another key) is set aside with its reason; the rows after it are
// pseudonymised in the same pass, and it is not tried again.
TEST_F(PseudonymTest, AQueueRowThatDoesNotDecryptIsSetAsideAndTheRestGoOn) {
  c::AeadKey key = c::generate_aead_key();
  signalnode::testing::LocalPa local_pa(dir_ / "oprf");
  SwitchableTransport transport(local_pa);
  st::Store store(dir_ / "node.db", st::node_migrations());
  sg::SignalRepository repo(store, key);
  ps::Pseudonymiser pseudo(store, key, [this] { return now_ms_; }, kOwn);
  auto bad = signal(R"([{"kind":"person","bsn":"123456782"}])");
  bad.created_at_ms = 500;  // queued first: it comes before the others in the pass
  auto good = signal(R"([{"kind":"organisation","kvk":"12345678"},{"kind":"account","iban":"NL91ABNA0417164300"},
                         {"kind":"address","postcode":"1431AB","houseNumber":12}])");
  auto bad_rows = sg::prepare_identifiers(bad, pseudo);
  ASSERT_EQ(bad_rows.size(), 1u);
  const c::LookupKey bad_key = bad_rows[0].lookup_key;
  store.write(repo.insert_job(bad, std::move(bad_rows)));
  store.write(repo.insert_job(good, sg::prepare_identifiers(good, pseudo)));
  // Damage the first row's sealed identifier in the database itself.
  store.write([&](st::Database& db) {
    db.prepare("UPDATE pseudonym_queue SET sealed_input = randomblob(length(sealed_input)) WHERE lookup_key = ?")
        .bind_blob(1, bad_key)
        .run();
    EXPECT_EQ(db.changes(), 1);
  });

  auto pass = pseudo.process_pending(transport);
  EXPECT_EQ(pass.set_aside, 1u);
  EXPECT_EQ(pass.computed, 3u) << "the rows after the bad one went on in the same pass";
  EXPECT_EQ(pass.failed, 0u);
  EXPECT_EQ(transport.elements, 3u) << "only decryptable rows reach the PA";
  EXPECT_TRUE(pseudo.cached({p::IdKind::kvk, "12345678"}));
  EXPECT_TRUE(pseudo.cached({p::IdKind::iban, "NL91ABNA0417164300"}));
  EXPECT_FALSE(pseudo.cached({p::IdKind::bsn, "123456782"}));
  auto stats = pseudo.stats();
  EXPECT_EQ(stats.depth, 0) << "set aside is not waiting";
  EXPECT_EQ(stats.oldest_ms, 0);
  EXPECT_EQ(stats.set_aside, 1);
  EXPECT_EQ(stats.cached, 3);

  // Kept, with when and why, for an operator.
  struct Row {
    std::string kind;
    std::int64_t at_ms;
    std::string reason;
  };
  auto row = store.read([&](st::Database& db) {
    auto q = db.prepare("SELECT id_kind, set_aside_at_ms, set_aside_reason FROM pseudonym_queue WHERE lookup_key = ?");
    q.bind_blob(1, bad_key);
    std::optional<Row> r;
    if (q.step()) r = Row{q.text(0), q.int64(1), q.text(2)};
    q.reset();
    return r;
  });
  ASSERT_TRUE(row);
  EXPECT_EQ(row->kind, "bsn");
  EXPECT_EQ(row->at_ms, now_ms_);
  EXPECT_NE(row->reason.find("does not decrypt under the data key"), std::string::npos) << row->reason;

  // The next pass does not retry it, also long after any backoff.
  now_ms_ += 3'600'000;
  auto again = pseudo.process_pending(transport);
  EXPECT_EQ(again.set_aside, 0u);
  EXPECT_EQ(again.computed, 0u);
  EXPECT_EQ(transport.calls, 1) << "nothing to ask the PA";
  EXPECT_EQ(pseudo.stats().set_aside, 1);

  // Storing the same identifier again replaces the set-aside row with a fresh one.
  auto later = signal(R"([{"kind":"person","bsn":"123456782"}])");
  store.write(repo.insert_job(later, sg::prepare_identifiers(later, pseudo)));
  EXPECT_EQ(pseudo.stats().set_aside, 0);
  EXPECT_EQ(pseudo.stats().depth, 1);
  EXPECT_EQ(pseudo.process_pending(transport).computed, 1u);
  EXPECT_TRUE(pseudo.cached({p::IdKind::bsn, "123456782"})) << "and both signals naming it have their pseudonym";
}

TEST_F(PseudonymTest, APassWithOnlyBadRowsSetsThemAsideWithoutAskingThePa) {
  c::AeadKey key = c::generate_aead_key();
  c::AeadKey other = c::generate_aead_key();
  signalnode::testing::LocalPa local_pa(dir_ / "oprf");
  SwitchableTransport transport(local_pa);
  st::Store store(dir_ / "node.db", st::node_migrations());
  sg::SignalRepository repo(store, key);
  ps::Pseudonymiser pseudo(store, key, [this] { return now_ms_; }, kOwn);
  ps::Pseudonymiser foreign(store, other, [this] { return now_ms_; }, kOwn);
  // Rows sealed under another data key (a restored database, a key mix-up).
  auto s = signal(R"([{"kind":"organisation","kvk":"12345678"},{"kind":"person","bsn":"123456782"}])");
  store.write(repo.insert_job(s, sg::prepare_identifiers(s, foreign)));
  auto pass = pseudo.process_pending(transport);
  EXPECT_EQ(pass.set_aside, 2u);
  EXPECT_EQ(pass.computed, 0u);
  EXPECT_EQ(transport.calls, 0);
  EXPECT_EQ(pseudo.stats().set_aside, 2);
  EXPECT_EQ(pseudo.stats().depth, 0);
}
