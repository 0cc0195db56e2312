// Nodes of a real federation, in-process on loopback: mTLS refusals, the PA
// over mTLS, a PA that is away, and manifest changes.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <functional>
#include <thread>

#include "federation_fixture.hpp"
#include "tests/support/test_federation.hpp"
#include "crypto/oprf.hpp"
#include "crypto/voprf.hpp"
#include "node/pseudonyms/key_ceremony.hpp"
#include "node/pseudonyms/pa_service.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_file.hpp"
#include "crypto/x509.hpp"
#include "node/app/demo_federation.hpp"
#include "node/app/node_app.hpp"
#include "node/federation/federation.hpp"
#include "node/net/https_client.hpp"
#include "node/pseudonyms/oprf_keyring.hpp"
#include "tests/support/whole_key.hpp"

namespace fs = std::filesystem;
namespace c = signalnode::crypto;
using signalnode::node::app::DemoNode;
using signalnode::node::app::NodeApp;

namespace {
using signalnode::testing::free_port;
using signalnode::testing::wait_until;



// A TLS client with a chosen certificate (or none) and protocol version.
// Returns what the server sent back to one HTTP request, or "" when the
// handshake failed or the server closed without answering.
std::string raw_request(std::uint16_t port, const std::string& cert_pem, const std::string& key_pem,
                        int max_version = 0) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  if (max_version) SSL_CTX_set_max_proto_version(ctx, max_version);
  if (!cert_pem.empty()) {
    BIO* cb = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
    X509* cert = PEM_read_bio_X509(cb, nullptr, nullptr, nullptr);
    BIO* kb = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
    SSL_CTX_use_certificate(ctx, cert);
    SSL_CTX_use_PrivateKey(ctx, key);
    X509_free(cert);
    EVP_PKEY_free(key);
    BIO_free(cb);
    BIO_free(kb);
  }
  BIO* bio = BIO_new_ssl_connect(ctx);
  BIO_set_conn_hostname(bio, ("127.0.0.1:" + std::to_string(port)).c_str());
  std::string out;
  if (BIO_do_connect(bio) == 1 && BIO_do_handshake(bio) == 1) {
    std::string req = "GET /federation/v1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (BIO_write(bio, req.data(), static_cast<int>(req.size())) > 0) {
      char buf[4096];
      for (int n; (n = BIO_read(bio, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    }
  }
  BIO_free_all(bio);
  SSL_CTX_free(ctx);
  ERR_clear_error();
  return out;
}

}  // namespace

class FederationTest : public signalnode::testing::FederationFixture {
 protected:
  NodeApp& municipality() { return *apps_[0]; }
  NodeApp& riec() { return *apps_[3]; }
  std::string file(const DemoNode& n, const char* name) { return signalnode::node::net::read_text_file(n.dir / "tls" / name); }

  std::uint16_t submit(const std::string& subjects) {
    signalnode::node::net::ClientOptions options;
    options.trust_anchors_pem = signalnode::node::net::read_text_file(dir_ / "ca" / "ca.crt");
    signalnode::node::net::HttpsClient client("127.0.0.1", nodes_[0].api_port, std::move(options));
    auto r = client.request("POST", "/api/v1/signals",
                            R"({"category":"labour.debt_bondage","observedOn":"2026-11-20","subjects":)" + subjects + "}",
                            {{"Authorization", "Bearer " + nodes_[0].tokens.at("officer")},
                             {"Content-Type", "application/json"}});
    return static_cast<std::uint16_t>(r.status);
  }

  std::string metrics() {
    signalnode::node::net::ClientOptions options;
    options.trust_anchors_pem = signalnode::node::net::read_text_file(dir_ / "ca" / "ca.crt");
    signalnode::node::net::HttpsClient client("127.0.0.1", nodes_[0].api_port, std::move(options));
    return client.request("GET", "/metrics", "", {{"Authorization", "Bearer " + nodes_[0].tokens.at("admin")}}).body;
  }

