// Notifications (issue 17) on the four-partner federation, through a real SMTP
// server (aiosmtpd, tests/support/smtp_sink.py): each event reaches the users
// who hear it, once; a daily overview groups; a relay that is down loses
// nothing across a restart; and no message says what it is about.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>

#include "crypto/random.hpp"
#include "crypto/secret_file.hpp"
#include "node/notify/transport.hpp"
#include "node/auth/users.hpp"
#include "node/config/node_config.hpp"
#include "node/notify/notifier.hpp"
#include "node/sharing/sharing.hpp"
#include "sharing_fixture.hpp"
#include "tests/support/child_process.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;
using signalnode::testing::ChildProcess;
using signalnode::testing::free_port;
using signalnode::testing::wait_until;
namespace cfgns = signalnode::node::config;

namespace {

constexpr std::size_t kMunicipality = 0, kInspectorate = 1, kRiec = 3;
const char* kSink = SN_SOURCE_DIR "/tests/support/smtp_sink.py";

// Identifiers used nowhere else, so finding one in a mail means it leaked.
const std::string kKvk = "27182818";
const std::string kPostcode = "1432 KL";
const std::string kHookSecret = "a webhook secret only this test knows";
const std::string kSignal = R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
  "municipality":"GM0358","severity":"high","persons":6,"summary":"Werknemers krijgen 4 euro per uur",
  "subjects":[{"kind":"organisation","role":"temp_agency","kvk":")" + kKvk + R"(","name":"Zonnebloem Uitzend BV"},
   {"kind":"address","postcode":")" + kPostcode + R"(","houseNumber":88}]})";

struct Mail {
  std::string to, subject, body;
};

}  // namespace

