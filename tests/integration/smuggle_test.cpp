// Issue 14, "Smuggling past the covenant": a partner with a valid certificate
// and signing key puts identifying text, or absurd values, into the fields of
// the records it sends. Each field is checked by its content: the signed
// receipt refuses every such record with a reason naming the field (and not
// repeating the content), the analysts' inbox shows none of them, and none of
// the smuggled text is stored or logged.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "sharing_fixture.hpp"
#include "protocol/wire.hpp"

namespace c = signalnode::crypto;
namespace w = signalnode::protocol::wire;
namespace json = boost::json;

namespace {
const std::string kName = "Jan de Vries, geb. 1985-03-01, BSN 111222333";
const std::string kKvk = "KvK 12345678";

// The text with every run of 16 or more lowercase hex digits (the random
// trace, span, batch and record ids) taken out: a random id contains "1985"
// or "12345678" now and then (about one run in forty), and that is no leak.
std::string without_ids(const std::string& text) {
  static const std::regex kId("[0-9a-f]{16,}");
  return std::regex_replace(text, kId, "<id>");
}
}  // namespace

class SmuggleTest : public signalnode::testing::SharingFixture {
 protected:
  // Sends one record, changed by `change`, signed with the municipality's
  // valid key; returns its outcome in the receiver's signed receipt.
  w::RecordOutcome send(const std::function<void(w::Record&)>& change) {
    auto batch = valid_batch();
    change(batch.records[0]);
    auto r = post_batch(bytes(w::encode(w::sign_batch(batch, key_of(0)))));
    EXPECT_EQ(r.status, 200) << r.body;
    std::string err;
    auto envelope = w::decode_signed(c::Bytes(r.body.begin(), r.body.end()), err);
    EXPECT_TRUE(envelope) << err;
    if (!envelope) return {};
    EXPECT_TRUE(w::verify_receipt(*envelope, apps_[1]->federation()->manifest()->find(nodes_[1].org)->signing_key));
    auto receipt = w::decode_receipt(envelope->message, err);
    EXPECT_TRUE(receipt) << err;
    if (!receipt || receipt->outcomes.size() != 1) return {};
    return receipt->outcomes[0];
  }
};

