// The audit log: verification, tamper detection for each kind of edit, and an
// export checked by a verifier written here from RFC 9162 and BRIEF 3.7, not
// by the writer's own code.
#include <gtest/gtest.h>

#include <fstream>
#include <openssl/evp.h>
#include <sodium.h>

#include <boost/json.hpp>

#include <filesystem>
#include <set>
#include <sstream>

#include "tests/support/temp_dir.hpp"
#include "crypto/random.hpp"
#include "node/audit/audit_log.hpp"
#include "node/audit/audit_report.hpp"
#include "node/audit/processing_register.hpp"
#include "node/storage/schema.hpp"

namespace fs = std::filesystem;
namespace c = signalnode::crypto;
namespace a = signalnode::node::audit;
namespace st = signalnode::node::storage;
namespace json = boost::json;

namespace {

// --- an independent verifier (OpenSSL SHA-256, recursive MTH, libsodium) ---
using H = std::array<unsigned char, 32>;
H sha256_of(const std::vector<unsigned char>& data) {
  H out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}
H mth(const std::vector<H>& leaves, std::size_t from, std::size_t n) {
  if (n == 1) return leaves[from];
  std::size_t k = 1;
  while (k * 2 < n) k *= 2;
  H l = mth(leaves, from, k), r = mth(leaves, from + k, n - k);
  std::vector<unsigned char> in = {0x01};
  in.insert(in.end(), l.begin(), l.end());
  in.insert(in.end(), r.begin(), r.end());
  return sha256_of(in);
}
std::string independent_verify(const std::string& jsonl) {
  std::istringstream lines(jsonl);
  std::vector<H> leaves;
  for (std::string line; std::getline(lines, line);) {
    json::object o = json::parse(line).as_object();
    if (o.at("type") == "entry") {
      if (o.at("index").as_int64() != static_cast<std::int64_t>(leaves.size())) return "index out of order";
      auto b64 = std::string(o.at("leaf").as_string());
      std::vector<unsigned char> leaf(b64.size());
      std::size_t n = 0;
      if (sodium_base642bin(leaf.data(), leaf.size(), b64.data(), b64.size(), nullptr, &n, nullptr,
                            sodium_base64_VARIANT_ORIGINAL) != 0) {
        return "bad base64";
      }
      leaf.resize(n);
      if (json::parse(std::string(leaf.begin(), leaf.end())) != o.at("event")) return "leaf does not match event";
      std::vector<unsigned char> in = {0x00};
      in.insert(in.end(), leaf.begin(), leaf.end());
      leaves.push_back(sha256_of(in));
    } else {
      std::uint64_t size = static_cast<std::uint64_t>(o.at("treeSize").as_int64());
      std::uint64_t ts = static_cast<std::uint64_t>(o.at("timestampMs").as_int64());
      if (size != leaves.size()) return "tree size does not match the entries";
      H root = mth(leaves, 0, leaves.size());
      char hex[65];
      sodium_bin2hex(hex, sizeof hex, root.data(), root.size());
      if (o.at("rootHash").as_string() != hex) return "root hash differs";
      std::vector<unsigned char> msg = {'s', 'i', 'g', 'n', 'a', 'l', 'n', 'o', 'd', 'e', '-', 's', 't', 'h', '-', 'v', '1'};
      for (int i = 7; i >= 0; --i) msg.push_back(static_cast<unsigned char>(size >> (8 * i)));
      for (int i = 7; i >= 0; --i) msg.push_back(static_cast<unsigned char>(ts >> (8 * i)));
      msg.insert(msg.end(), root.begin(), root.end());
      unsigned char sig[64], pk[32];
      std::size_t len = 0;
      auto sig_b64 = std::string(o.at("signature").as_string());
      auto pk_hex = std::string(o.at("publicKey").as_string());
      if (sodium_base642bin(sig, 64, sig_b64.data(), sig_b64.size(), nullptr, &len, nullptr,
                            sodium_base64_VARIANT_ORIGINAL) != 0 || len != 64 ||
          sodium_hex2bin(pk, 32, pk_hex.data(), pk_hex.size(), nullptr, &len, nullptr) != 0 || len != 32) {
        return "bad signature encoding";
      }
      if (crypto_sign_verify_detached(sig, msg.data(), msg.size(), pk) != 0) return "signature does not verify";
      return "ok";
    }
  }
  return "no tree head";
}

}  // namespace

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    c::init();
    store_ = std::make_unique<st::Store>(dir_ / "node.db", st::node_migrations());
    log_ = std::make_unique<a::AuditLog>(*store_, key_, [this] { return ++now_; });
  }
  void TearDown() override {
    log_.reset();
    store_.reset();
  }
  void add(int n) {
    for (int i = 0; i < n; ++i) {
      a::Event e;
      e.name = i % 2 ? "record.received" : "record.sent";
      e.start_ms = e.end_ms = ++now_;
      e.attributes = {{"category", "labour.debt_bondage"}, {"n", i}, {"note", "quote \" and \\ and \n"}};
      e.data_subjects = {std::string(128, 'a')};
      e.partner = "nla";
      log_->append_now(e);
    }
  }
  a::VerifyResult verify() {
    st::Database db(dir_ / "node.db", st::Database::Mode::read_only);
    return a::AuditLog::verify(db, key_.public_key());
  }
  void sql(const std::string& statement) {
    store_->write([&](st::Database& db) { db.exec(statement); });
  }

  c::SigningKey key_ = c::SigningKey::generate();
  signalnode::testing::TempDir dir_{"sn-audit-"};
  std::int64_t now_ = 1'700'000'000'000;
  std::unique_ptr<st::Store> store_;
  std::unique_ptr<a::AuditLog> log_;
};

