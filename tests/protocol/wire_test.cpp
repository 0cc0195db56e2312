#include "protocol/wire.hpp"

#include <gtest/gtest.h>

#include "crypto/random.hpp"

namespace w = signalnode::protocol::wire;
namespace c = signalnode::crypto;

namespace {

w::Batch sample(std::size_t records = 2) {
  w::Batch b;
  b.batch_id = std::string(32, 'a');
  b.sender = "gemeente-aalsmeer";
  b.receiver = "nla";
  b.created_at_ms = 1'764'000'000'000;
  for (std::size_t i = 0; i < records; ++i) {
    w::Record r;
    r.record_id = std::string(31, 'b') + static_cast<char>('0' + i % 10);
    r.category = "labour.underpaid_or_unpaid";
    r.observed_week = "2026-W47";
    r.municipality = "GM0358";
    r.persons = 14;
    w::SharedSubject s{"organisation", "kvk", {}};
    s.pseudonym.fill(0x42);
    r.subjects = {s, s};
    r.rule_id = "labour-to-nla";
    r.policy_hash.fill(7);
    r.expires_at_ms = 1'800'000'000'000;
    b.records.push_back(r);
  }
  if (records != 2) return b;
  // The messages that follow a record carry their own fields.
  w::Record feedback;
  feedback.record_id = std::string(32, 'f');
  feedback.kind = w::RecordKind::feedback;
  feedback.refers_to = std::string(31, 'b') + '0';
  feedback.status = "inspection_planned";
  feedback.reason = "already_known";
  feedback.note = "week 49";
  w::Record notice = feedback;
  notice.kind = w::RecordKind::bundle_notice;
  notice.status = notice.reason = notice.note = "";
  notice.organisations = 3;
  notice.categories = {"housing.overcrowding", "labour.debt_bondage"};
  b.records.push_back(feedback);
  b.records.push_back(notice);
  return b;
}

// A little-endian uint64 as the archive writes it.
void put_u64(c::Bytes& out, std::size_t at, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
}

}  // namespace

TEST(Wire, BatchesAndReceiptsRoundTrip) {
  auto b = sample();
  std::string err;
  auto back = w::decode_batch(w::encode(b), err);
  ASSERT_TRUE(back) << err;
  EXPECT_EQ(*back, b);

  w::Receipt r{w::kVersion, b.batch_id, b.sender, b.receiver, 5, {{"x", true, ""}, {"y", false, "not granted"}},
               42, 7, {}, {}};
  r.tree_root.fill(3);
  r.tree_signature.fill(4);
  auto rback = w::decode_receipt(w::encode(r), err);
  ASSERT_TRUE(rback) << err;
  EXPECT_EQ(*rback, r);
}

TEST(Wire, SignaturesVerifyAndAreDomainSeparated) {
  c::init();
  auto key = c::SigningKey::generate();
  auto other = c::SigningKey::generate();
  auto s = w::sign_batch(sample(), key);
  EXPECT_TRUE(w::verify_batch(s, key.public_key()));
  EXPECT_FALSE(w::verify_batch(s, other.public_key()));
  EXPECT_FALSE(w::verify_receipt(s, key.public_key())) << "a batch signature is no receipt signature";
  std::string err;
  auto outer = w::decode_signed(w::encode(s), err);
  ASSERT_TRUE(outer) << err;
  EXPECT_TRUE(w::verify_batch(*outer, key.public_key()));
}

TEST(Wire, TamperingBreaksTheSignature) {
  c::init();
  auto key = c::SigningKey::generate();
  auto s = w::sign_batch(sample(), key);
  auto tampered = s;
  tampered.message[40] ^= 1;
  EXPECT_FALSE(w::verify_batch(tampered, key.public_key()));
  // A field added in transit: re-encoded with an extra subject, same signature.
  auto b = sample();
  b.records[0].subjects.push_back(b.records[0].subjects[0]);
  w::Signed grown{w::encode(b), s.signature};
  EXPECT_FALSE(w::verify_batch(grown, key.public_key()));
}