TEST_F(SmuggleTest, IdentifyingTextAndAbsurdValuesInAnyFieldAreRefusedAndNeverReachTheAnalysts) {
  struct Attack {
    const char* what;
    std::function<void(w::Record&)> change;
    const char* field;  // the receipt's reason names it
  };
  const std::vector<Attack> attacks = {
      {"a name, birth date and BSN in the week", [](w::Record& r) { r.observed_week = kName; }, "observed_week"},
      {"a week that does not exist", [](w::Record& r) { r.observed_week = "2025-W53"; }, "observed_week"},
      {"a KvK number as the municipality", [](w::Record& r) { r.municipality = kKvk; }, "municipality"},
      {"a bare KvK number as the municipality", [](w::Record& r) { r.municipality = "12345678"; }, "municipality"},
      {"a name as the severity", [](w::Record& r) { r.severity = kName; }, "severity"},
      {"2^62 persons", [](w::Record& r) { r.persons = std::int64_t{1} << 62; }, "persons"},
      {"-5 persons", [](w::Record& r) { r.persons = -5; }, "persons"},
      {"an unknown subject kind", [](w::Record& r) { r.subjects.at(0).kind = kName; }, "subject kind"},
      {"an unknown id kind", [](w::Record& r) { r.subjects.at(0).id_kind = "passport"; }, "id_kind"},
      {"a name as the category", [](w::Record& r) { r.category = kName; }, "category"},
      {"an uppercase record id", [](w::Record& r) { r.record_id = std::string(32, 'A'); }, "record_id"},
      {"a short record id", [](w::Record& r) { r.record_id = "abc123"; }, "record_id"},
      {"a name as the rule id", [](w::Record& r) { r.rule_id = kName; }, "rule_id"},
  };
  for (const auto& a : attacks) {
    SCOPED_TRACE(a.what);
    auto outcome = send([&](w::Record& r) {
      // Every field the rule grants, each valid, so only the attack is wrong.
      r.municipality = "GM0358";
      r.severity = "high";
      r.persons = 6;
      a.change(r);
    });
    EXPECT_FALSE(outcome.accepted);
    EXPECT_NE(outcome.reason.find(a.field), std::string::npos) << outcome.reason;
    EXPECT_TRUE(outcome.record_id.size() == 32 || outcome.record_id.empty()) << "an id that is not one is answered as \"\"";
    for (const char* leaked : {"Jan", "Vries", "1985", "111222333", "12345678", "passport"}) {
      EXPECT_EQ(outcome.reason.find(leaked), std::string::npos) << outcome.reason;
    }
  }

  // What the analysts see: nothing of it.
  auto items = inbox(1);
  EXPECT_EQ(items.size(), 0u) << json::serialize(items);
  const std::string shown = without_ids(json::serialize(items));
  for (const char* leaked : {"Jan", "Vries", "1985", "111222333", "12345678"}) {
    EXPECT_EQ(shown.find(leaked), std::string::npos) << shown;
  }

  // Each refusal is in the receiver's audit log, without the smuggled text.
  auto audit = api(1, "GET", "/api/v1/audit/events?limit=500&name=record.rejected", "privacy_officer");
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_EQ(json::parse(audit.body).at("items").as_array().size(), attacks.size());
  const std::string logged = without_ids(audit.body);
  for (const char* leaked : {"Jan", "Vries", "1985", "111222333", "12345678"}) {
    EXPECT_EQ(logged.find(leaked), std::string::npos) << audit.body;
  }

  // The same record with valid content is accepted and shown.
  auto ok = send([](w::Record& r) {
    r.municipality = "GM0358";
    r.severity = "high";
    r.persons = 6;
  });
  EXPECT_TRUE(ok.accepted) << ok.reason;
  items = inbox(1);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("municipality"), "GM0358") << json::serialize(items);
}

TEST_F(SmuggleTest, AWithdrawalWithSmuggledContentIsRefusedNamingTheField) {
  auto outcome = send([](w::Record& r) {
    r.kind = w::RecordKind::withdrawal;
    r.refers_to = std::string(32, 'a');
    r.rule_id = "withdrawal";
    r.observed_week.clear();
    r.subjects.clear();
    r.category = kName;
  });
  EXPECT_FALSE(outcome.accepted);
  EXPECT_EQ(outcome.reason, "category is not a category of the taxonomy");
  outcome = send([](w::Record& r) {
    r.kind = w::RecordKind::withdrawal;
    r.refers_to = std::string(32, 'A');
    r.rule_id = "withdrawal";
    r.observed_week.clear();
    r.subjects.clear();
  });
  EXPECT_EQ(outcome.reason, "refers_to is not 32 lowercase hex digits");
  outcome = send([](w::Record& r) {
    r.kind = w::RecordKind::withdrawal;
    r.refers_to = std::string(32, 'a');
    r.rule_id = "withdrawal";
    r.subjects.clear();
    r.observed_week = kName;
  });
  EXPECT_EQ(outcome.reason, "a follow-up message carries no shared-record fields");
  outcome = send([](w::Record& r) {
    r.kind = w::RecordKind::withdrawal;
    r.record_id = kName;
    r.refers_to = std::string(32, 'a');
    r.rule_id = "withdrawal";
    r.observed_week.clear();
    r.subjects.clear();
  });
  EXPECT_EQ(outcome.reason, "record_id is not 32 lowercase hex digits");
  EXPECT_EQ(outcome.record_id, "") << "the receipt repeats no smuggled id";
  EXPECT_EQ(inbox(1).size(), 0u);
}