class NotifyTest : public signalnode::testing::SharingFixture {
 protected:
  void SetUp() override {
    signalnode::crypto::init();
    dir_ = fs::temp_directory_path() / ("sn-notify-" + signalnode::crypto::random_hex_id(6));
    maildir_ = dir_ / "mail";
    nodes_ = signalnode::testing::create_test_federation(dir_);
    fs::create_directories(maildir_);
    smtp_port_ = free_port();
    hook_port_ = free_port();
    start_relay();
    hook_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        "/usr/bin/python3", SN_SOURCE_DIR "/tests/support/webhook_sink.py", "--port", std::to_string(hook_port_),
        "--out", (dir_ / "webhook.json").string()});
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].pseudonymisation_authority) continue;
      cfgns::NodePaths paths{nodes_[i].dir};
      auto cfg = cfgns::load_config(paths);
      cfgns::SmtpConfig smtp;
      smtp.host = "127.0.0.1";
      smtp.port = smtp_port_;
      smtp.starttls = false;  // the transport's own tests cover STARTTLS and log-in
      smtp.from = "signalnode@" + nodes_[i].org + ".test.invalid";
      cfg.notifications.smtp = smtp;
      cfg.notifications.default_mode = "immediate";
      cfg.notifications.gather_seconds = 0;
      if (i == kRiec) {
        // The RIEC routes alerts into its own case system as well.
        cfgns::WebhookConfig hook;
        hook.name = "zaaksysteem";
        hook.url = "http://127.0.0.1:" + std::to_string(hook_port_) + "/hooks/signalnode";
        hook.secret_file = "keys/webhook.key";
        hook.topics = {"alert"};
        cfg.notifications.webhooks.push_back(hook);
        signalnode::crypto::write_secret_file(nodes_[i].dir / "keys" / "webhook.key",
                                              signalnode::crypto::as_bytes(std::string_view(kHookSecret)));
      }
      std::ofstream(paths.config()) << cfgns::config_to_json(cfg);
    }
    for (std::size_t i = 0; i < nodes_.size(); ++i) start_node(i);
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].pseudonymisation_authority) continue;
      for (const char* role : {"officer", "analyst", "privacy_officer", "admin"}) add_user(i, role, role);
    }
  }
  void TearDown() override {
    apps_.clear();
    relay_.reset();
    hook_.reset();
    fs::remove_all(dir_);
  }
  void start_node(std::size_t i) {
    if (apps_.size() <= i) apps_.resize(i + 1);
    apps_[i] = std::make_unique<signalnode::node::app::NodeApp>(signalnode::node::app::NodeOptions{
        nodes_[i].dir, std::nullopt, [this] { return std::chrono::system_clock::now() + shift_.load(); }});
    apps_[i]->start();
  }
  void add_user(std::size_t node, const std::string& name, const std::string& role) {
    auto& users = apps_[node]->users();
    users.create(name, *signalnode::node::auth::role_from_string(role), "a long test password " + name, now_ms(), "test");
    users.set_contact(name, {name, "020 555 0100", email_of(node, name)});
  }
  std::string email_of(std::size_t node, const std::string& user) const {
    return user + "@" + nodes_[node].org + ".test.invalid";
  }
  std::int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               (std::chrono::system_clock::now() + shift_.load()).time_since_epoch())
        .count();
  }
  void start_relay() {
    relay_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        "/usr/bin/python3", kSink, "--port", std::to_string(smtp_port_), "--maildir", maildir_.string()});
  }
  std::vector<Mail> mails() const {
    std::vector<Mail> out;
    for (const auto& f : fs::directory_iterator(maildir_)) {
      if (f.path().extension() != ".json") continue;
      std::ifstream in(f.path());
      json::value v = json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
      for (const auto& to : v.at("rcpt_tos").as_array()) {
        out.push_back({std::string(to.as_string()), std::string(v.at("subject").as_string()),
                       std::string(v.at("body").as_string())});
      }
    }
    return out;
  }
  std::vector<Mail> mails_to(const std::string& address) const {
    std::vector<Mail> out;
    for (auto& m : mails()) {
      if (m.to == address) out.push_back(std::move(m));
    }
    return out;
  }
  // The whole of what one node's users were told: a mail or more each.
  std::map<std::string, int> count_by_recipient() const {
    std::map<std::string, int> out;
    for (const auto& m : mails()) ++out[m.to];
    return out;
  }
  // A labour signal at the municipality, delivered to the inspectorate and RIEC.
  std::string shared_signal() {
    std::string id = submit(kMunicipality, kSignal);
    EXPECT_TRUE(wait_until([&] {
      auto s = sharing_states(id);
      return s["riec-amsterdam"] == "delivered" && s["nla"] == "delivered";
    }, 20000));
    return id;
  }
  // The inspectorate reports the same company: with the municipality's
  // record, a bundle at the RIEC.
  void report_same_company_at_the_inspectorate() {
    auto r = api(kInspectorate, "POST", "/api/v1/signals", "officer",
                 R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-21","municipality":"GM0358",
                     "severity":"high","subjects":[{"kind":"organisation","role":"temp_agency","kvk":")" +
                     kKvk + R"("}]})");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  std::string inbox_id_at(std::size_t node, const std::string& source) {
    for (const auto& item : inbox(node)) {
      if (item.at("source").at("org").as_string() == source) return std::string(item.at("id").as_string());
    }
    return {};
  }

  fs::path maildir_;
  std::uint16_t smtp_port_ = 0, hook_port_ = 0;
  std::unique_ptr<ChildProcess> relay_, hook_;
  std::atomic<std::chrono::milliseconds> shift_{std::chrono::milliseconds(0)};
};

