#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "tests/support/temp_dir.hpp"
#include "crypto/aead.hpp"
#include "crypto/bytes.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_file.hpp"
#include "crypto/sha256.hpp"
#include "crypto/x509.hpp"

namespace c = signalnode::crypto;
namespace fs = std::filesystem;

class CryptoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    c::init();
  }
  signalnode::testing::TempDir dir_{"sn-crypto-"};
};

TEST_F(CryptoTest, HexAndBase64RoundTripAndRejectGarbage) {
  c::Bytes data = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(c::to_hex(data), "0001abff");
  EXPECT_EQ(c::from_hex("0001abff"), data);
  EXPECT_EQ(c::from_hex("0001ABFF"), data);
  EXPECT_FALSE(c::from_hex("abc"));
  EXPECT_FALSE(c::from_hex("zz"));
  EXPECT_EQ(c::to_base64(c::as_bytes("hello")), "aGVsbG8=");
  auto decoded = c::from_base64("aGVsbG8=");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(c::as_chars(*decoded), "hello");
  EXPECT_FALSE(c::from_base64("aGVsbG8=!"));
}

TEST_F(CryptoTest, Sha256MatchesKnownVectorIncrementallyToo) {
  // FIPS 180-2 example "abc".
  EXPECT_EQ(c::to_hex(c::sha256(c::as_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  c::Sha256 h;
  h.update(c::as_bytes("a")).update(c::as_bytes("bc"));
  EXPECT_EQ(c::to_hex(h.finish()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(c::to_hex(h.update(c::as_bytes("abc")).finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(CryptoTest, AeadRoundTripsAndDetectsTamperingAndWrongContext) {
  c::AeadKey key = c::generate_aead_key();
  auto sealed = c::seal(key, c::as_bytes("bsn 123456782"), c::as_bytes("row-1"));
  EXPECT_EQ(sealed.size(), 24u + 13u + 16u);
  auto opened = c::open(key, sealed, c::as_bytes("row-1"));
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->chars(), "bsn 123456782");
  EXPECT_FALSE(c::open(key, sealed, c::as_bytes("row-2"))) << "associated data binds the row";
  auto tampered = sealed;
  tampered[30] ^= 1;
  EXPECT_FALSE(c::open(key, tampered, c::as_bytes("row-1")));
  EXPECT_FALSE(c::open(key, c::Bytes(10), c::as_bytes("row-1"))) << "too short";
  c::AeadKey other = c::generate_aead_key();
  EXPECT_FALSE(c::open(other, sealed, c::as_bytes("row-1")));
  auto again = c::seal(key, c::as_bytes("bsn 123456782"), c::as_bytes("row-1"));
  EXPECT_NE(again, sealed) << "fresh random nonce per seal";
}

TEST_F(CryptoTest, Ed25519SignsVerifiesAndReloads) {
  c::SigningKey key = c::SigningKey::generate();
  auto sig = key.sign(c::as_bytes("batch"));
  EXPECT_TRUE(c::verify(key.public_key(), c::as_bytes("batch"), sig));
  EXPECT_FALSE(c::verify(key.public_key(), c::as_bytes("batch!"), sig));
  sig[0] ^= 1;
  EXPECT_FALSE(c::verify(key.public_key(), c::as_bytes("batch"), sig));
  c::SigningKey reloaded = c::SigningKey::from_secret(key.secret());
  EXPECT_EQ(reloaded.public_key(), key.public_key());
  EXPECT_THROW(c::SigningKey::from_secret(c::Bytes(10)), std::invalid_argument);
}

TEST_F(CryptoTest, SecretFilesAre0600ExclusiveAndCheckedOnLoad) {
  auto path = dir_ / "k.key";
  c::write_secret_file(path, c::as_bytes("0123456789abcdef0123456789abcdef"));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_THROW(c::write_secret_file(path, c::as_bytes("x")), std::runtime_error) << "never overwrites a key";
  EXPECT_EQ(c::read_secret_file(path, 32).size(), 32u);
  EXPECT_THROW(c::read_secret_file(path, 64), std::runtime_error);
  fs::permissions(path, fs::perms::group_read, fs::perm_options::add);
  try {
    c::read_secret_file(path);
    FAIL() << "group-readable key accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("0123"), std::string::npos) << "never shows key content";
  }
  EXPECT_THROW(c::read_secret_file(dir_ / "missing.key"), std::runtime_error);
}

TEST_F(CryptoTest, IssuesSelfSignedAndCaSignedCertificatesWithOin) {
  c::CertificateSpec ca_spec{"Demo CA", "signalnode demo", "", {}, {}, 30, true};
  auto ca = c::issue_certificate(ca_spec);
  c::CertificateSpec node_spec{"node", "gemeente-aalsmeer", "00000001002220647000", {"localhost"}, {"127.0.0.1"},
                               30, false};
  auto leaf = c::issue_certificate(node_spec, ca.certificate_pem, ca.private_key_pem.chars());
  EXPECT_NE(leaf.certificate_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(leaf.private_key_pem.chars().find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(c::certificate_subject_serial(leaf.certificate_pem), "00000001002220647000");
  EXPECT_EQ(c::certificate_subject_serial(ca.certificate_pem), "");
  EXPECT_NE(c::certificate_fingerprint(leaf.certificate_pem), c::certificate_fingerprint(ca.certificate_pem));
  EXPECT_NE(c::public_key_fingerprint(leaf.certificate_pem), c::certificate_fingerprint(leaf.certificate_pem));
  EXPECT_THROW(c::certificate_fingerprint("not a certificate"), std::runtime_error);
}

TEST_F(CryptoTest, ConstantTimeEqualityComparesSizeAndContent) {
  EXPECT_TRUE(c::equal_constant_time(c::as_bytes("abc"), c::as_bytes("abc")));
  EXPECT_FALSE(c::equal_constant_time(c::as_bytes("abc"), c::as_bytes("abd")));
  EXPECT_FALSE(c::equal_constant_time(c::as_bytes("abc"), c::as_bytes("ab")));
}

TEST(SecretBytesTake, LeavesNothingInTheString) {
  for (std::string password : {std::string("short pass 1"), std::string(100, 'p')}) {  // in-place and heap buffers
    const std::string copy = password;
    const char* buffer = password.data();
    const std::size_t capacity = password.capacity();
    auto secret = c::SecretBytes::take(password);
    EXPECT_EQ(secret.chars(), copy);
    EXPECT_TRUE(password.empty());
    EXPECT_EQ(password.data(), buffer) << "the same buffer, now wiped";
    EXPECT_EQ(std::string_view(buffer, capacity).find_first_not_of('\0'), std::string_view::npos);
  }
}

// Issue 19: ids that sort by their time, in the same shape as random ones.
TEST(TimeOrderedId, IsThirtyTwoHexDigitsStartingWithTheTime) {
  c::init();
  const std::int64_t t = 1'764'000'000'123;  // 0x19ab... ms
  auto a = c::time_ordered_hex_id(t);
  auto b = c::time_ordered_hex_id(t);
  ASSERT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  char prefix[13];
  std::snprintf(prefix, sizeof prefix, "%012llx", static_cast<unsigned long long>(t));
  EXPECT_EQ(a.substr(0, 12), prefix);
  EXPECT_NE(a, b) << "the same millisecond, different ids";
  EXPECT_LT(c::time_ordered_hex_id(t), c::time_ordered_hex_id(t + 1).substr(0, 12) + "00000000000000000000");
  EXPECT_LT(c::time_ordered_hex_id(999), c::time_ordered_hex_id(1000));
}