TEST_F(AuditTest, AnUntouchedLogVerifiesAndTreeHeadsGrow) {
  add(10);
  ASSERT_TRUE(log_->sign_tree_head());
  add(7);
  auto head = log_->sign_tree_head();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->tree_size, 17u);
  EXPECT_FALSE(log_->sign_tree_head()) << "nothing new, nothing signed";
  auto r = verify();
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.events, 17u);
  EXPECT_EQ(r.tree_heads, 2u);
}

TEST_F(AuditTest, EveryKindOfEditIsDetectedAndNamesTheFirstBadIndex) {
  add(12);
  log_->sign_tree_head();
  // A changed event whose stored hash was left alone: exact index.
  sql("UPDATE audit_events SET leaf = replace(leaf, 'record.sent', 'record.EDITED') WHERE idx = 4");
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 4u) << r.message;
  sql("UPDATE audit_events SET leaf = replace(leaf, 'record.EDITED', 'record.sent') WHERE idx = 4");
  ASSERT_TRUE(verify().ok);

  // A changed event with a recomputed hash: the signed tree head catches it.
  sql("UPDATE audit_events SET leaf_hash = zeroblob(32) WHERE idx = 7");
  r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 7u);
}

TEST_F(AuditTest, RemovedReorderedAndTruncatedEventsAreDetected) {
  add(12);
  log_->sign_tree_head();
  // Removed from the middle.
  sql("CREATE TABLE saved AS SELECT * FROM audit_events");
  sql("DELETE FROM audit_events WHERE idx = 5");
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 5u) << r.message;
  sql("INSERT INTO audit_events SELECT * FROM saved WHERE idx = 5");
  ASSERT_TRUE(verify().ok);

  // Reordered: two events swapped with their hashes.
  sql("UPDATE audit_events SET idx = -1 WHERE idx = 2");
  sql("UPDATE audit_events SET idx = 2 WHERE idx = 3");
  sql("UPDATE audit_events SET idx = 3 WHERE idx = -1");
  r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 0u) << "the range the tree head covers: " << r.message;
  sql("DELETE FROM audit_events");
  sql("INSERT INTO audit_events SELECT * FROM saved");
  ASSERT_TRUE(verify().ok);

  // Truncated: the last events removed.
  sql("DELETE FROM audit_events WHERE idx >= 10");
  r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 10u) << r.message;
}