// Feedback reaches the officer who submitted the signal, and nobody else; a
// request to decide reaches that officer too, and its answer the analyst who
// asked. Each once.
TEST_F(NotifyTest, EachEventReachesTheUsersWhoHearItOnce) {
  const std::string signal = shared_signal();
  const std::string record = inbox_id_at(kInspectorate, "gemeente-aalsmeer");
  ASSERT_FALSE(record.empty());
  auto fb = api(kInspectorate, "POST", "/api/v1/inbox/" + record + "/feedback", "analyst", R"({"status":"assessed"})");
  ASSERT_TRUE(fb.status == 200 || fb.status == 202) << fb.body;

  const std::string officer = email_of(kMunicipality, "officer");
  ASSERT_TRUE(wait_until([&] { return !mails_to(officer).empty(); }, 20000)) << "no mail to the officer";
  auto to_officer = mails_to(officer);
  ASSERT_EQ(to_officer.size(), 1u);
  EXPECT_NE(to_officer[0].subject.find("1 terugkoppeling op uw signalen"), std::string::npos) << to_officer[0].subject;
  EXPECT_NE(to_officer[0].subject.find("Gemeente Aalsmeer"), std::string::npos) << to_officer[0].subject;
  EXPECT_NE(to_officer[0].body.find("https://"), std::string::npos) << "the mail links to the node";

  // A details request from the RIEC waits on the municipality's officer.
  const std::string riec_record = inbox_id_at(kRiec, "gemeente-aalsmeer");
  auto ask = api(kRiec, "POST", "/api/v1/requests", "analyst",
                 R"({"type":"details","recordId":")" + riec_record +
                     R"(","kinds":["kvk"],"purpose":"Vaststellen welk uitzendbureau dit is","reference":"RIEC-2026-101"})");
  ASSERT_EQ(ask.status, 202) << ask.body;
  const std::string request = std::string(json::parse(ask.body).at("id").as_string());
  ASSERT_TRUE(wait_until([&] { return mails_to(officer).size() == 2; }, 20000));
  bool asked = false;
  for (const auto& m : mails_to(officer)) asked |= m.subject.find("1 verzoek dat op uw besluit wacht") != std::string::npos;
  EXPECT_TRUE(asked);

  auto decide = api(kMunicipality, "POST", "/api/v1/requests/" + request + "/decision", "officer", R"({"decision":"approve"})");
  ASSERT_TRUE(decide.status == 200 || decide.status == 202) << decide.body;
  const std::string riec_analyst = email_of(kRiec, "analyst");
  ASSERT_TRUE(wait_until([&] {
    for (const auto& m : mails_to(riec_analyst)) {
      if (m.subject.find("beantwoord verzoek") != std::string::npos) return true;
    }
    return false;
  }, 20000));

  // Settle, then count: nobody heard anything twice, and nobody who should
  // not hear of feedback or requests did.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  auto counts = count_by_recipient();
  EXPECT_EQ(counts[officer], 2) << "feedback and the request, once each";
  EXPECT_EQ(counts[email_of(kMunicipality, "privacy_officer")], 0);
  EXPECT_EQ(counts[email_of(kMunicipality, "admin")], 0);
  EXPECT_EQ(counts[email_of(kInspectorate, "officer")], 0);
  int answered = 0;
  for (const auto& m : mails_to(riec_analyst)) answered += m.subject.find("beantwoord verzoek") != std::string::npos;
  EXPECT_EQ(answered, 1);
  (void)signal;
}

// A user who chose the daily overview hears nothing until its hour, then one
// mail with every topic counted.
TEST_F(NotifyTest, ADailyOverviewGroupsWhatCameInOneMail) {
  auto prefs = api(kMunicipality, "GET", "/api/v1/me/notifications", "officer");
  EXPECT_EQ(prefs.status, 404) << "API tokens have no notification settings";
  apps_[kMunicipality]->notifier()->set_preferences("officer", {signalnode::node::notify::Mode::digest, "en"});
  // Two signals, feedback on both from the inspectorate.
  shared_signal();
  shared_signal();
  for (const auto& item : inbox(kInspectorate)) {
    auto fb = api(kInspectorate, "POST", "/api/v1/inbox/" + std::string(item.at("id").as_string()) + "/feedback",
                  "analyst", R"({"status":"assessed"})");
    ASSERT_TRUE(fb.status == 200 || fb.status == 202) << fb.body;
  }
  const std::string officer = email_of(kMunicipality, "officer");
  std::this_thread::sleep_for(std::chrono::seconds(5));
  EXPECT_TRUE(mails_to(officer).empty()) << "a digest user hears nothing before the overview's hour";
  // The next overview time: tomorrow 07:00 local at the latest.
  shift_.store(std::chrono::hours(24));
  ASSERT_TRUE(wait_until([&] { return !mails_to(officer).empty(); }, 20000));
  std::this_thread::sleep_for(std::chrono::seconds(3));
  auto got = mails_to(officer);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].subject.find("Daily overview: 2 feedback messages on your signals"), std::string::npos) << got[0].subject;
}

