// `signalnode backup` / `restore` (BRIEF 3.12, issue 18): a backup taken while
// signals are submitted restores into a node that starts, reads every signal
// committed before the backup and whose audit log verifies; the file is 0600;
// without keys not a byte of a key is in it; a wrong passphrase or a damaged,
// altered or hostile archive is refused before anything is written; a signal
// pending at the snapshot and decided again after the restore reaches each
// partner once.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "crypto/ed25519.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_file.hpp"
#include "node/audit/audit_log.hpp"
#include "node/backup/archive.hpp"
#include "node/backup/backup.hpp"
#include "node/config/node_config.hpp"
#include "node/storage/sqlite.hpp"
#include "sharing_fixture.hpp"
#include "test_node.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;
namespace backup = signalnode::node::backup;
namespace crypto = signalnode::crypto;
using signalnode::testing::wait_until;

namespace {

const std::string kSignal = R"({"category":"housing.overcrowding","observedOn":"2026-11-20","persons":14,
  "subjects":[{"kind":"address","postcode":"1431 AB","houseNumber":12}]})";

crypto::SecretBytes secret(std::string s) { return crypto::SecretBytes::take(s); }

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_all(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    work_ = fs::temp_directory_path() / ("sn-backup-" + crypto::random_hex_id(6));
    fs::create_directories(work_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(work_, ec);
  }
  backup::BackupReport take(signalnode::testing::TestNode& node, const fs::path& out, bool with_keys) {
    backup::BackupOptions o;
    o.dir = node.dir();
    o.out = out;
    o.with_keys = with_keys;
    o.passphrase = with_keys ? &passphrase_ : nullptr;
    o.cost = crypto::interactive_passphrase_cost();
    return backup::create_backup(o);
  }
  backup::RestoreReport restore(const fs::path& in, const fs::path& dir, const std::string& pass = "correct horse battery") {
    backup::RestoreOptions o;
    o.in = in;
    o.dir = dir;
    o.passphrase = [pass] { return secret(pass); };
    return backup::restore_backup(o);
  }
  // Nothing of a refused restore is left: no target, no half-written folder beside it.
  void expect_nothing_written(const fs::path& target) {
    EXPECT_FALSE(fs::exists(target)) << target;
    for (const auto& e : fs::directory_iterator(target.parent_path())) {
      EXPECT_EQ(e.path().filename().string().find(".restoring-"), std::string::npos) << e.path();
    }
  }
  fs::path work_;
  crypto::SecretBytes passphrase_ = secret("correct horse battery");
};

std::unique_ptr<signalnode::node::net::HttpsClient> client_for(const fs::path& dir, std::uint16_t port) {
  signalnode::node::net::ClientOptions options;
  options.trust_anchors_pem = signalnode::node::net::read_text_file(signalnode::node::config::NodePaths{dir}.api_cert());
  options.timeout = std::chrono::seconds(10);
  return std::make_unique<signalnode::node::net::HttpsClient>("127.0.0.1", port, std::move(options));
}

bool contains(const std::string& haystack, crypto::ByteView needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

}  // namespace

