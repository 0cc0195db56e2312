// Connection admission: strangers that open sockets and say nothing cannot
// lock out clients or partners (issue 14, "Starving").
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <fstream>
#include <sstream>
#include <vector>

#include "node/storage/sqlite.hpp"
#include "sharing_fixture.hpp"

namespace json = boost::json;
using signalnode::testing::wait_until;

namespace {

constexpr std::size_t kMunicipality = 0, kInspectorate = 1;

// A TCP connection that never starts TLS.
class SilentSocket {
 public:
  explicit SilentSocket(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~SilentSocket() { ::close(fd_); }
  SilentSocket(const SilentSocket&) = delete;
  SilentSocket& operator=(const SilentSocket&) = delete;
  // True when the server closed the connection within `ms`.
  bool closed_by_server_within(int ms) const {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return false;
    char c;
    return ::recv(fd_, &c, 1, 0) <= 0;
  }
  bool connected() const { return connected_; }

 private:
  int fd_;
  bool connected_ = false;
};

class AdmissionTest : public signalnode::testing::SharingFixture {
 protected:
  void restart_with(std::size_t node, const char* section, const char* key, std::int64_t value) {
    apps_[node].reset();
    auto path = nodes_[node].dir / "node.json";
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    json::value cfg = json::parse(text.str());
    cfg.as_object()[section].as_object()[key] = value;
    std::ofstream(path, std::ios::trunc) << json::serialize(cfg);
    start(node);
  }
  // The node's database, read beside it (WAL), or changed beside it to inject a fault.
  std::int64_t count(std::size_t node, const char* sql) {
    signalnode::node::storage::Database db(nodes_[node].dir / "signalnode.db",
                                           signalnode::node::storage::Database::Mode::read_only);
    return db.cached(sql).scalar();
  }
  void exec(std::size_t node, const char* sql) {
    signalnode::node::storage::Database db(nodes_[node].dir / "signalnode.db",
                                           signalnode::node::storage::Database::Mode::read_write);
    db.exec(sql);
  }
  bool api_answers(std::size_t node) {
    try {
      return api(node, "GET", "/healthz", "officer").status == 200;
    } catch (const std::exception&) {
      return false;
    }
  }
};

}  // namespace

TEST_F(AdmissionTest, OneAddressCannotHoldMoreThanItsShareOfTheApi) {
  restart_with(kMunicipality, "api", "maxConnectionsPerAddress", 4);
  std::vector<std::unique_ptr<SilentSocket>> silent;
  for (int i = 0; i < 4; ++i) silent.push_back(std::make_unique<SilentSocket>(nodes_[kMunicipality].api_port));
  SilentSocket one_more(nodes_[kMunicipality].api_port);
  EXPECT_TRUE(one_more.closed_by_server_within(1'000)) << "over the cap: refused at once, before TLS";
  EXPECT_FALSE(api_answers(kMunicipality)) << "this address holds its four slots";
  silent.clear();
  EXPECT_TRUE(wait_until([&] { return api_answers(kMunicipality); }, 3'000)) << "slots come back when they close";
}

TEST_F(AdmissionTest, ASocketThatNeverStartsTlsIsClosedWithinFiveSeconds) {
  SilentSocket silent(nodes_[kMunicipality].api_port);
  ASSERT_TRUE(silent.connected());
  EXPECT_FALSE(silent.closed_by_server_within(3'500)) << "a handshake gets its time";
  EXPECT_TRUE(silent.closed_by_server_within(3'000)) << "and no more than 5 s of it";
  SilentSocket federation(nodes_[kMunicipality].federation_port);
  EXPECT_TRUE(federation.closed_by_server_within(6'500)) << "the federation listener too";
}

TEST_F(AdmissionTest, StrangersWithoutACertificateCannotTakeThePartnersSlots) {
  restart_with(kInspectorate, "federation", "maxUnauthenticatedConnections", 2);
  {
    SilentSocket a(nodes_[kInspectorate].federation_port), b(nodes_[kInspectorate].federation_port);
    SilentSocket c(nodes_[kInspectorate].federation_port);
    EXPECT_TRUE(c.closed_by_server_within(1'000)) << "a third stranger is refused at once";
  }
  // With the strangers gone, a partner connects, is authenticated, and no
  // longer counts against the strangers' share: two strangers fit beside it.
  auto* fed = apps_[kMunicipality]->federation();
  auto client = fed->client_for(*fed->manifest()->find(nodes_[kInspectorate].org));
  ASSERT_TRUE(wait_until([&] {
    try {
      return client->request("GET", "/federation/v1/healthz").status == 200;
    } catch (const std::exception&) {
      return false;
    }
  }, 3'000));
  SilentSocket a(nodes_[kInspectorate].federation_port), b(nodes_[kInspectorate].federation_port);
  EXPECT_FALSE(b.closed_by_server_within(500)) << "the partner's kept-alive connection took no stranger's slot";
  EXPECT_EQ(client->request("GET", "/federation/v1/healthz").status, 200) << "and keeps working beside them";
}

// Flooding: a partner over its budget gets a retryable answer before any of
// its batch is decoded, and nothing of it is stored.
TEST_F(AdmissionTest, APartnerOverItsBudgetIsAskedToRetryAndNothingIsStored) {
  restart_with(kInspectorate, "federation", "receiveBatchesPerMinute", 2);
  auto key = key_of(kMunicipality);
  auto send = [&] {
    auto batch = valid_batch();  // each with a fresh batch and record id
    return post_batch(bytes(signalnode::protocol::wire::encode(signalnode::protocol::wire::sign_batch(batch, key))));
  };
  EXPECT_EQ(send().status, 200);
  EXPECT_EQ(send().status, 200);
  auto before = inbox(kInspectorate).size();
  auto refused = send();
  EXPECT_EQ(refused.status, 429);
  bool retry_after = false;
  for (const auto& [k, v] : refused.headers) retry_after |= (k == "Retry-After" && std::stoi(v) >= 1);
  EXPECT_TRUE(retry_after) << "the sender is told when to retry";
  EXPECT_NE(refused.body.find("partner-budget"), std::string::npos) << refused.body;
  EXPECT_EQ(inbox(kInspectorate).size(), before) << "nothing of the refused batch is stored";
}

// Flooding with records: the record budget is counted once the batch's
// signature verifies; over it the batch is refused as retryable, and nothing
// of it is stored or audited.
TEST_F(AdmissionTest, APartnerOverItsRecordBudgetIsAskedToRetryAndNothingIsStoredOrLogged) {
  namespace w = signalnode::protocol::wire;
  restart_with(kInspectorate, "federation", "receiveRecordsPerMinute", 1000);
  auto key = key_of(kMunicipality);
  auto send = [&](int records) {
    auto batch = valid_batch();
    const w::Record model = batch.records[0];
    batch.records.clear();
    for (int i = 0; i < records; ++i) {
      w::Record r = model;
      r.record_id = signalnode::crypto::random_hex_id(16);
      batch.records.push_back(r);
    }
    return post_batch(bytes(w::encode(w::sign_batch(batch, key))));
  };
  ASSERT_EQ(send(600).status, 200);
  const auto stored = count(kInspectorate, "SELECT count(*) FROM inbox");
  EXPECT_EQ(stored, 600);
  const auto logged = count(kInspectorate, "SELECT count(*) FROM audit_events");
  auto refused = send(600);
  EXPECT_EQ(refused.status, 429) << refused.body;
  int retry_after = 0;
  for (const auto& [k, v] : refused.headers) if (k == "Retry-After") retry_after = std::stoi(v);
  EXPECT_GE(retry_after, 1) << "the sender is told when the records fit";
  EXPECT_LE(retry_after, 60);
  EXPECT_NE(refused.body.find("partner-budget"), std::string::npos) << refused.body;
  EXPECT_EQ(count(kInspectorate, "SELECT count(*) FROM audit_events"), logged) << "a refused batch writes nothing to the log";
  EXPECT_EQ(count(kInspectorate, "SELECT count(*) FROM inbox"), stored) << "nor to the inbox";
  EXPECT_EQ(send(300).status, 200) << "what still fits the minute's budget is taken";
  EXPECT_EQ(count(kInspectorate, "SELECT count(*) FROM inbox"), 900);
}

// A batch is stored 100 records per transaction (so an officer's write never
// waits behind a whole batch). The receipt still answers every record in
// order, a replay gets the same receipt, and a batch resent after a crash
// between its chunks (some records stored, no receipt yet) stores and logs
// each record once.
TEST_F(AdmissionTest, ABatchStoredInChunksAnswersEveryRecordOnceAndAResendAfterACrashStoresNothingTwice) {
  namespace w = signalnode::protocol::wire;
  auto key = key_of(kMunicipality);
  auto batch_of = [&](std::vector<w::Record> records) {
    auto batch = valid_batch();
    batch.records = std::move(records);
    return batch;
  };
  const w::Record model = valid_batch().records[0];
  std::vector<w::Record> records;
  for (int i = 0; i < 250; ++i) {
    w::Record r = model;
    r.record_id = signalnode::crypto::random_hex_id(16);
    records.push_back(r);
  }
  auto receipt_of = [&](const signalnode::node::http::HttpResponse& r) {
    std::string err;
    auto envelope = w::decode_signed(signalnode::crypto::Bytes(r.body.begin(), r.body.end()), err);
    EXPECT_TRUE(envelope) << err;
    auto receipt = w::decode_receipt(envelope->message, err);
    EXPECT_TRUE(receipt) << err;
    return *receipt;
  };
  // A fault in the node's database after the first chunk: the batch fails
  // after 100 of its records were committed, and no receipt is given.
  auto whole = batch_of(records);
  const std::string body = bytes(w::encode(w::sign_batch(whole, key)));
  exec(kInspectorate, "CREATE TRIGGER injected_fault BEFORE INSERT ON inbox WHEN (SELECT count(*) FROM inbox) >= 150 "
                      "BEGIN SELECT RAISE(ABORT, 'injected fault'); END");
  auto failed = post_batch(body);
  EXPECT_NE(failed.status, 200) << "no receipt for a batch not wholly applied";
  EXPECT_EQ(count(kInspectorate, "SELECT count(*) FROM inbox"), 100) << "the first chunk was committed";
  EXPECT_EQ(count(kInspectorate, "SELECT count(*) FROM inbox_batches"), 0);
  exec(kInspectorate, "DROP TRIGGER injected_fault");
  // The sender resends the same batch.
  auto sent = post_batch(body);
  ASSERT_EQ(sent.status, 200) << sent.body;
  auto receipt = receipt_of(sent);
  ASSERT_EQ(receipt.outcomes.size(), 250u);
  for (std::size_t i = 0; i < 250; ++i) {
    EXPECT_EQ(receipt.outcomes[i].record_id, records[i].record_id) << i;
    EXPECT_TRUE(receipt.outcomes[i].accepted) << i << " " << receipt.outcomes[i].reason;
  }
  EXPECT_EQ(count(kInspectorate, "SELECT count(*) FROM inbox"), 250) << "each record stored once";
  EXPECT_EQ(count(kInspectorate, "SELECT count(*) FROM audit_events WHERE name = 'record.received'"), 250)
      << "and logged once";
  auto again = post_batch(body);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body, sent.body) << "a replay gets the original receipt";
  EXPECT_EQ(count(kInspectorate, "SELECT count(*) FROM inbox"), 250);
}

// Flooding the log: a batch of rejected records costs one audit event per
// kind with the count per reason, not a full event for each record.
TEST_F(AdmissionTest, ABatchOfRejectedRecordsIsOneSummarisingAuditEvent) {
  namespace w = signalnode::protocol::wire;
  auto batch = valid_batch();
  const w::Record model = batch.records[0];
  batch.records.clear();
  for (int i = 0; i < 50; ++i) {
    w::Record r = model;
    r.record_id = signalnode::crypto::random_hex_id(16);
    r.rule_id = i % 2 ? "snf-findings-to-municipality" : "no-such-rule";  // not the rule that applies
    batch.records.push_back(r);
  }
  auto sent = post_batch(bytes(w::encode(w::sign_batch(batch, key_of(kMunicipality)))));
  ASSERT_EQ(sent.status, 200) << sent.body;
  auto audit = api(kInspectorate, "GET", "/api/v1/audit/events?limit=500&name=record.rejected", "privacy_officer");
  ASSERT_EQ(audit.status, 200) << audit.body;
  auto items = json::parse(audit.body).at("items").as_array();
  ASSERT_EQ(items.size(), 1u) << "one event for the 50 rejected records";
  const std::string text = json::serialize(items[0]);
  EXPECT_NE(text.find("\"count\":50"), std::string::npos) << text;
  EXPECT_NE(text.find("\"reasons\""), std::string::npos) << text;
  EXPECT_TRUE(inbox(kInspectorate).empty());
}
