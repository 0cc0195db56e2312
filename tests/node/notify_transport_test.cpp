// The notification transports against real servers: an aiosmtpd relay
// (tests/support/smtp_sink.py) and a python webhook receiver
// (tests/support/webhook_sink.py), both run with Debian's /usr/bin/python3.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/x509.hpp"
#include "node/notify/mail_format.hpp"
#include "node/notify/transport.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/stalling_peer.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_federation.hpp"

namespace {

namespace fs = std::filesystem;
namespace notify = signalnode::node::notify;
namespace crypto = signalnode::crypto;
using signalnode::testing::ChildProcess;
using signalnode::testing::free_port;
using signalnode::testing::StallingPeer;
using signalnode::testing::TempDir;

constexpr const char* kPython = "/usr/bin/python3";
constexpr std::string_view kPassword = "Geheim-wachtw00rd!";
constexpr std::string_view kSubject =
    "Nieuw signaal voor Aalsmeer: coördinatie en één overeenkomst — ëxtra lange onderwerpregel";
constexpr std::string_view kQuerySecret = "token=s3cr3t-query";

std::string support(std::string_view name) {
  return std::string(SN_SOURCE_DIR) + "/tests/support/" + std::string(name);
}

void write_file(const fs::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

crypto::SecretBytes secret(std::string_view text) {
  return crypto::SecretBytes(crypto::Bytes(text.begin(), text.end()));
}

// Whatever went wrong, an admin's text carries no secret, no URL query and no
// trace of the library's sources.
void expect_clean(const notify::SendResult& result) {
  EXPECT_EQ(result.error.find(kPassword), std::string::npos) << result.error;
  EXPECT_EQ(result.error.find(kQuerySecret), std::string::npos) << result.error;
  EXPECT_EQ(result.error.find("/usr/include"), std::string::npos) << result.error;
  EXPECT_EQ(result.error.find(".cpp"), std::string::npos) << result.error;
  EXPECT_EQ(result.error.find(".hpp"), std::string::npos) << result.error;
  EXPECT_EQ(result.error.find('\n'), std::string::npos) << result.error;
  if (!result.ok) {
    EXPECT_NE(result.error.find(" / "), std::string::npos) << "Dutch / English: " << result.error;
  }
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

class NotifyTransport : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::CertificateSpec ca_spec;
    ca_spec.common_name = "Test mail CA";
    ca_spec.is_ca = true;
    auto ca = crypto::issue_certificate(ca_spec);
    write_file(dir_ / "ca.crt", ca.certificate_pem);

    auto issue = [&](const fs::path& name, std::vector<std::string> dns, std::vector<std::string> ips, bool by_ca) {
      crypto::CertificateSpec spec;
      spec.common_name = dns.empty() ? "127.0.0.1" : dns.front();
      spec.dns_names = std::move(dns);
      spec.ip_addresses = std::move(ips);
      auto leaf = by_ca ? crypto::issue_certificate(spec, ca.certificate_pem, ca.private_key_pem.chars())
                        : crypto::issue_certificate(spec);
      write_file(dir_ / (name.string() + ".crt"), leaf.certificate_pem);
      write_file(dir_ / (name.string() + ".key"), leaf.private_key_pem.chars());
    };
    issue("server", {"localhost"}, {"127.0.0.1"}, true);
    issue("rogue", {"localhost"}, {"127.0.0.1"}, false);  // self-signed, not in ca.crt
    issue("elsewhere", {"mail.example.nl"}, {}, true);    // trusted CA, wrong name
    fs::create_directories(dir_ / "mail");
  }

  // An SMTP relay on a fresh port; `cert` names a key pair in dir_ for STARTTLS.
  std::unique_ptr<ChildProcess> start_relay(std::uint16_t port, std::optional<std::string> cert,
                                            std::optional<std::string> auth = std::nullopt,
                                            std::optional<std::string> refuse = std::nullopt) {
    std::vector<std::string> argv{kPython,     support("smtp_sink.py"), "--port", std::to_string(port),
                                  "--maildir", (dir_ / "mail").string()};
    if (cert) {
      argv.insert(argv.end(), {"--tls-cert", (dir_ / (*cert + ".crt")).string(), "--tls-key",
                               (dir_ / (*cert + ".key")).string(), "--require-starttls"});
    }
    if (auth) argv.insert(argv.end(), {"--auth", *auth});
    if (refuse) argv.insert(argv.end(), {"--refuse", *refuse});
    auto child = std::make_unique<ChildProcess>(argv);
    EXPECT_EQ(child->first_line(), "ready " + std::to_string(port));
    return child;
  }

  notify::SmtpSettings settings(std::uint16_t port) const {
    notify::SmtpSettings smtp;
    smtp.host = "127.0.0.1";
    smtp.port = port;
    smtp.username = "signalnode";
    smtp.password = secret(kPassword);
    smtp.from = "signalnode@gemeente-aalsmeer.nl";
    smtp.ca_file = (dir_ / "ca.crt").string();
    smtp.timeout_seconds = 10;
    return smtp;
  }

  static notify::MailMessage message() {
    notify::MailMessage m;
    m.to = "handhaving@gemeente-aalsmeer.nl";
    m.subject = std::string(kSubject);
    m.text =
        "Beste collega,\n\nEr is één nieuw signaal. Een regel die langer is dan zesenzeventig tekens, zodat "
        "quoted-printable hem zacht moet afbreken.\n.Een regel die met een punt begint\r\nEinde  \n";
    return m;
  }

  std::vector<boost::json::object> received() const {
    std::vector<boost::json::object> out;
    for (const auto& entry : fs::directory_iterator(dir_ / "mail")) {
      if (entry.path().extension() == ".json") out.push_back(boost::json::parse(read_file(entry.path())).as_object());
    }
    return out;
  }

  TempDir dir_{"sn-notify-transport-"};
};

TEST_F(NotifyTransport, DeliversOverStartTlsWithLogin) {
  const auto port = free_port();
  auto relay = start_relay(port, "server", "signalnode:" + std::string(kPassword));
  const auto result = notify::send_mail(settings(port), message());
  ASSERT_TRUE(result.ok) << result.error;
  expect_clean(result);

  const auto mails = received();
  ASSERT_EQ(mails.size(), 1u);
  const auto& mail = mails.front();
  EXPECT_EQ(mail.at("mail_from").as_string(), "signalnode@gemeente-aalsmeer.nl");
  ASSERT_EQ(mail.at("rcpt_tos").as_array().size(), 1u);
  EXPECT_EQ(mail.at("rcpt_tos").as_array().at(0).as_string(), "handhaving@gemeente-aalsmeer.nl");
  EXPECT_TRUE(mail.at("tls").as_bool());
  EXPECT_TRUE(mail.at("authenticated").as_bool());
  // Python's email package decodes the encoded-words back to the UTF-8 subject.
  EXPECT_EQ(mail.at("subject").as_string(), kSubject);
  std::string body(mail.at("body").as_string());
  for (auto at = body.find("\r\n"); at != std::string::npos; at = body.find("\r\n")) body.erase(at, 1);
  std::string expected = message().text;
  expected.erase(expected.find('\r'), 1);
  EXPECT_EQ(body, expected);

  const std::string data(mail.at("data").as_string());
  EXPECT_TRUE(contains(data, "From: <signalnode@gemeente-aalsmeer.nl>\r\n"));
  EXPECT_TRUE(contains(data, "To: <handhaving@gemeente-aalsmeer.nl>\r\n"));
  EXPECT_TRUE(contains(data, "Subject: =?UTF-8?B?"));
  EXPECT_TRUE(contains(data, "Message-ID: <"));
  EXPECT_TRUE(contains(data, "@gemeente-aalsmeer.nl>\r\n"));
  EXPECT_TRUE(contains(data, "Date: "));
  EXPECT_TRUE(contains(data, "MIME-Version: 1.0\r\n"));
  EXPECT_TRUE(contains(data, "Content-Type: text/plain; charset=utf-8\r\n"));
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] != '\n') continue;
    EXPECT_TRUE(i > 0 && data[i - 1] == '\r') << "bare LF at " << i;
    EXPECT_LE(i - line_start, 77u) << "long line at " << i;
    line_start = i + 1;
  }
}