TEST_F(BackupTest, ABackupUnderLoadRestoresIntoANodeThatReadsEverySignalCommittedBeforeIt) {
  signalnode::testing::TestNode node;
  std::mutex mutex;
  std::vector<std::string> committed;
  for (int i = 0; i < 200; ++i) {
    auto r = node.call("POST", "/api/v1/signals", kSignal);
    ASSERT_EQ(r.status, 201) << r.body;
    committed.emplace_back(json::parse(r.body).at("id").as_string());
  }
  std::atomic<bool> stop{false};
  std::atomic<int> during{0};
  std::thread load([&] {
    auto client = node.client();
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"Authorization", "Bearer " + node.token("officer")}, {"Content-Type", "application/json"}};
    while (!stop) {
      auto r = client->request("POST", "/api/v1/signals", kSignal, headers);
      if (r.status != 201) continue;
      std::lock_guard<std::mutex> lock(mutex);
      committed.emplace_back(json::parse(r.body).at("id").as_string());
      ++during;
    }
  });
  while (during < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::vector<std::string> before;
  {
    std::lock_guard<std::mutex> lock(mutex);
    before = committed;  // answered 201 before the backup began
  }
  const fs::path archive = work_ / "node.snbackup";
  auto report = take(node, archive, true);
  const int after_start = during;
  while (during < after_start + 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  stop = true;
  load.join();
  std::cout << "backup of " << before.size() << "+ signals under load: " << report.seconds << " s, archive "
            << report.archive_bytes << " bytes, database " << report.database_bytes << " bytes\n";

  struct stat st {};
  ASSERT_EQ(::stat(archive.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the backup is readable by its owner only";
  EXPECT_THROW(take(node, archive, false), std::runtime_error) << "never written over";

  const fs::path restored = work_ / "restored";
  auto r = restore(archive, restored);
  EXPECT_TRUE(r.with_keys);
  EXPECT_TRUE(r.data_key_proven);
  EXPECT_GE(r.signals, static_cast<std::int64_t>(before.size()));
  EXPECT_TRUE(fs::exists(restored / backup::kRestoreMarker));
  EXPECT_TRUE(fs::exists(restored / "manifest.toml") || !fs::exists(node.dir() / "manifest.toml"));
  ASSERT_EQ(::stat((restored / "keys" / "data.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((restored / "keys").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(restored.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  {
    signalnode::node::app::NodeApp app(signalnode::node::app::NodeOptions{restored, 0});
    auto port = app.start();
    auto client = client_for(restored, port);
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"Authorization", "Bearer " + node.token("officer")}};
    for (const auto& id : before) {
      auto got = client->request("GET", "/api/v1/signals/" + id, {}, headers);
      ASSERT_EQ(got.status, 200) << id << " " << got.body;
    }
  }
  signalnode::node::storage::Database db(restored / "signalnode.db",
                                         signalnode::node::storage::Database::Mode::read_only);
  auto key = crypto::SigningKey::from_secret(crypto::read_secret_file(restored / "keys" / "signing.key", 64).view());
  auto verified = signalnode::node::audit::AuditLog::verify(db, key.public_key());
  EXPECT_TRUE(verified.ok) << verified.message;
  EXPECT_GE(verified.events, 1u);
}

TEST_F(BackupTest, WithoutKeysNoKeyByteIsInTheArchiveAndTheRestoreSaysKeysMustComeBack) {
  signalnode::testing::TestNode node;
  ASSERT_EQ(node.call("POST", "/api/v1/signals", kSignal).status, 201);
  // The signed federation configuration's versions are public documents, kept 0600 as the node writes them.
  fs::create_directories(node.dir() / "federation-configuration");
  signalnode::crypto::write_file_atomically(node.dir() / "federation-configuration" / "1.json", "{\"version\":1}");
  signalnode::crypto::write_file_atomically(node.dir() / "federation-configuration" / "applied", "1\n");
  const fs::path archive = work_ / "nokeys.snbackup";
  auto report = take(node, archive, false);
  EXPECT_EQ(report.secret_files, 0u);
  const std::string bytes = read_all(archive);
  auto data_key = crypto::read_secret_file(node.dir() / "keys" / "data.key", 32);
  auto signing_key = crypto::read_secret_file(node.dir() / "keys" / "signing.key", 64);
  EXPECT_FALSE(contains(bytes, data_key.view())) << "the data key";
  EXPECT_FALSE(contains(bytes, data_key.view().subspan(0, 8))) << "not even 8 bytes of it";
  EXPECT_FALSE(contains(bytes, signing_key.view().subspan(0, 32))) << "the signing key's seed";
  const std::string tls_key = read_all(node.dir() / "tls" / "api.key");
  EXPECT_EQ(bytes.find(tls_key.substr(tls_key.size() / 2, 40)), std::string::npos) << "the API private key";
  EXPECT_NE(bytes.find("\"withKeys\":false"), std::string::npos);
  EXPECT_NE(bytes.find("\"secrets\":\"none"), std::string::npos) << "the archive says no secret is in it";

  const fs::path restored = work_ / "restored";
  auto r = restore(archive, restored);
  EXPECT_FALSE(r.with_keys);
  EXPECT_FALSE(fs::exists(restored / "keys"));
  EXPECT_EQ(read_all(restored / "federation-configuration" / "1.json"), "{\"version\":1}") << "the configuration comes back";
  EXPECT_EQ(read_all(restored / "federation-configuration" / "applied"), "1\n");
  EXPECT_THROW(signalnode::node::app::NodeApp(signalnode::node::app::NodeOptions{restored, 0}), std::exception)
      << "no keys, no node";
  // The operator's step: keys/ and tls/api.key back from their own backup.
  fs::copy(node.dir() / "keys", restored / "keys", fs::copy_options::recursive);
  fs::copy_file(node.dir() / "tls" / "api.key", restored / "tls" / "api.key");
  signalnode::node::app::NodeApp app(signalnode::node::app::NodeOptions{restored, 0});
  EXPECT_GT(app.start(), 0);
}

TEST_F(BackupTest, AWrongPassphraseIsAClearErrorAndWritesNothing) {
  signalnode::testing::TestNode node;
  const fs::path archive = work_ / "keys.snbackup";
  take(node, archive, true);
  const fs::path target = work_ / "restored";
  EXPECT_THROW(restore(archive, target, "not the passphrase"), backup::WrongPassphrase);
  expect_nothing_written(target);
  fs::create_directory(target);
  EXPECT_THROW(restore(archive, target, "not the passphrase"), backup::WrongPassphrase);
  EXPECT_TRUE(fs::is_empty(target)) << "an empty target stays empty";
  fs::remove(target);
  // Not into a folder that holds anything.
  fs::create_directory(target);
  write_all(target / "x", "x");
  EXPECT_THROW(restore(archive, target), std::runtime_error);
  EXPECT_EQ(read_all(target / "x"), "x");
}

TEST_F(BackupTest, ADamagedAlteredOrHostileArchiveIsRefusedBeforeAnythingIsWritten) {
  signalnode::testing::TestNode node;
  ASSERT_EQ(node.call("POST", "/api/v1/signals", kSignal).status, 201);
  const fs::path archive = work_ / "good.snbackup";
  take(node, archive, true);
  const std::string good = read_all(archive);
  const fs::path target = work_ / "restored";
  auto refused = [&](const std::string& bytes, const char* what) {
    const fs::path bad = work_ / "bad.snbackup";
    fs::remove(bad);
    write_all(bad, bytes);
    EXPECT_THROW(restore(bad, target), std::runtime_error) << what;
    expect_nothing_written(target);
  };
  // A flipped byte anywhere: in the header, a file, the database, the keys part.
  for (std::size_t at : {std::size_t{20}, good.size() / 3, good.size() / 2, good.size() - 200, good.size() - 1}) {
    std::string b = good;
    b[at] = static_cast<char>(b[at] ^ 0x01);
    refused(b, ("byte " + std::to_string(at)).c_str());
  }
  refused(good.substr(0, good.size() - 1), "truncated");
  refused(good + "x", "appended to");
  refused(std::string("SNBACKUP\0\0\0\2", 12) + good.substr(12), "another version");

  // Hand-made archives whose hashes are right but whose names or sizes are not.
  auto hostile = [&](const std::string& name, std::uint64_t size, std::string content) {
    backup::Header h;
    h.created_at_ms = 1;
    h.org = "x";
    h.node_version = "0";
    backup::Entry cfg{"node.json", 2, crypto::sha256(crypto::as_bytes("{}")), 0};
    backup::Entry e{name, size, crypto::sha256(crypto::as_bytes(content)), 0};
    h.entries = {cfg, e};
    return backup::encode_prefix(h) + "{}" + content;
  };
  refused(hostile("../evil", 4, "evil"), "path traversal");
  refused(hostile("/etc/evil", 4, "evil"), "absolute path");
  refused(hostile("tls/../../evil", 4, "evil"), "traversal inside");
  refused(hostile("signalnode.db-wal", 4, "evil"), "a WAL beside the database");
  refused(hostile("node.json", 2, "{}"), "a name twice");
  refused(hostile("big.crt", 1ull << 40, "evil"), "oversized entry");
  refused(hostile("big.crt", 5, "evil"), "an entry longer than the file");
  // A database someone added a trigger to (the archive's hashes fit it): a
  // trigger would run at the restored node's next write.
  {
    signalnode::testing::TestNode tampered;
    {
      signalnode::node::storage::Database db(tampered.dir() / "signalnode.db",
                                             signalnode::node::storage::Database::Mode::read_write);
      db.exec("CREATE TRIGGER leak AFTER INSERT ON signals BEGIN DELETE FROM audit_events; END");
    }
    const fs::path with_trigger = work_ / "trigger.snbackup";
    take(tampered, with_trigger, false);
    try {
      restore(with_trigger, target);
      ADD_FAILURE() << "a database with a trigger was restored";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("trigger leak that signalnode never makes"), std::string::npos) << e.what();
    }
    expect_nothing_written(target);
  }
  EXPECT_FALSE(backup::valid_entry_path("a/./b"));
  EXPECT_FALSE(backup::valid_entry_path("a//b"));
  EXPECT_FALSE(backup::valid_entry_path(std::string(300, 'a')));
  EXPECT_TRUE(backup::valid_entry_path("keys/oprf/epoch-0001.share"));
}

TEST_F(BackupTest, TheArchiveGoesOutsideTheNodeFolderAndNeverOverAFile) {
  signalnode::testing::TestNode node;
  EXPECT_THROW(take(node, node.dir() / "inside.snbackup", false), std::runtime_error);
  write_all(work_ / "there", "x");
  EXPECT_THROW(take(node, work_ / "there", false), std::runtime_error);
  EXPECT_EQ(read_all(work_ / "there"), "x");
  backup::BackupOptions o;
  o.dir = node.dir();
  o.out = work_ / "short.snbackup";
  o.with_keys = true;
  EXPECT_THROW(backup::create_backup(o), std::invalid_argument) << "no passphrase given";
  auto short_one = secret("too short");
  o.passphrase = &short_one;
  EXPECT_THROW(backup::create_backup(o), std::invalid_argument) << "a passphrase under 12 characters";
  EXPECT_FALSE(fs::exists(o.out));
}

// Issue 18: "a restored snapshot re-decided a pending signal (one duplicate
// at the RIEC)". The signal waits for the PA at the snapshot, is shared after
// it; the node is restored from the snapshot and decides it again: each
// partner still holds one record of it, because the record id is derived.
class RestoreSharingTest : public signalnode::testing::SharingFixture {};

TEST_F(RestoreSharingTest, ASignalDecidedAgainAfterARestoreReachesEachPartnerOnce) {
  static const std::string kLabour = R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
  "municipality":"GM0358","severity":"high","persons":6,
  "subjects":[{"kind":"organisation","role":"temp_agency","kvk":"12345678"}]})";
  apps_[3].reset();  // the RIEC, also the PA: nothing is pseudonymised, the signal waits
  std::string id = submit(0, kLabour);
  const fs::path archive = dir_ / "gemeente.snbackup";
  auto pass = secret("correct horse battery");
  backup::BackupOptions o;
  o.dir = nodes_[0].dir;
  o.out = archive;
  o.with_keys = true;
  o.passphrase = &pass;
  o.cost = crypto::interactive_passphrase_cost();
  backup::create_backup(o);

  start(3);
  ASSERT_TRUE(wait_until([&] {
    auto s = sharing_states(id);
    return s["nla"] == "delivered" && s["riec-amsterdam"] == "delivered";
  }, 30000)) << api(0, "GET", "/api/v1/signals/" + id, "officer").body;
  ASSERT_EQ(inbox(1).size(), 1u);
  ASSERT_EQ(inbox(3).size(), 1u);

  // The disk is lost; the snapshot comes back in its place.
  apps_[0].reset();
  fs::rename(nodes_[0].dir, dir_ / "lost");
  backup::RestoreOptions ro;
  ro.in = archive;
  ro.dir = nodes_[0].dir;
  ro.passphrase = [] { return secret("correct horse battery"); };
  backup::restore_backup(ro);
  start(0);
  ASSERT_TRUE(wait_until([&] {
    auto s = sharing_states(id);
    return s["nla"] == "delivered" && s["riec-amsterdam"] == "delivered";
  }, 30000)) << api(0, "GET", "/api/v1/signals/" + id, "officer").body;
  EXPECT_EQ(inbox(1).size(), 1u) << "no duplicate at the inspectorate";
  EXPECT_EQ(inbox(3).size(), 1u) << "no duplicate at the RIEC";
}

