// Web accounts: argon2id hashes, growing waits after wrong passwords (per
// name, known or not, and per address) that never end a session, an admin's
// unlock and password reset, session idle and maximum lifetimes, logout, and
// an audit trail of every attempt that never holds the password.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "tests/support/temp_dir.hpp"
#include "crypto/password.hpp"
#include "crypto/random.hpp"
#include "node/audit/audit_log.hpp"
#include "node/auth/login_throttle.hpp"
#include "node/auth/users.hpp"
#include "node/storage/schema.hpp"

namespace fs = std::filesystem;
namespace c = signalnode::crypto;
namespace a = signalnode::node::audit;
namespace au = signalnode::node::auth;
namespace st = signalnode::node::storage;

namespace {

constexpr std::int64_t kT0 = 1'790'000'000'000;
const std::string kPassword = "correct horse battery staple";

class UsersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    c::init();
    store_ = std::make_unique<st::Store>(dir_ / "node.db", st::node_migrations());
    users_ = std::make_unique<au::UserStore>(*store_);
    users_->create("ria.officer", au::Role::officer, kPassword, kT0, "test");
  }
  void TearDown() override {
    users_.reset();
    store_.reset();
  }
  std::string audit_text() {
    a::AuditLog log(*store_, key_, [] { return kT0; });
    std::ostringstream out;
    log.export_jsonl(out);
    return out.str();
  }
  std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
  }

  c::SigningKey key_ = c::SigningKey::generate();
  signalnode::testing::TempDir dir_{"sn-users-"};
  std::unique_ptr<st::Store> store_;
  std::unique_ptr<au::UserStore> users_;
};

}  // namespace

TEST(PasswordHash, IsArgon2idAndVerifiesOnlyTheRightPassword) {
  c::init();
  std::string hash = c::hash_password(kPassword);
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_EQ(hash.find(kPassword), std::string::npos);
  EXPECT_TRUE(c::verify_password(hash, kPassword));
  EXPECT_FALSE(c::verify_password(hash, kPassword + "!"));
  EXPECT_FALSE(c::verify_password("not a hash", kPassword));
  EXPECT_NE(c::hash_password(kPassword), hash) << "a fresh salt every time";
}

TEST_F(UsersTest, CreateChecksNameRolePasswordAndUniqueness) {
  auto field_of = [&](const std::string& name, const std::string& password) -> std::string {
    try {
      users_->create(name, au::Role::analyst, password, kT0, "test");
      return "";
    } catch (const au::UserError& e) {
      return e.field + ": " + e.what();
    }
  };
  EXPECT_EQ(field_of("ab", kPassword).rfind("username", 0), 0u);
  EXPECT_EQ(field_of("Ria Officer", kPassword).rfind("username", 0), 0u);
  EXPECT_EQ(field_of(std::string(65, 'a'), kPassword).rfind("username", 0), 0u);
  EXPECT_EQ(field_of("new.analyst", "short"), "password: must be 12 to 256 characters");
  EXPECT_EQ(field_of("ria.officer", kPassword), "username: is taken");
  EXPECT_EQ(field_of("new.analyst", kPassword), "");
  auto list = users_->list(kT0);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].username, "new.analyst");
  EXPECT_EQ(list[0].role, au::Role::analyst);
  EXPECT_EQ(list[1].wait_until_ms, 0);
}

TEST_F(UsersTest, LoginGivesASessionWithItsOwnCsrfToken) {
  auto result = users_->login("ria.officer", kPassword, "192.0.2.7", kT0);
  ASSERT_EQ(result.outcome, au::LoginOutcome::ok);
  const auto& s = *result.session;
  EXPECT_EQ(s.token.rfind("sns_", 0), 0u);
  EXPECT_EQ(s.token.size(), 4u + 64u);
  EXPECT_EQ(s.csrf_token.size(), 32u);
  EXPECT_EQ(s.principal.role, au::Role::officer);
  EXPECT_EQ(s.principal.label, "ria.officer");

  auto found = users_->session(s.token, kT0 + 1000);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->csrf_token, s.csrf_token);
  EXPECT_FALSE(users_->session("sns_" + std::string(64, '0'), kT0)) << "an unknown cookie is no session";
  EXPECT_FALSE(users_->session("garbage", kT0));

  auto other = users_->login("ria.officer", kPassword, "192.0.2.7", kT0);
  EXPECT_NE(other.session->token, s.token);
  EXPECT_NE(other.session->csrf_token, s.csrf_token);
}