TEST_F(AuditTest, InsertedEventsAreDetected) {
  add(6);
  log_->sign_tree_head();
  sql("CREATE TABLE saved AS SELECT * FROM audit_events");
  // Insert a forged event at index 3, shifting the rest up.
  sql("UPDATE audit_events SET idx = idx + 100 WHERE idx >= 3");
  sql("UPDATE audit_events SET idx = idx - 99 WHERE idx >= 103");
  sql("INSERT INTO audit_events (idx, leaf, leaf_hash, name, time_ms, partner, category) "
      "SELECT 3, leaf, leaf_hash, name, time_ms, partner, category FROM saved WHERE idx = 0");
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_index, 0u) << r.message;
}

TEST_F(AuditTest, ExportFollowsTheBriefAndAnIndependentVerifierAcceptsIt) {
  add(37);
  std::ostringstream out;
  log_->export_jsonl(out);
  EXPECT_EQ(independent_verify(out.str()), "ok");
  // Each event has the Logboek fields.
  std::istringstream lines(out.str());
  std::string first;
  std::getline(lines, first);
  auto event = json::parse(first).at("event").as_object();
  for (const char* field : {"traceId", "spanId", "name", "status", "startTimeMs", "endTimeMs", "attributes"}) {
    EXPECT_TRUE(event.contains(field)) << field;
  }
  EXPECT_EQ(event.at("traceId").as_string().size(), 32u);
  EXPECT_EQ(event.at("spanId").as_string().size(), 16u);
  // A tampered export fails the independent verifier.
  std::string tampered = out.str();
  tampered.replace(tampered.find("record.sent"), 11, "record.sEnt");
  EXPECT_NE(independent_verify(tampered), "ok");
}