// Issue 18: "left 2,237 records at partners that it can no longer withdraw or
// correct". A signal shared after the snapshot is lost with the disk; the
// restored node asks each partner which of its records it holds, finds the
// one it has no trace of, and withdraws it there. What it shared before the
// snapshot stays.
TEST_F(RestoreSharingTest, RecordsSentAfterTheSnapshotAreWithdrawnAtThePartnersAfterTheRestore) {
  static const std::string kBefore = R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
  "subjects":[{"kind":"organisation","role":"temp_agency","kvk":"12345678"}]})";
  static const std::string kAfter = R"({"category":"labour.debt_bondage","observedOn":"2026-11-21",
  "subjects":[{"kind":"organisation","role":"employer","kvk":"87654321"}]})";
  auto categories = [&](std::size_t node) {
    std::vector<std::string> out;
    for (const auto& item : inbox(node)) out.emplace_back(item.at("category").as_string());
    std::sort(out.begin(), out.end());
    return out;
  };
  std::string before = submit(0, kBefore);
  ASSERT_TRUE(wait_until([&] {
    auto s = sharing_states(before);
    return s["nla"] == "delivered" && s["riec-amsterdam"] == "delivered";
  }, 30000));
  const fs::path archive = dir_ / "gemeente.snbackup";
  auto pass = secret("correct horse battery");
  backup::BackupOptions o;
  o.dir = nodes_[0].dir;
  o.out = archive;
  o.with_keys = true;
  o.passphrase = &pass;
  o.cost = crypto::interactive_passphrase_cost();
  backup::create_backup(o);

  std::string after = submit(0, kAfter);
  ASSERT_TRUE(wait_until([&] {
    auto s = sharing_states(after);
    return s["nla"] == "delivered" && s["riec-amsterdam"] == "delivered";
  }, 30000));
  ASSERT_EQ(categories(1), (std::vector<std::string>{"labour.debt_bondage", "labour.underpaid_or_unpaid"}));
  ASSERT_EQ(categories(3).size(), 2u);

  apps_[0].reset();
  fs::rename(nodes_[0].dir, dir_ / "lost");
  backup::RestoreOptions ro;
  ro.in = archive;
  ro.dir = nodes_[0].dir;
  ro.passphrase = [] { return secret("correct horse battery"); };
  backup::restore_backup(ro);
  start(0);
  ASSERT_TRUE(wait_until([&] { return categories(1).size() == 1 && categories(3).size() == 1; }, 30000))
      << "the records of the lost signal are withdrawn at both partners";
  EXPECT_EQ(categories(1), (std::vector<std::string>{"labour.underpaid_or_unpaid"}));
  EXPECT_EQ(categories(3), (std::vector<std::string>{"labour.underpaid_or_unpaid"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(categories(1).size(), 1u) << "the record from before the snapshot stays";
  // The restored node still has the earlier signal and its records: it can
  // withdraw them itself.
  auto r = api(0, "DELETE", "/api/v1/signals/" + before, "officer");
  EXPECT_TRUE(r.status == 200 || r.status == 202) << r.status << " " << r.body;
  ASSERT_TRUE(wait_until([&] { return categories(1).empty() && categories(3).empty(); }, 30000));
}