TEST_F(NotifyTransport, RelayWithoutStartTlsGetsNothing) {
  const auto port = free_port();
  auto relay = start_relay(port, std::nullopt);
  const auto result = notify::send_mail(settings(port), message());
  EXPECT_FALSE(result.ok);
  // Mail would go in clear: a configuration matter for an admin, so permanent.
  EXPECT_TRUE(result.permanent);
  EXPECT_TRUE(contains(result.error, "STARTTLS")) << result.error;
  expect_clean(result);
  EXPECT_TRUE(received().empty());
}

TEST_F(NotifyTransport, UntrustedCertificateIsRefused) {
  const auto port = free_port();
  auto relay = start_relay(port, "rogue", "signalnode:" + std::string(kPassword));
  const auto result = notify::send_mail(settings(port), message());
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.permanent);
  EXPECT_TRUE(contains(result.error, "certificate of the mail relay is not trusted")) << result.error;
  EXPECT_TRUE(contains(result.error, "self-signed")) << result.error;
  expect_clean(result);
  EXPECT_TRUE(received().empty());
}

TEST_F(NotifyTransport, CertificateForAnotherNameIsRefused) {
  const auto port = free_port();
  auto relay = start_relay(port, "elsewhere");
  const auto result = notify::send_mail(settings(port), message());
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.permanent);
  EXPECT_TRUE(contains(result.error, "not trusted")) << result.error;
  EXPECT_TRUE(contains(result.error, "another host name")) << result.error;
  expect_clean(result);
}