// The relay is down: notices wait in the database, survive a restart, and
// are sent once when it is back.
TEST_F(NotifyTest, ARelayThatIsDownLosesNothingAcrossARestart) {
  relay_.reset();
  shared_signal();
  const std::string record = inbox_id_at(kInspectorate, "gemeente-aalsmeer");
  auto fb = api(kInspectorate, "POST", "/api/v1/inbox/" + record + "/feedback", "analyst", R"({"status":"assessed"})");
  ASSERT_TRUE(fb.status == 200 || fb.status == 202) << fb.body;
  // The admin sees the message waiting, with the reason in words.
  ASSERT_TRUE(wait_until([&] {
    auto r = api(kMunicipality, "GET", "/api/v1/notifications/deliveries", "admin");
    return r.status == 200 && r.body.find("\"lastError\"") != std::string::npos;
  }, 20000));
  auto listed = api(kMunicipality, "GET", "/api/v1/notifications/deliveries", "admin");
  EXPECT_NE(listed.body.find("queued"), std::string::npos) << listed.body;
  EXPECT_EQ(listed.body.find(".cpp"), std::string::npos) << listed.body;

  apps_[kMunicipality].reset();
  start_relay();
  start_node(kMunicipality);
  // The retry waits out its backoff (30 s +-20%); move the clock instead.
  shift_.store(std::chrono::minutes(2));
  const std::string officer = email_of(kMunicipality, "officer");
  ASSERT_TRUE(wait_until([&] { return !mails_to(officer).empty(); }, 30000));
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(mails_to(officer).size(), 1u);
}

// What every mail of a busy exchange says: counts, a link, the node's own
// name. Never an identifier, pseudonym, category, municipality or partner.
TEST_F(NotifyTest, NoMessageSaysWhatItIsAbout) {
  shared_signal();
  // The inspectorate reports the same company: the RIEC's analysts get an alert.
  report_same_company_at_the_inspectorate();
  const std::string riec_analyst = email_of(kRiec, "analyst");
  ASSERT_TRUE(wait_until([&] {
    for (const auto& m : mails_to(riec_analyst)) {
      if (m.subject.find("alert") != std::string::npos) return true;
    }
    return false;
  }, 30000));
  for (const auto& item : inbox(kInspectorate)) {
    (void)api(kInspectorate, "POST", "/api/v1/inbox/" + std::string(item.at("id").as_string()) + "/feedback", "analyst",
              R"({"status":"investigation_started"})");
  }
  ASSERT_TRUE(wait_until([&] { return !mails_to(email_of(kMunicipality, "officer")).empty(); }, 20000));
  std::this_thread::sleep_for(std::chrono::seconds(3));

  const std::vector<std::string> never = {
      kKvk, "1432", "Zonnebloem", "GM0358", "labour", "underpaid", "Onderbetaling", "4 euro",
      "riec-amsterdam", "gemeente-aalsmeer", ".invalid"};
  const std::regex hex_run("[0-9a-f]{16,}");  // mails carry no id at all
  auto all = mails();
  ASSERT_GE(all.size(), 2u);
  for (const auto& m : all) {
    const std::string text = m.subject + "\n" + m.body;
    for (const auto& word : never) EXPECT_EQ(text.find(word), std::string::npos) << word << " in: " << text;
    EXPECT_FALSE(std::regex_search(text, hex_run)) << "a pseudonym or id in: " << text;
    // Only the recipient's own organisation is named, never a partner.
    for (const auto& n : nodes_) {
      if (m.to.ends_with("@" + n.org + ".test.invalid")) continue;
      EXPECT_EQ(text.find(n.name), std::string::npos) << n.name << " in a mail to " << m.to << ": " << text;
    }
  }
}