  // A certificate from the federation CA that no manifest entry pins.
  c::IssuedCertificate rogue(const std::string& oin) {
    auto key = c::read_secret_file(dir_ / "ca" / "ca.key");
    c::CertificateSpec spec{"rogue", "rogue", oin, {"localhost"}, {"127.0.0.1"}, 30, false};
    return c::issue_certificate(spec, signalnode::node::net::read_text_file(dir_ / "ca" / "ca.crt"), key.chars());
  }

};

TEST_F(FederationTest, PartnersInTheManifestAreServedAndKnownByName) {
  const auto& nla = nodes_[1];
  std::string answer = raw_request(nodes_[0].federation_port, file(nla, "federation.crt"), file(nla, "federation.key"));
  EXPECT_NE(answer.find("HTTP/1.1 200"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"peer\":\"nla\""), std::string::npos) << answer;
}

TEST_F(FederationTest, RefusesEveryoneTheManifestDoesNotName) {
  std::uint16_t port = nodes_[0].federation_port;
  EXPECT_EQ(raw_request(port, "", ""), "") << "no client certificate";
  auto unlisted = rogue("00000009999999999999");
  EXPECT_EQ(raw_request(port, unlisted.certificate_pem, std::string(unlisted.private_key_pem.chars())), "")
      << "chains to the CA but is not in the manifest";
  auto impostor = rogue(nodes_[1].oin);
  EXPECT_EQ(raw_request(port, impostor.certificate_pem, std::string(impostor.private_key_pem.chars())), "")
      << "another partner's OIN with its own key";
  const auto& nla = nodes_[1];
  EXPECT_EQ(raw_request(port, file(nla, "federation.crt"), file(nla, "federation.key"), TLS1_2_VERSION), "")
      << "TLS 1.2";
  // A certificate from another CA, even with a listed OIN.
  c::CertificateSpec other_ca{"other CA", "x", "", {}, {}, 30, true};
  auto ca2 = c::issue_certificate(other_ca);
  c::CertificateSpec spec{"x", "x", nla.oin, {}, {"127.0.0.1"}, 30, false};
  auto foreign = c::issue_certificate(spec, ca2.certificate_pem, ca2.private_key_pem.chars());
  EXPECT_EQ(raw_request(port, foreign.certificate_pem, std::string(foreign.private_key_pem.chars())), "");
}

TEST_F(FederationTest, ExpiredCertificatesAreRefused) {
  auto key = c::read_secret_file(dir_ / "ca" / "ca.key");
  c::CertificateSpec spec{"nla", "nla", nodes_[1].oin, {}, {"127.0.0.1"}, -1, false};
  auto expired = c::issue_certificate(spec, signalnode::node::net::read_text_file(dir_ / "ca" / "ca.crt"), key.chars());
  EXPECT_EQ(raw_request(nodes_[0].federation_port, expired.certificate_pem, std::string(expired.private_key_pem.chars())),
            "");
}

TEST_F(FederationTest, ClientsRefuseAServerTheManifestDoesNotPin) {
  auto* fed = municipality().federation();
  auto manifest = fed->manifest();
  auto pa = *manifest->share_holders().at(0);
  EXPECT_EQ(fed->client_for(pa)->request("GET", "/federation/v1/healthz").status, 200);
  pa.certificate_sha256->fill(0);  // not the PA's certificate any more
  EXPECT_THROW(fed->client_for(pa)->request("GET", "/federation/v1/healthz"), std::runtime_error);
  pa = *manifest->share_holders().at(0);
  pa.oin = nodes_[1].oin;  // right pin, wrong organisation number
  EXPECT_THROW(fed->client_for(pa)->request("GET", "/federation/v1/healthz"), std::runtime_error);
}

// Issue 15: through 2 of the 3 share holders over mTLS, each proof checked,
// the pseudonym is exactly plain VOPRF under the whole key, which exists
// nowhere: the test puts it together from two share files, as two colluding
// holders could. Any two holders give it; one holder down costs nothing.
TEST_F(FederationTest, SignalsArePseudonymisedThroughTwoOfThreeShareHoldersOverMutualTls) {
  ASSERT_EQ(submit(R"([{"kind":"organisation","kvk":"12345678"},{"kind":"person","bsn":"123456782"}])"), 201);
  auto& pseudo = municipality().pseudonymiser();
  ASSERT_TRUE(wait_until([&] { return pseudo.cached({signalnode::protocol::IdKind::bsn, "123456782"}).has_value(); }));
  auto key = signalnode::testing::whole_key_from(
      {signalnode::testing::share_file_of(nodes_[4].dir), signalnode::testing::share_file_of(nodes_[6].dir)});
  auto expected = signalnode::testing::voprf_output(key, nodes_[0].oin + ":kvk:12345678");
  EXPECT_EQ(pseudo.cached({signalnode::protocol::IdKind::kvk, "12345678"}), expected);
  EXPECT_NE(expected, signalnode::testing::voprf_output(key, nodes_[1].oin + ":kvk:12345678"))
      << "another domain, another pseudonym";

  apps_[5].reset();  // one share holder down: n - t = 1 may be
  ASSERT_EQ(submit(R"([{"kind":"organisation","kvk":"87654321"}])"), 201);
  ASSERT_TRUE(wait_until([&] { return pseudo.cached({signalnode::protocol::IdKind::kvk, "87654321"}).has_value(); }));
  EXPECT_EQ(pseudo.cached({signalnode::protocol::IdKind::kvk, "87654321"}),
            signalnode::testing::voprf_output(key, nodes_[0].oin + ":kvk:87654321"));
}

// A lying share holder over mTLS (issue 15, Bad input): pa-een answers with a
// share of another key. Its proofs fail against its public share in the
// manifest; the node names it in its metrics, takes the next holder, and
// stores exactly the pseudonym of the real key.
TEST_F(FederationTest, ALyingShareHolderIsNamedAndNothingIsStoredUnderItsAnswer) {
  apps_[4].reset();
  namespace ps = signalnode::node::pseudonyms;
  ps::run_key_ceremony(dir_ / "other-key", 2, 3, 1);
  auto share_path = signalnode::testing::share_file_of(nodes_[4].dir);
  std::filesystem::remove(share_path);
  std::filesystem::copy_file(ps::share_file(dir_ / "other-key", 1, 1), share_path);
  start(4);
  ASSERT_EQ(submit(R"([{"kind":"organisation","kvk":"12345678"}])"), 201);
  auto& pseudo = municipality().pseudonymiser();
  ASSERT_TRUE(wait_until([&] { return pseudo.cached({signalnode::protocol::IdKind::kvk, "12345678"}).has_value(); }, 15000))
      << pseudo.stats().last_error;
  auto key = signalnode::testing::whole_key_from(
      {signalnode::testing::share_file_of(nodes_[5].dir), signalnode::testing::share_file_of(nodes_[6].dir)});
  EXPECT_EQ(pseudo.cached({signalnode::protocol::IdKind::kvk, "12345678"}),
            signalnode::testing::voprf_output(key, nodes_[0].oin + ":kvk:12345678"));
  auto m = metrics();
  EXPECT_NE(m.find("signalnode_pa_holder_faults_total{holder=\"pa-een\"}"), std::string::npos) << m;
  EXPECT_EQ(m.find("signalnode_pa_holder_faults_total{holder=\"pa-twee\"}"), std::string::npos) << m;
}

// A share holder may not ask the others: with its own share it would need
// only t - 1 more to evaluate anything. A partner may.
TEST_F(FederationTest, AShareHolderMayNotAskAnotherForEvaluations) {
  auto manifest = apps_[4]->federation()->manifest();
  const auto& pa_twee = *manifest->find("pa-twee");
  auto blinded = c::voprf::blind(c::as_bytes(std::string_view("00000001002220647000:kvk:12345678")))->blinded_element;
  const std::string body = signalnode::node::pseudonyms::pa_request_json(std::span(&blinded, 1));
  auto asked_by_holder = apps_[4]->federation()->client_for(pa_twee)->request(
      "POST", "/federation/v1/oprf/evaluate", body, {{"Content-Type", "application/json"}});
  EXPECT_EQ(asked_by_holder.status, 403) << asked_by_holder.body;
  auto asked_by_partner = municipality().federation()->client_for(pa_twee)->request(
      "POST", "/federation/v1/oprf/evaluate", body, {{"Content-Type", "application/json"}});
  EXPECT_EQ(asked_by_partner.status, 200) << asked_by_partner.body;
  // A malformed request is the PA's `invalid` refusal, answered as a 400 naming the field.
  auto malformed = municipality().federation()->client_for(pa_twee)->request(
      "POST", "/federation/v1/oprf/evaluate", R"({"blindedElements":[]})", {{"Content-Type", "application/json"}});
  EXPECT_EQ(malformed.status, 400) << malformed.body;
  EXPECT_NE(malformed.body.find("invalid-field"), std::string::npos) << malformed.body;
  EXPECT_NE(malformed.body.find("blindedElements"), std::string::npos) << malformed.body;
}

TEST_F(FederationTest, SignalsWaitWhileTooFewShareHoldersAreUpAndArePseudonymisedWhenOneReturns) {
  apps_[4].reset();  // two of the three share holders go offline
  apps_[5].reset();
  ASSERT_EQ(submit(R"([{"kind":"organisation","kvk":"87654321"}])"), 201) << "accepted while the PA is away";
  auto& pseudo = municipality().pseudonymiser();
  ASSERT_TRUE(wait_until([&] { return !pseudo.stats().last_error.empty(); }));
  EXPECT_EQ(pseudo.stats().depth, 1);
  EXPECT_NE(pseudo.stats().last_error.find("1 of the 2 share holders needed"), std::string::npos) << pseudo.stats().last_error;
  EXPECT_NE(pseudo.stats().last_error.find("pa-een did not answer"), std::string::npos) << "the holder is named";
  start(5);
  // The backoff after one failure is 1 s; then the worker retries by itself.
  ASSERT_TRUE(wait_until([&] { return pseudo.stats().depth == 0; }, 15000));
  EXPECT_TRUE(pseudo.cached({signalnode::protocol::IdKind::kvk, "87654321"}));
}

TEST_F(FederationTest, ManifestChangesTakeEffectAndInvalidOnesAreRefused) {
  const auto& nla = nodes_[1];
  auto cert = file(nla, "federation.crt");
  auto key = file(nla, "federation.key");
  std::uint16_t port = nodes_[0].federation_port;
  ASSERT_NE(raw_request(port, cert, key).find("200"), std::string::npos);

  auto* fed = municipality().federation();
  auto manifest_path = nodes_[0].dir / "manifest.toml";
  std::string original = signalnode::node::net::read_text_file(manifest_path);
  auto old_hash = fed->manifest()->sha256;

  // An invalid manifest is refused; the last good one stays in force.
  c::write_file_atomically(manifest_path, original + "\nbroken = [\n");
  std::filesystem::last_write_time(manifest_path, std::filesystem::file_time_type::clock::now() + std::chrono::seconds(1));
  EXPECT_FALSE(fed->reload_if_changed());
  EXPECT_EQ(fed->manifest()->sha256, old_hash);
  EXPECT_NE(raw_request(port, cert, key).find("200"), std::string::npos);

  // Revoking the inspectorate (removing its entry) locks it out.
  auto m = signalnode::node::federation::parse_manifest(original, "m");
  m.partners.erase(m.partners.begin() + 1);
  c::write_file_atomically(manifest_path, signalnode::node::federation::manifest_to_toml(m));
  std::filesystem::last_write_time(manifest_path, std::filesystem::file_time_type::clock::now() + std::chrono::seconds(2));
  EXPECT_TRUE(fed->reload_if_changed());
  EXPECT_EQ(raw_request(port, cert, key), "");
}

TEST_F(FederationTest, ANodeRefusesToStartOnAnInvalidManifestOrPolicy) {
  apps_[1].reset();
  auto manifest = nodes_[1].dir / "manifest.toml";
  std::string good = signalnode::node::net::read_text_file(manifest);
  c::write_file_atomically(manifest, good + "\nunknown = 1\n");
  try {
    NodeApp app({nodes_[1].dir, std::nullopt});
    FAIL() << "started with an invalid manifest";
  } catch (const signalnode::node::federation::ManifestError& e) {
    EXPECT_NE(std::string(e.what()).find("manifest.toml:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("unknown: is not a known field"), std::string::npos) << e.what();
  }
  c::write_file_atomically(manifest, good);
  auto policy = nodes_[1].dir / "policy.toml";
  c::write_file_atomically(policy, signalnode::node::net::read_text_file(policy) + "\n[[rules]]\nid = 3\n");
  EXPECT_THROW(NodeApp({nodes_[1].dir, std::nullopt}), signalnode::policies::PolicyError);
}