TEST_F(NotifyTransport, WrongPasswordIsALoginRefusal) {
  const auto port = free_port();
  auto relay = start_relay(port, "server", "signalnode:" + std::string(kPassword) + "-old");
  const auto result = notify::send_mail(settings(port), message());
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.permanent);
  EXPECT_TRUE(contains(result.error, "refused the login")) << result.error;
  expect_clean(result);
  EXPECT_TRUE(received().empty());
}

// starttls=false is the demo relay on loopback; it also covers that path.
TEST_F(NotifyTransport, TemporaryRefusalIsRetryable) {
  const auto port = free_port();
  auto relay = start_relay(port, std::nullopt, std::nullopt, "451");
  auto smtp = settings(port);
  smtp.starttls = false;
  smtp.username.clear();
  const auto result = notify::send_mail(smtp, message());
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.permanent);
  EXPECT_TRUE(contains(result.error, "temporarily")) << result.error;
  EXPECT_TRUE(contains(result.error, "451")) << result.error;
  expect_clean(result);
}

TEST_F(NotifyTransport, RefusedRecipientIsPermanent) {
  const auto port = free_port();
  auto relay = start_relay(port, std::nullopt, std::nullopt, "550");
  auto smtp = settings(port);
  smtp.starttls = false;
  smtp.username.clear();
  const auto result = notify::send_mail(smtp, message());
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.permanent);
  EXPECT_TRUE(contains(result.error, "refused the recipient")) << result.error;
  expect_clean(result);
}

TEST_F(NotifyTransport, PlainDemoRelayOnLoopbackDelivers) {
  const auto port = free_port();
  auto relay = start_relay(port, std::nullopt);
  auto smtp = settings(port);
  smtp.starttls = false;
  smtp.username.clear();
  const auto result = notify::send_mail(smtp, message());
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(received().size(), 1u);
}

TEST_F(NotifyTransport, ClosedPortCannotBeReached) {
  const auto result = notify::send_mail(settings(free_port()), message());
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.permanent);
  EXPECT_TRUE(contains(result.error, "cannot be reached")) << result.error;
  expect_clean(result);
}

TEST_F(NotifyTransport, SilentServerEndsWithinTheTimeout) {
  const auto port = free_port();
  StallingPeer stalling(port);
  auto smtp = settings(port);
  smtp.timeout_seconds = 2;
  const auto started = std::chrono::steady_clock::now();
  const auto result = notify::send_mail(smtp, message());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.permanent);
  EXPECT_TRUE(contains(result.error, "did not answer")) << result.error;
  EXPECT_EQ(stalling.accepted(), 1);
  expect_clean(result);
}

TEST_F(NotifyTransport, LineBreaksAreRefusedBeforeConnecting) {
  const auto port = free_port();
  StallingPeer stalling(port);
  auto smtp = settings(port);
  smtp.timeout_seconds = 2;

  auto m = message();
  m.subject = "Signaal\r\nBcc: iedereen@example.nl";
  auto result = notify::send_mail(smtp, m);
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.permanent);
  EXPECT_TRUE(contains(result.error, "subject")) << result.error;
  expect_clean(result);

  m = message();
  m.to = "handhaving@gemeente-aalsmeer.nl\r\nRCPT TO:<lek@example.nl>";
  result = notify::send_mail(smtp, m);
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.permanent);
  EXPECT_TRUE(contains(result.error, "recipient address")) << result.error;

  auto bad_from = settings(port);
  bad_from.from = "signalnode@gemeente-aalsmeer.nl\nBcc: x@example.nl";
  result = notify::send_mail(bad_from, message());
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.permanent);

  auto clear_remote = settings(port);
  clear_remote.host = "smtp.example.nl";
  clear_remote.starttls = false;
  result = notify::send_mail(clear_remote, message());
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.permanent);
  EXPECT_TRUE(contains(result.error, "STARTTLS")) << result.error;

  EXPECT_EQ(stalling.accepted(), 0);
}