// A received record past its rule's feedback period (30 days towards the
// inspectorate): its analysts hear of it once, and their start page counts it.
TEST_F(NotifyTest, ARecordPastItsFeedbackPeriodIsAReminderToTheRecipientsAnalysts) {
  shared_signal();
  const std::string analyst = email_of(kInspectorate, "analyst");
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const auto before = mails_to(analyst).size();
  shift_.store(std::chrono::hours(24 * 31));
  ASSERT_TRUE(wait_until([&] {
    for (const auto& m : mails_to(analyst)) {
      if (m.subject.find("1 ontvangen melding die op terugkoppeling wacht") != std::string::npos) return true;
    }
    return false;
  }, 20000)) << "mails to the analyst: " << mails_to(analyst).size() - before;
  std::this_thread::sleep_for(std::chrono::seconds(3));
  int reminders = 0;
  for (const auto& m : mails_to(analyst)) reminders += m.subject.find("terugkoppeling wacht") != std::string::npos;
  EXPECT_EQ(reminders, 1);
}

// The RIEC's case system hears of the alert: a signed call that says how
// many, and nothing of what.
TEST_F(NotifyTest, AWebhookCallIsSignedAndSaysOnlyHowMany) {
  shared_signal();
  report_same_company_at_the_inspectorate();
  const fs::path out = dir_ / "webhook.json";
  ASSERT_TRUE(wait_until([&] { return fs::exists(out); }, 30000));
  std::ifstream in(out);
  json::value call = json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
  const std::string body(call.at("body").as_string());
  const auto& headers = call.at("headers").as_object();
  const std::string stamp(headers.at("x-signalnode-timestamp").as_string());
  const std::string expected = signalnode::node::notify::webhook_signature(
      signalnode::crypto::as_bytes(std::string_view(kHookSecret)), std::stoll(stamp), body);
  EXPECT_EQ(headers.at("x-signalnode-signature").as_string(), expected);
  json::value doc = json::parse(body);
  EXPECT_EQ(doc.at("type"), "signalnode.notification");
  EXPECT_EQ(doc.at("node"), "riec-amsterdam");
  EXPECT_EQ(doc.at("id").as_string().size(), 32u) << "an id that stays the same on a retry";
  EXPECT_GE(doc.at("counts").at("alert").as_int64(), 1);
  EXPECT_EQ(doc.at("counts").as_object().size(), 1u) << "only the topics the hook asked for";
  for (const std::string& word : {kKvk, std::string("GM0358"), std::string("labour"), std::string("nla")}) {
    EXPECT_EQ(body.find(word), std::string::npos) << word << " in " << body;
  }
  EXPECT_EQ(call.at("path"), "/hooks/signalnode");
}

// Issue 18, honest health: with a partner away, /healthz says how much waits
// for partners and since when, without naming anyone.
TEST_F(NotifyTest, HealthSaysHowFarSendingIsBehind) {
  apps_[kInspectorate].reset();
  std::string id = submit(kMunicipality, kSignal);
  ASSERT_TRUE(wait_until([&] { return sharing_states(id)["riec-amsterdam"] == "delivered"; }, 20000));
  auto r = api(kMunicipality, "GET", "/healthz", "officer");
  ASSERT_EQ(r.status, 200) << r.body;
  json::value v = json::parse(r.body);
  EXPECT_GE(v.at("outbox").at("waiting").as_int64(), 1) << r.body;
  EXPECT_GE(v.at("outbox").at("oldestSeconds").as_int64(), 0);
  EXPECT_EQ(r.body.find("nla"), std::string::npos) << "no partner is named to whoever reaches the port";
}