TEST(AuditTraceparent, ParsesW3cTraceContext) {
  auto t = a::parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->first, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t->second, "00f067aa0ba902b7");
  EXPECT_FALSE(a::parse_traceparent("00-XYZ"));
  // Invalid by the standard: all-zero ids, flags that are not hex, upper case, another version.
  EXPECT_FALSE(a::parse_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
  EXPECT_FALSE(a::parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));
  EXPECT_FALSE(a::parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz"));
  EXPECT_FALSE(a::parse_traceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(a::parse_traceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
}

TEST_F(AuditTest, RetentionPrunesContentsButTheLogStillVerifies) {
  add(10);  // times now_+1 .. now_+10
  log_->sign_tree_head();
  auto cutoff = now_ - 4;  // the first ~6 events are older
  auto pruned = log_->prune_before(cutoff);
  EXPECT_GT(pruned, 0);
  auto r = verify();
  EXPECT_TRUE(r.ok) << r.message;
  std::ostringstream out;
  log_->export_jsonl(out);
  EXPECT_NE(out.str().find("\"type\":\"pruned\""), std::string::npos);
  EXPECT_NE(out.str().find("audit.pruned"), std::string::npos);
  auto subjects = store_->read([&](st::Database& db) {
    auto s = db.prepare("SELECT count(*) FROM audit_subjects s JOIN audit_events e ON e.idx = s.idx WHERE e.leaf IS NULL");
    s.step();
    return s.int64(0);
  });
  EXPECT_EQ(subjects, 0) << "no subject index for pruned events";
  // A pruned event's hash is still bound by the signed tree head.
  sql("UPDATE audit_events SET leaf_hash = zeroblob(32) WHERE idx = 1");
  EXPECT_FALSE(verify().ok);
}

TEST_F(AuditTest, ARangeExportCarriesInclusionProofsThatVerify) {
  add(20);
  std::ostringstream out;
  log_->export_jsonl(out, now_ - 10, now_ - 5);
  std::vector<json::object> entries;
  json::object sth;
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) {
    json::object o = json::parse(line).as_object();
    (o.at("type") == "sth" ? sth : entries.emplace_back()) = o;
  }
  ASSERT_FALSE(entries.empty());
  EXPECT_LT(entries.size(), 20u);
  auto root = c::from_hex(sth.at("rootHash").as_string());
  c::Digest256 r{};
  std::copy(root->begin(), root->end(), r.begin());
  for (const auto& e : entries) {
    auto leaf = c::from_base64(e.at("leaf").as_string());
    std::vector<c::Digest256> proof;
    for (const auto& p : e.at("inclusionProof").as_array()) {
      auto b = c::from_hex(p.as_string());
      c::Digest256 d{};
      std::copy(b->begin(), b->end(), d.begin());
      proof.push_back(d);
    }
    EXPECT_TRUE(c::merkle::verify_inclusion(c::merkle::leaf_hash(*leaf), static_cast<std::uint64_t>(e.at("index").as_int64()),
                                            static_cast<std::uint64_t>(sth.at("treeSize").as_int64()), proof, r));
  }
}

// A privacy officer opens the report in a spreadsheet. Text that reached the log
// from elsewhere (a partner's name, a category, a purpose) must never run as a
// formula, also when white space, TAB, CR or LF comes before = + - @.
TEST_F(AuditTest, TheCsvReportNeverHandsASpreadsheetAFormula) {
  const std::vector<std::string> attacks = {"=HYPERLINK(\"http://evil\")", " =1+1", "\t=1+1", "\r=1+1", "\n=1+1",
                                            "\r\n@SUM(A1)", "  +31", " \t-2+3", "\tplain", "\rplain"};
  for (const auto& text : attacks) {
    a::Event e;
    e.name = "record.sent";
    e.start_ms = e.end_ms = ++now_;
    e.attributes = {{"partner", text}, {"category", text}, {"purpose", text}};
    log_->append_now(e);
  }
  std::ostringstream out;
  {
    st::Database db(dir_ / "node.db", st::Database::Mode::read_only);
    a::write_report_csv(db, out);
  }
  const std::string report = out.str();
  for (const auto& text : attacks) {
    std::string quoted = text;
    for (std::size_t at = 0; (at = quoted.find('"', at)) != std::string::npos; at += 2) quoted.insert(at, 1, '"');
    EXPECT_EQ(report.find("\"" + quoted), std::string::npos) << "unguarded cell " << quoted;
    EXPECT_NE(report.find("\"'" + quoted + "\""), std::string::npos) << "guarded cell missing " << quoted;
  }
  // Ordinary values stay as they are; a minus or at sign later in the text is no formula.
  EXPECT_EQ(a::csv_cell("nla"), "\"nla\"");
  EXPECT_EQ(a::csv_cell("labour.debt_bondage"), "\"labour.debt_bondage\"");
  EXPECT_EQ(a::csv_cell("art. 6(1)(e) - public task"), "\"art. 6(1)(e) - public task\"");
  EXPECT_EQ(a::csv_cell("   "), "\"   \"");
  EXPECT_EQ(a::csv_cell(""), "\"\"");
  EXPECT_EQ(a::csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(a::csv_cell(" @x"), "\"' @x\"");
}

// Issue 18: a clock set back never dates a tree head before the one before
// it, and a log whose tree heads go back in time fails verification, even
// when every signature is valid (a key holder re-dating its log).
TEST_F(AuditTest, TreeHeadTimesNeverGoBackwardsAndALogWhoseTimesDoFailsToVerify) {
  add(3);
  auto first = log_->sign_tree_head();
  ASSERT_TRUE(first);
  now_ -= 86'400'000;  // the clock jumps a day back
  add(2);
  auto second = log_->sign_tree_head();
  ASSERT_TRUE(second);
  EXPECT_GE(second->timestamp_ms, first->timestamp_ms);
  EXPECT_TRUE(verify().ok) << verify().message;

  // Re-dated by someone with the key: valid signature, earlier time.
  const std::int64_t earlier = first->timestamp_ms - 1000;
  auto signature = key_.sign(a::tree_head_message(second->tree_size, earlier, second->root_hash));
  store_->write([&](st::Database& db) {
    db.cached("UPDATE audit_tree_heads SET timestamp_ms = ?, signature = ? WHERE tree_size = ?")
        .bind(1, earlier)
        .bind_blob(2, signature)
        .bind(3, static_cast<std::int64_t>(second->tree_size))
        .run();
  });
  auto r = verify();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("time goes backwards"), std::string::npos) << r.message;
}

// Issue 18: a log whose newest events and tree heads were removed, or whose
// tree heads all went, verifies on its own; against the newest signed tree
// head kept outside the database it does not, and a node refuses to start.
TEST_F(AuditTest, ACutTailOrRemovedTreeHeadsFailAgainstTheCopyKeptOutsideTheDatabase) {
  const auto copy = dir_ / "audit-head.json";
  log_->keep_head_copy(copy);
  add(10);
  ASSERT_TRUE(log_->sign_tree_head());
  add(5);
  auto newest = log_->sign_tree_head();
  ASSERT_TRUE(newest);
  auto kept = a::AuditLog::read_head_copy(copy);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->tree_size, 15u);
  EXPECT_EQ(kept->root_hash, newest->root_hash);
  {
    st::Database db(dir_ / "node.db", st::Database::Mode::read_only);
    EXPECT_TRUE(a::AuditLog::verify(db, key_.public_key(), kept).ok);
    EXPECT_FALSE(a::AuditLog::check_against_copy(db, *kept));
  }
  add(3);  // newer events than the copy: still honest
  {
    st::Database db(dir_ / "node.db", st::Database::Mode::read_only);
    EXPECT_TRUE(a::AuditLog::verify(db, key_.public_key(), kept).ok);
  }

  // The newest events and their tree head go (a lost WAL, an older copy).
  sql("DELETE FROM audit_events WHERE idx >= 10; DELETE FROM audit_tree_heads WHERE tree_size > 10;");
  EXPECT_TRUE(verify().ok) << "on its own the shortened log looks whole";
  {
    st::Database db(dir_ / "node.db", st::Database::Mode::read_only);
    auto r = a::AuditLog::verify(db, key_.public_key(), kept);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.message.find("removed or lost"), std::string::npos) << r.message;
    auto why = a::AuditLog::check_against_copy(db, *kept);
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("committed work was lost"), std::string::npos) << *why;
  }
}