TEST(NotifyMailAddress, AcceptsPlainAddressesOnly) {
  EXPECT_TRUE(notify::is_safe_mail_address("signalnode@gemeente-aalsmeer.nl"));
  EXPECT_TRUE(notify::is_safe_mail_address("team.handhaving+alerts@example.nl"));
  EXPECT_TRUE(notify::is_safe_mail_address("demo@localhost"));
  for (std::string_view bad :
       {"", "geen-apenstaart", "@example.nl", "a@", "a@b@c.nl", "a\r\n@example.nl", "a@example.nl\n", "a b@example.nl",
        "<a@example.nl>", "a@example..nl", "a@-example.nl", ".a@example.nl", "a@exa_mple.nl", "Jan <a@example.nl>",
        "a@example.nl,b@example.nl", "jöran@example.nl"}) {
    EXPECT_FALSE(notify::is_safe_mail_address(bad)) << bad;
  }
}

TEST(NotifyMailFormat, EncodesWhatNeedsEncoding) {
  EXPECT_EQ(notify::mail::encode_subject("Nieuw signaal"), "Nieuw signaal");
  EXPECT_EQ(notify::mail::encode_subject("ë"), "=?UTF-8?B?w6s=?=");
  EXPECT_EQ(notify::mail::rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(notify::mail::quoted_printable("a=b \nc\td\r\n"), "a=3Db=20\r\nc\td\r\n");
  EXPECT_EQ(notify::mail::quoted_printable("één"), "=C3=A9=C3=A9n\r\n");
}

// ---- webhooks ----

std::string independent_hmac(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), out, &size);
  return "sha256=" + crypto::to_hex(crypto::ByteView(out, size));
}

class NotifyWebhook : public NotifyTransport {
 protected:
  std::unique_ptr<ChildProcess> start_receiver(std::uint16_t port, int status, bool tls = true,
                                               std::string cert = "server", double delay = 0) {
    std::vector<std::string> argv{kPython,    support("webhook_sink.py"),      "--port",  std::to_string(port),
                                  "--status", std::to_string(status),          "--delay", std::to_string(delay),
                                  "--out",    (dir_ / "request.json").string()};
    if (tls) {
      argv.insert(argv.end(),
                  {"--tls-cert", (dir_ / (cert + ".crt")).string(), "--tls-key", (dir_ / (cert + ".key")).string()});
    }
    auto child = std::make_unique<ChildProcess>(argv);
    EXPECT_EQ(child->first_line(), "ready " + std::to_string(port));
    return child;
  }

  notify::WebhookTarget target(std::string url) const {
    notify::WebhookTarget t;
    t.name = "meldkamer";
    t.url = std::move(url);
    t.secret = secret("gedeeld-geheim-van-32-tekens-lang");
    t.ca_file = (dir_ / "ca.crt").string();
    t.timeout_seconds = 5;
    return t;
  }

  static std::string url(std::uint16_t port, std::string_view scheme = "https") {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port) + "/hooks/signalnode?" +
           std::string(kQuerySecret);
  }
};

constexpr std::string_view kBody = R"({"event":"signal.matched","count":1,"plaats":"Aalsmeer ë"})";
constexpr std::int64_t kNow = 1700000000;

TEST_F(NotifyWebhook, PostsSignedJson) {
  const auto port = free_port();
  auto receiver = start_receiver(port, 204);
  const auto hook = target(url(port));
  const auto result = notify::post_webhook(hook, kBody, kNow);
  ASSERT_TRUE(result.ok) << result.error;

  const auto request = boost::json::parse(read_file(dir_ / "request.json")).as_object();
  const auto& headers = request.at("headers").as_object();
  EXPECT_EQ(request.at("path").as_string(), "/hooks/signalnode?" + std::string(kQuerySecret));
  EXPECT_EQ(request.at("body").as_string(), kBody);
  EXPECT_EQ(headers.at("content-type").as_string(), "application/json");
  EXPECT_EQ(headers.at("x-signalnode-timestamp").as_string(), "1700000000");
  const std::string signature(headers.at("x-signalnode-signature").as_string());
  EXPECT_EQ(signature, notify::webhook_signature(hook.secret.view(), kNow, kBody));
  EXPECT_EQ(signature, independent_hmac("gedeeld-geheim-van-32-tekens-lang", "1700000000." + std::string(kBody)));
  EXPECT_EQ(signature.size(), 7u + 64u);
  EXPECT_FALSE(headers.contains("expect"));
}