TEST_F(UsersTest, SessionsEndWhenIdleAtTheirMaximumAgeAndAtLogout) {
  auto s = *users_->login("ria.officer", kPassword, "", kT0).session;
  // Used every 20 minutes, it lives until the 8-hour maximum and not longer.
  std::int64_t t = kT0;
  while (t + 20 * 60'000 < kT0 + au::kSessionMaxMs) {
    t += 20 * 60'000;
    ASSERT_TRUE(users_->session(s.token, t)) << "at " << (t - kT0) / 60'000 << " min";
    store_->write([](st::Database&) {});  // the sliding expiry is written in the background
  }
  EXPECT_FALSE(users_->session(s.token, kT0 + au::kSessionMaxMs + 1));

  auto idle = *users_->login("ria.officer", kPassword, "", kT0).session;
  EXPECT_TRUE(users_->session(idle.token, kT0 + au::kSessionIdleMs - 1000));
  EXPECT_FALSE(users_->session(idle.token, kT0 + 2 * au::kSessionIdleMs));

  auto out = *users_->login("ria.officer", kPassword, "", kT0).session;
  users_->logout(out.token, kT0 + 1000);
  EXPECT_FALSE(users_->session(out.token, kT0 + 2000));
}

TEST(LoginThrottle, DelaysGrowFromSecondsToAtMostFifteenMinutes) {
  EXPECT_EQ(au::throttle_delay_ms(au::kAccountRule, 4), 0) << "four mistakes cost nothing";
  EXPECT_EQ(au::throttle_delay_ms(au::kAccountRule, 5), 15'000);
  EXPECT_EQ(au::throttle_delay_ms(au::kAccountRule, 6), 30'000);
  EXPECT_EQ(au::throttle_delay_ms(au::kAccountRule, 7), 60'000);
  EXPECT_EQ(au::throttle_delay_ms(au::kAccountRule, 11), 15 * 60'000);
  EXPECT_EQ(au::throttle_delay_ms(au::kAccountRule, 1'000'000), 15 * 60'000) << "no overflow";
  EXPECT_EQ(au::throttle_delay_ms(au::kAddressRule, 19), 0) << "an office behind one address has more room";
  EXPECT_EQ(au::throttle_delay_ms(au::kAddressRule, 20), 5'000);
}

TEST_F(UsersTest, WrongPasswordsMakeTheNextAttemptWaitAndNeverEndASession) {
  auto live = *users_->login("ria.officer", kPassword, "192.0.2.7", kT0).session;
  for (int i = 0; i < 4; ++i) {
    auto r = users_->login("ria.officer", "wrong password " + std::to_string(i), "198.51.100.9", kT0 + i);
    EXPECT_EQ(r.outcome, au::LoginOutcome::bad_credentials);
    EXPECT_EQ(r.wait_until_ms, 0) << "no wait for the first four";
  }
  auto fifth = users_->login("ria.officer", "wrong password 4", "198.51.100.9", kT0 + 10);
  EXPECT_EQ(fifth.outcome, au::LoginOutcome::bad_credentials);
  EXPECT_EQ(fifth.wait_until_ms, kT0 + 10 + 15'000) << "the fifth says when to try again";
  // During the wait nothing is checked from where the guesses came, also not the right password.
  auto during = users_->login("ria.officer", kPassword, "198.51.100.9", kT0 + 5'000);
  EXPECT_EQ(during.outcome, au::LoginOutcome::throttled);
  EXPECT_EQ(during.wait_until_ms, kT0 + 10 + 15'000);
  EXPECT_FALSE(during.session);
  EXPECT_EQ(users_->list(kT0 + 5'000)[0].wait_until_ms, kT0 + 10 + 15'000) << "the admin sees the wait";
  EXPECT_TRUE(users_->session(live.token, kT0 + 6'000)) << "the owner's open session is untouched";
  // After 15 seconds the right password works.
  auto later = users_->login("ria.officer", kPassword, "198.51.100.9", kT0 + 10 + 15'000);
  EXPECT_EQ(later.outcome, au::LoginOutcome::ok);
}

TEST_F(UsersTest, AGuesserElsewhereNeverMakesTheOwnerWaitWhereTheOwnerLogsIn) {
  // The owner logged in from the office before; a guesser elsewhere keeps the
  // name at its longest wait for an hour.
  ASSERT_EQ(users_->login("ria.officer", kPassword, "192.0.2.7", kT0).outcome, au::LoginOutcome::ok);
  std::int64_t t = kT0 + 1'000;
  for (int i = 0; i < 14; ++i) {
    auto r = users_->login("ria.officer", "guess " + std::to_string(i), "203.0.113.66", t);
    t = std::max(t + 1, r.wait_until_ms);
  }
  EXPECT_EQ(users_->login("ria.officer", kPassword, "203.0.113.66", t - 1).outcome, au::LoginOutcome::throttled);
  // At the office the owner logs in at once, and the owner's own typos there
  // count on their own.
  EXPECT_EQ(users_->login("ria.officer", kPassword, "192.0.2.7", t - 1).outcome, au::LoginOutcome::ok);
  auto typo = users_->login("ria.officer", "a typo", "192.0.2.7", t);
  EXPECT_EQ(typo.outcome, au::LoginOutcome::bad_credentials);
  EXPECT_EQ(typo.wait_until_ms, 0);
  // The same office as IPv4-mapped IPv6 (a node listening on ::) is the same address.
  EXPECT_EQ(users_->login("ria.officer", kPassword, "::ffff:192.0.2.7", t + 1).outcome, au::LoginOutcome::ok);
  EXPECT_EQ(au::normalised_client("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(au::normalised_client("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64") << "a client holds a whole /64";
}

TEST_F(UsersTest, ASuccessfulLogInDoesNotTellAGuesserThatTheNameIsInUse) {
  // Four wrong passwords, the owner logs in from the office, one more wrong:
  // the guesser sees the wait start exactly as for a name nobody has.
  auto probe = [&](const std::string& name, bool owner_logs_in, std::int64_t t0) {
    for (int i = 0; i < 4; ++i) (void)users_->login(name, "wrong", "203.0.113.66", t0 + i);
    if (owner_logs_in) {
      EXPECT_EQ(users_->login(name, kPassword, "192.0.2.7", t0 + 100).outcome, au::LoginOutcome::ok);
    }
    return users_->login(name, "wrong", "203.0.113.66", t0 + 200).wait_until_ms - t0;
  };
  users_->create("piet.analyst", au::Role::analyst, kPassword, kT0, "test");
  const auto known = probe("piet.analyst", true, kT0);
  const auto unknown = probe("nobody.here", false, kT0 + 1'000);
  EXPECT_EQ(known, unknown);
  EXPECT_EQ(known, 200 + 15'000);
}

TEST_F(UsersTest, AnOfficesFewTyposADayNeverAddUpToAWait) {
  // Ten typos a day from one NAT address for a week, over many names.
  std::int64_t t = kT0;
  for (int day = 0; day < 7; ++day) {
    for (int i = 0; i < 10; ++i) {
      (void)users_->login("colleague" + std::to_string(i), "typo", "198.51.100.1", t);
      t += 3'600'000 / 2;  // one every half hour of the working day
    }
    t += 14 * 3'600'000;
  }
  EXPECT_EQ(users_->login("ria.officer", kPassword, "198.51.100.1", t).outcome, au::LoginOutcome::ok);
}

TEST_F(UsersTest, AGuesserWaitsLongerForEveryGuessUpToFifteenMinutes) {
  std::int64_t t = kT0;
  std::int64_t wait = 0;
  for (int i = 0; i < 12; ++i) {
    auto r = users_->login("ria.officer", "guess " + std::to_string(i), "", t);
    ASSERT_EQ(r.outcome, au::LoginOutcome::bad_credentials) << i;
    wait = r.wait_until_ms > 0 ? r.wait_until_ms - t : 0;
    t += std::max<std::int64_t>(wait, 1);
  }
  EXPECT_EQ(wait, 15 * 60'000);
  EXPECT_LT(t - kT0, 60 * 60'000) << "12 guesses took " << (t - kT0) / 60'000 << " minutes";
  EXPECT_GT(t - kT0, 30 * 60'000);
}

TEST_F(UsersTest, AKnownAndAnUnknownNameAnswerAlikeUnderWrongPasswords) {
  auto run = [&](const std::string& name) {
    std::vector<std::pair<au::LoginOutcome, std::int64_t>> seen;
    for (int i = 0; i < 7; ++i) {
      auto r = users_->login(name, "wrong " + std::to_string(i), "", kT0 + i * 100);
      seen.emplace_back(r.outcome, r.wait_until_ms);
    }
    return seen;
  };
  EXPECT_EQ(run("ria.officer"), run("nobody.here"));
}

TEST_F(UsersTest, OneAddressGuessingManyNamesIsSlowedDown) {
  users_->create("piet.analyst", au::Role::analyst, kPassword, kT0, "test");
  // Twenty wrong passwords over many names from one address (at most three
  // per name: no account wait starts), then the address waits.
  std::int64_t t = kT0;
  for (int i = 0; i < 20; ++i) {
    auto r = users_->login("name" + std::to_string(i / 3), "wrong", "203.0.113.5", t++);
    EXPECT_EQ(r.outcome, au::LoginOutcome::bad_credentials) << i;
  }
  auto next = users_->login("piet.analyst", kPassword, "203.0.113.5", t);
  EXPECT_EQ(next.outcome, au::LoginOutcome::throttled) << "the address must wait, whatever name it tries";
  EXPECT_EQ(users_->login("piet.analyst", kPassword, "192.0.2.44", t).outcome, au::LoginOutcome::ok)
      << "the same account from another address is not held up";
}

TEST_F(UsersTest, AnAdminUnlocksAnAccountOrAnAddressAndItIsAudited) {
  for (int i = 0; i < 6; ++i) (void)users_->login("ria.officer", "wrong", "198.51.100.9", kT0 + i);
  EXPECT_EQ(users_->login("ria.officer", kPassword, "198.51.100.9", kT0 + 100).outcome, au::LoginOutcome::throttled);
  EXPECT_TRUE(users_->unlock("ria.officer", kT0 + 200, "user:admin"));
  EXPECT_EQ(users_->login("ria.officer", kPassword, "198.51.100.9", kT0 + 300).outcome, au::LoginOutcome::ok);
  EXPECT_FALSE(users_->unlock("nobody", kT0 + 400, "user:admin")) << "no such account";
  for (int i = 0; i < 21; ++i) (void)users_->login("x" + std::to_string(i), "wrong", "203.0.113.5", kT0 + 500 + i);
  EXPECT_TRUE(users_->unlock_address("203.0.113.5", kT0 + 600, "cli"));
  EXPECT_FALSE(users_->unlock_address("203.0.113.5", kT0 + 700, "cli")) << "nothing left to clear";
  std::string audit = audit_text();
  EXPECT_EQ(count(audit, "\"account.unlocked\""), 2u);
  EXPECT_NE(audit.find("\"by\":\"user:admin\""), std::string::npos);
  EXPECT_GE(count(audit, "\"login.throttled\""), 2u);
}

TEST_F(UsersTest, AnAdminResetOfAPasswordEndsEverySessionOfThatAccount) {
  auto one = *users_->login("ria.officer", kPassword, "", kT0).session;
  auto two = *users_->login("ria.officer", kPassword, "", kT0).session;
  for (int i = 0; i < 6; ++i) (void)users_->login("ria.officer", "wrong", "", kT0 + i);
  const std::string fresh = "a fresh passphrase from the admin";
  EXPECT_THROW((void)users_->reset_password("ria.officer", "short", kT0 + 100, "user:admin"), au::UserError);
  EXPECT_TRUE(users_->session(one.token, kT0 + 100)) << "a refused reset changes nothing";
  EXPECT_TRUE(users_->reset_password("ria.officer", fresh, kT0 + 200, "user:admin"));
  EXPECT_FALSE(users_->session(one.token, kT0 + 300));
  EXPECT_FALSE(users_->session(two.token, kT0 + 300));
  EXPECT_EQ(users_->login("ria.officer", kPassword, "", kT0 + 400).outcome, au::LoginOutcome::bad_credentials);
  EXPECT_EQ(users_->login("ria.officer", fresh, "", kT0 + 500).outcome, au::LoginOutcome::ok)
      << "the reset also cleared the wait";
  EXPECT_FALSE(users_->reset_password("nobody", fresh, kT0 + 600, "user:admin"));
  std::string audit = audit_text();
  EXPECT_EQ(count(audit, "\"password.reset\""), 1u);
  EXPECT_NE(audit.find("\"sessionsEnded\":2"), std::string::npos) << audit;
  EXPECT_EQ(audit.find(fresh), std::string::npos);
}

TEST_F(UsersTest, AUnknownUserIsABadCredentialLikeAWrongPassword) {
  EXPECT_EQ(users_->login("nobody", kPassword, "", kT0).outcome, au::LoginOutcome::bad_credentials);
  EXPECT_EQ(users_->login("RIA.OFFICER", kPassword, "", kT0).outcome, au::LoginOutcome::bad_credentials);
}

TEST_F(UsersTest, EveryAttemptIsAuditedWithoutThePassword) {
  (void)users_->login("ria.officer", kPassword, "192.0.2.7", kT0);
  for (int i = 0; i < 5; ++i) (void)users_->login("ria.officer", "hunter2-wrong-" + std::to_string(i), "192.0.2.8", kT0 + i);
  (void)users_->login("ria.officer", "hunter2-during-the-wait", "192.0.2.8", kT0 + 10);
  (void)users_->login("nobody", "hunter2-unknown", "192.0.2.9", kT0);
  std::string audit = audit_text();
  EXPECT_EQ(count(audit, "\"user.created\""), 1u);
  EXPECT_EQ(count(audit, "\"login.succeeded\""), 1u);
  EXPECT_EQ(count(audit, "\"login.failed\""), 7u) << "five wrong, one during the wait, one unknown";
  EXPECT_EQ(count(audit, "\"login.throttled\""), 1u);
  EXPECT_NE(audit.find("unknown user"), std::string::npos);
  EXPECT_NE(audit.find("192.0.2.8"), std::string::npos) << "the client address is in the record";
  EXPECT_EQ(audit.find("hunter2"), std::string::npos) << "no password, right or wrong, in the log";
  EXPECT_EQ(audit.find(kPassword), std::string::npos);
  EXPECT_EQ(audit.find("sns_"), std::string::npos) << "no session token in the log";
}

TEST_F(UsersTest, RemovingAnAccountEndsItsSessionsAtOnce) {
  auto s = *users_->login("ria.officer", kPassword, "", kT0).session;
  EXPECT_TRUE(users_->remove("ria.officer", kT0 + 1000, "admin"));
  EXPECT_FALSE(users_->session(s.token, kT0 + 2000));
  EXPECT_EQ(users_->login("ria.officer", kPassword, "", kT0 + 3000).outcome, au::LoginOutcome::bad_credentials);
  EXPECT_FALSE(users_->remove("ria.officer", kT0 + 4000, "admin")) << "gone already";
  EXPECT_TRUE(users_->list(kT0).empty());
  EXPECT_EQ(count(audit_text(), "\"user.deleted\""), 1u);
  users_->create("ria.officer", au::Role::analyst, kPassword, kT0 + 5000, "admin");  // the name is free again
}

TEST_F(UsersTest, ChangingThePasswordNeedsTheCurrentOneAndEndsOtherSessions) {
  auto here = *users_->login("ria.officer", kPassword, "", kT0).session;
  auto elsewhere = *users_->login("ria.officer", kPassword, "", kT0).session;
  const std::string next = "an entirely new passphrase";
  EXPECT_THROW((void)users_->change_password("ria.officer", here.token, kPassword, "short", "", kT0), au::UserError);
  EXPECT_EQ(users_->change_password("ria.officer", here.token, "not the password", next, "", kT0).outcome,
            au::ChangeOutcome::bad_current);
  EXPECT_EQ(users_->change_password("ria.officer", here.token, kPassword, next, "", kT0 + 1000).outcome,
            au::ChangeOutcome::ok);
  EXPECT_TRUE(users_->session(here.token, kT0 + 2000)) << "this browser stays logged in";
  EXPECT_FALSE(users_->session(elsewhere.token, kT0 + 2000)) << "every other session ends";
  EXPECT_EQ(users_->login("ria.officer", kPassword, "", kT0 + 3000).outcome, au::LoginOutcome::bad_credentials);
  EXPECT_EQ(users_->login("ria.officer", next, "", kT0 + 4000).outcome, au::LoginOutcome::ok);
  std::string audit = audit_text();
  EXPECT_EQ(count(audit, "\"password.changed\""), 1u);
  EXPECT_EQ(count(audit, "\"password.change_failed\""), 1u);
  EXPECT_EQ(audit.find(next), std::string::npos);
}

TEST_F(UsersTest, WrongCurrentPasswordsCountAsWrongLogInsAndKeepTheSession) {
  auto s = *users_->login("ria.officer", kPassword, "", kT0).session;
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(users_->change_password("ria.officer", s.token, "guess " + std::to_string(i), "a new passphrase!", "", kT0).outcome,
              au::ChangeOutcome::bad_current);
  }
  auto fifth = users_->change_password("ria.officer", s.token, "guess 4", "a new passphrase!", "", kT0);
  EXPECT_EQ(fifth.outcome, au::ChangeOutcome::bad_current);
  EXPECT_EQ(fifth.wait_until_ms, kT0 + 15'000);
  EXPECT_TRUE(users_->session(s.token, kT0 + 1000)) << "the session stays";
  EXPECT_EQ(users_->change_password("ria.officer", s.token, kPassword, "a new passphrase!", "", kT0 + 1000).outcome,
            au::ChangeOutcome::throttled);
  EXPECT_EQ(users_->change_password("ria.officer", s.token, kPassword, "a new passphrase!", "", kT0 + 16'000).outcome,
            au::ChangeOutcome::ok);
}