TEST_F(AuditTest, AllTreeHeadsRemovedFailAgainstTheCopy) {
  const auto copy = dir_ / "audit-head.json";
  log_->keep_head_copy(copy);
  add(8);
  ASSERT_TRUE(log_->sign_tree_head());
  auto kept = a::AuditLog::read_head_copy(copy);
  sql("DELETE FROM audit_tree_heads;");
  st::Database db(dir_ / "node.db", st::Database::Mode::read_only);
  auto r = a::AuditLog::verify(db, key_.public_key(), kept);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("tree heads were removed"), std::string::npos) << r.message;
  auto why = a::AuditLog::check_against_copy(db, *kept);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("tree heads were removed"), std::string::npos) << *why;
}

TEST_F(AuditTest, ADamagedOrForeignCopyIsNamed) {
  const auto copy = dir_ / "audit-head.json";
  std::ofstream(copy) << "{\"treeSize\": 3";
  EXPECT_THROW((void)a::AuditLog::read_head_copy(copy), std::runtime_error);
  EXPECT_FALSE(a::AuditLog::read_head_copy(dir_ / "absent.json"));
  log_->keep_head_copy(copy);
  add(4);
  ASSERT_TRUE(log_->sign_tree_head());
  auto kept = a::AuditLog::read_head_copy(copy);
  kept->signature[0] ^= 1;
  st::Database db(dir_ / "node.db", st::Database::Mode::read_only);
  auto r = a::AuditLog::verify(db, key_.public_key(), kept);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("not signed by this node"), std::string::npos) << r.message;
}