TEST(Wire, RejectsTruncatedTrailingOversizeAndWrongVersion) {
  auto bytes = w::encode(sample());
  std::string err;
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{10}, bytes.size() / 2, bytes.size() - 1}) {
    EXPECT_FALSE(w::decode_batch(c::ByteView(bytes.data(), cut), err)) << cut;
  }
  auto trailing = bytes;
  trailing.push_back(0);
  EXPECT_FALSE(w::decode_batch(trailing, err));
  EXPECT_EQ(err, "trailing bytes after the message");
  auto big_endian = bytes;
  big_endian[0] = 0;  // the archive's byte-order flag
  EXPECT_FALSE(w::decode_batch(big_endian, err));
  auto v2 = bytes;
  v2[1] = 2;
  EXPECT_FALSE(w::decode_batch(v2, err));
  EXPECT_NE(err.find("version"), std::string::npos);
  w::Limits small;
  small.max_batch_bytes = 100;
  EXPECT_FALSE(w::decode_batch(bytes, err, small));
}

TEST(Wire, LengthPrefixesCannotForceHugeAllocations) {
  std::string err;
  // The batch id's length prefix (after the byte-order flag and the 2-byte
  // version) claims 2^60 bytes.
  auto bytes = w::encode(sample());
  auto huge = bytes;
  put_u64(huge, 3, 1ULL << 60);
  EXPECT_FALSE(w::decode_batch(huge, err));
  EXPECT_NE(err.find("longer than"), std::string::npos) << err;
  // The record count claims 2^60 elements.
  w::Batch empty = sample(0);
  auto counted = w::encode(empty);
  put_u64(counted, counted.size() - 8, 1ULL << 60);
  EXPECT_FALSE(w::decode_batch(counted, err));
  EXPECT_NE(err.find("more than"), std::string::npos) << err;
  // A plausible count (500) that the remaining input cannot hold.
  put_u64(counted, counted.size() - 8, 500);
  EXPECT_FALSE(w::decode_batch(counted, err));
  EXPECT_NE(err.find("exceeds the input"), std::string::npos) << err;
  // The signed envelope's message length claims 2^60.
  auto env = w::encode(w::Signed{c::Bytes(10, 1), {}});
  put_u64(env, 1, 1ULL << 60);
  EXPECT_FALSE(w::decode_signed(env, err));
}

TEST(Wire, BoundsRecordAndSubjectCounts) {
  std::string err;
  auto big = sample(3);
  w::Limits l;
  l.max_records = 2;
  EXPECT_FALSE(w::decode_batch(w::encode(big), err, l));
  l = {};
  l.max_subjects = 1;
  EXPECT_FALSE(w::decode_batch(w::encode(big), err, l));
}

// Requests and answers carry their own part; every earlier kind keeps its bytes.
TEST(Wire, RequestsAndAnswersRoundTripAndLeaveEarlierKindsUnchanged) {
  w::Batch b = sample(1);
  const auto before = w::encode(b);
  w::Record ask;
  ask.record_id = std::string(32, 'c');
  ask.kind = w::RecordKind::details_request;
  ask.refers_to = std::string(31, 'b') + '0';
  ask.request.purpose = "Vaststellen welk uitzendbureau achter de signalen zit";
  ask.request.legal_ground = "RIEC-convenant art. 5";
  ask.request.reference = "RIEC-2026-017";
  ask.request.kinds = {"kvk", "address"};
  ask.request.contact = {"Ahmed El Amrani", "RIEC Amsterdam-Amstelland", "020 555 0199", "a@riec.invalid"};
  ask.request.deadline_ms = 1'800'000'000'000;
  w::Record answer;
  answer.record_id = std::string(32, 'd');
  answer.kind = w::RecordKind::request_answer;
  answer.refers_to = ask.record_id;
  answer.status = "approved";
  answer.request.decided_at_ms = 1'790'000'000'000;
  answer.request.disclosed = {{"kvk", "31415926"}, {"address", "1431AB|12||"}};
  b.records.push_back(ask);
  b.records.push_back(answer);
  std::string err;
  auto back = w::decode_batch(w::encode(b), err);
  ASSERT_TRUE(back) << err;
  EXPECT_EQ(*back, b);
  b.records.resize(1);
  EXPECT_EQ(w::encode(b), before);

  // Bounds: a purpose over 1000 bytes, more than 64 disclosed identifiers.
  b.records.push_back(ask);
  b.records.back().request.purpose = std::string(1001, 'x');
  EXPECT_FALSE(w::decode_batch(w::encode(b), err));
  b.records.back() = answer;
  b.records.back().request.disclosed.assign(65, {"kvk", "31415926"});
  EXPECT_FALSE(w::decode_batch(w::encode(b), err));
  // An unknown kind is refused.
  b.records.back() = answer;
  b.records.back().kind = static_cast<w::RecordKind>(9);
  EXPECT_FALSE(w::decode_batch(w::encode(b), err));
}