TEST(NotifyWebhookSignature, MatchesAnIndependentHmac) {
  const auto key = crypto::as_bytes("key");
  EXPECT_EQ(notify::webhook_signature(key, 42, "{}"), independent_hmac("key", "42.{}"));
  EXPECT_EQ(notify::webhook_signature(key, -1, ""), independent_hmac("key", "-1."));
  EXPECT_NE(notify::webhook_signature(key, 42, "{}"), notify::webhook_signature(key, 43, "{}"));
}

TEST_F(NotifyWebhook, ServerErrorsAndThrottlingAreRetryable) {
  for (int status : {500, 503, 429, 408}) {
    const auto port = free_port();
    auto receiver = start_receiver(port, status);
    const auto result = notify::post_webhook(target(url(port)), kBody, kNow);
    EXPECT_FALSE(result.ok) << status;
    EXPECT_FALSE(result.permanent) << status;
    EXPECT_TRUE(contains(result.error, "HTTP " + std::to_string(status))) << result.error;
    expect_clean(result);
  }
}

TEST_F(NotifyWebhook, ClientErrorsAndRedirectsArePermanent) {
  for (int status : {404, 400, 401, 302}) {
    const auto port = free_port();
    auto receiver = start_receiver(port, status);
    const auto result = notify::post_webhook(target(url(port)), kBody, kNow);
    EXPECT_FALSE(result.ok) << status;
    EXPECT_TRUE(result.permanent) << status;
    EXPECT_TRUE(contains(result.error, "HTTP " + std::to_string(status))) << result.error;
    expect_clean(result);
  }
}

TEST_F(NotifyWebhook, SlowReceiverTimesOutRetryably) {
  const auto port = free_port();
  auto receiver = start_receiver(port, 200, true, "server", 8);
  auto hook = target(url(port));
  hook.timeout_seconds = 2;
  const auto result = notify::post_webhook(hook, kBody, kNow);
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.permanent);
  EXPECT_TRUE(contains(result.error, "did not answer")) << result.error;
  expect_clean(result);
}

TEST_F(NotifyWebhook, ClosedPortIsRetryable) {
  const auto result = notify::post_webhook(target(url(free_port())), kBody, kNow);
  EXPECT_FALSE(result.ok);
  EXPECT_FALSE(result.permanent);
  EXPECT_TRUE(contains(result.error, "cannot be reached")) << result.error;
  expect_clean(result);
}

TEST_F(NotifyWebhook, UntrustedCertificateIsPermanent) {
  const auto port = free_port();
  auto receiver = start_receiver(port, 200, true, "rogue");
  const auto result = notify::post_webhook(target(url(port)), kBody, kNow);
  EXPECT_FALSE(result.ok);
  EXPECT_TRUE(result.permanent);
  EXPECT_TRUE(contains(result.error, "not trusted")) << result.error;
  expect_clean(result);
}

TEST_F(NotifyWebhook, PlainHttpOnlyToLoopback) {
  const auto port = free_port();
  auto receiver = start_receiver(port, 200, false);
  auto result = notify::post_webhook(target(url(port, "http")), kBody, kNow);
  EXPECT_TRUE(result.ok) << result.error;

  for (const std::string& bad : std::vector<std::string>{
           "http://example.org/hook?" + std::string(kQuerySecret), "http://10.0.0.1:8080/hook", "ftp://127.0.0.1/hook",
           "geen url", "https://gebruiker:" + std::string(kPassword) + "@example.org/", "file:///etc/passwd"}) {
    result = notify::post_webhook(target(bad), kBody, kNow);
    EXPECT_FALSE(result.ok) << bad;
    EXPECT_TRUE(result.permanent) << bad;
    EXPECT_TRUE(contains(result.error, "webhook URL is invalid")) << result.error;
    expect_clean(result);
  }
}

}  // namespace