// Logboek Dataverwerkingen (issue 24): an event about three data subjects is
// three records, child spans of one operation under one trace, each naming
// its own subject; every record names a processing activity; and the export
// of such records still verifies with the independent BRIEF 3.7 verifier
// above: conformance changes what events say, not how they are signed.
TEST_F(AuditTest, AnEventAboutThreeSubjectsIsThreeLdvRecordsThatStillVerify) {
  a::Event e;
  e.name = "case.opened";
  e.start_ms = e.end_ms = ++now_;
  e.trace_id = std::string(32, 'c');
  e.attributes = {{"caseId", "k1"}, {"dataSubjects", json::array{"stale"}}};
  e.data_subjects = {std::string(128, 'a'), std::string(128, 'b'), std::string(128, 'a'), "not-a-pseudonym",
                     std::string(128, 'c')};
  std::uint64_t first = 0;
  store_->write([&](st::Database& db) { first = a::AuditLog::append(db, e); });
  EXPECT_EQ(first, 0u);
  a::Event login;
  login.name = "login.failed";
  login.status = "rejected";
  login.start_ms = login.end_ms = ++now_;
  log_->append_now(login);

  std::ostringstream out;
  log_->export_jsonl(out);
  EXPECT_EQ(independent_verify(out.str()), "ok");
  std::vector<json::object> records;
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) {
    auto o = json::parse(line).as_object();
    if (o.at("type") == "entry") records.push_back(o.at("event").as_object());
  }
  ASSERT_EQ(records.size(), 4u) << "three subjects (one named twice, one not a pseudonym), then the log-in";
  std::set<std::string> subjects, spans;
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& r = records[i];
    EXPECT_EQ(r.at("traceId"), e.trace_id.c_str());
    EXPECT_EQ(r.at("parentSpanId"), records[0].at("parentSpanId"));
    EXPECT_EQ(r.at("parentSpanId").as_string().size(), 16u);
    spans.insert(std::string(r.at("spanId").as_string()));
    const auto& attributes = r.at("attributes").as_object();
    subjects.insert(std::string(attributes.at("dpl.core.data_subject_id").as_string()));
    EXPECT_EQ(attributes.at("dpl.core.data_subject_id_type"), "urn:signalnode:pseudonym");
    EXPECT_FALSE(attributes.contains("dataSubjects"));
    EXPECT_EQ(attributes.at("caseId"), "k1");
    EXPECT_EQ(attributes.at("dpl.core.processing_activity_id"), a::default_activity_uri("case.opened").c_str());
  }
  EXPECT_EQ(subjects.size(), 3u);
  EXPECT_EQ(spans.size(), 3u) << "each record its own span";
  // Without subjects: one record, no parent, the node activity of its kind.
  EXPECT_FALSE(records[3].contains("parentSpanId"));
  EXPECT_FALSE(records[3].at("attributes").as_object().contains("dpl.core.data_subject_id"));
  EXPECT_EQ(records[3].at("attributes").at("dpl.core.processing_activity_id"),
            a::default_activity_uri("login.failed").c_str());
  EXPECT_NE(a::default_activity_uri("login.failed"), a::default_activity_uri("case.opened"));
  // Subject access finds exactly the record that names the subject.
  EXPECT_TRUE(verify().ok);
}

// The register of processing activities: a rule's identifier is its content's
// hash, so a changed rule is a new version and an unchanged one keeps its id.
TEST(ProcessingRegisterTest, ARuleGetsANewIdentifierForEachChangeAndKeepsItOtherwise) {
  signalnode::policies::Rule rule;
  rule.id = "all-to-riec";
  rule.description = "all to the RIEC";
  rule.from = {"role:municipality"};
  rule.to = {"role:riec"};
  rule.categories = {"labour.*"};
  rule.pseudonyms = {"kvk"};
  rule.legal_basis = "Wet politiegegevens";
  rule.purpose = "bundling";
  rule.retention_days = 180;
  const auto id = a::rule_activity_id(rule);
  EXPECT_TRUE(id.starts_with("all-to-riec."));
  EXPECT_EQ(id.size(), std::string("all-to-riec.").size() + 16);
  rule.line = 99;  // where it stands in the file is no change of the activity
  EXPECT_EQ(a::rule_activity_id(rule), id);
  auto changed = rule;
  changed.purpose = "bundling and case referral";
  EXPECT_NE(a::rule_activity_id(changed), id);
  changed = rule;
  changed.retention_days = 365;
  EXPECT_NE(a::rule_activity_id(changed), id);
  changed = rule;
  changed.to.push_back("nla");
  EXPECT_NE(a::rule_activity_id(changed), id);
  EXPECT_EQ(a::activity_uri(id), "urn:signalnode:processing-activity:" + id);
  EXPECT_EQ(a::activity_id_of(a::activity_uri(id)), id);
  EXPECT_FALSE(a::activity_id_of("https://elsewhere.example/" + id));
  EXPECT_FALSE(a::activity_id_of("urn:signalnode:processing-activity:a b"));
}
