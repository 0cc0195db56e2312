// What a notification says (node/notify/message.hpp): counts in the readers'
// words and a link; every topic's words in both languages are scanned for
// anything that could say what a notice is about.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "node/notify/message.hpp"

namespace n = signalnode::node::notify;
using n::Topic;

namespace {
std::vector<n::TopicCount> every_topic(std::int64_t count) {
  std::vector<n::TopicCount> out;
  for (Topic t : signalnode::node::storage::SqlValues<Topic>::all) out.push_back({t, count});
  return out;
}
}  // namespace

TEST(NotifyMessage, CountsReadAsWordsInTheUsersLanguage) {
  EXPECT_EQ(n::count_phrase(Topic::alert, 1, "nl"), "1 nieuwe of gegroeide alert");
  EXPECT_EQ(n::count_phrase(Topic::alert, 2, "nl"), "2 nieuwe of gegroeide alerts");
  EXPECT_EQ(n::count_phrase(Topic::feedback_received, 1, "en"), "1 feedback message on your signals");
  auto m = n::compose_mail({{Topic::alert, 2}, {Topic::feedback_received, 1}}, "Gemeente Aalsmeer",
                           "https://signalnode.example.nl/", "nl", false);
  EXPECT_EQ(m.subject, "2 nieuwe of gegroeide alerts en 1 terugkoppeling op uw signalen in signalnode Gemeente Aalsmeer");
  EXPECT_NE(m.text.find("https://signalnode.example.nl/"), std::string::npos);
  auto digest = n::compose_mail({{Topic::case_opened, 3}}, "RIEC", "https://x/", "en", true);
  EXPECT_EQ(digest.subject, "Daily overview: 3 new cases in signalnode RIEC");
}

TEST(NotifyMessage, ASubjectNamesAtMostThreeTopicsAndTheBodyAllOfThem) {
  auto m = n::compose_mail(every_topic(1), "Gemeente Aalsmeer", "https://x/", "nl", false);
  EXPECT_NE(m.subject.find(" en meer in signalnode"), std::string::npos) << m.subject;
  for (Topic t : signalnode::node::storage::SqlValues<Topic>::all) {
    EXPECT_NE(m.text.find(n::count_phrase(t, 1, "nl")), std::string::npos) << signalnode::node::storage::to_sql(t);
  }
}

TEST(NotifyMessage, NoWordOfAnyTopicSaysWhatANoticeIsAbout) {
  // Words that would carry content: a category's stage, an identifier kind,
  // a partner's role, a place. None may occur in any message text.
  const std::vector<std::string> never = {"labour", "housing", "arbeid", "huisvesting", "BSN", "KvK",
                                          "inspectie", "RIEC", "SNF", "gemeente", "GM0"};
  for (const char* lang : {"nl", "en"}) {
    for (bool digest : {false, true}) {
      auto m = n::compose_mail(every_topic(7), "X", "https://x/", lang, digest);
      for (const auto& w : never) {
        EXPECT_EQ(m.subject.find(w), std::string::npos) << w;
        EXPECT_EQ(m.text.find(w), std::string::npos) << w;
      }
    }
  }
}

TEST(NotifyMessage, AWebhookBodyHoldsCountsByTopicAndNothingElse) {
  auto body = n::compose_webhook({{Topic::alert, 2}, {Topic::case_opened, 0}}, "0123456789abcdef0123456789abcdef",
                                 "riec-amsterdam", "https://x/", 1'700'000'000'000);
  auto v = boost::json::parse(body).as_object();
  EXPECT_EQ(v.at("counts").as_object().size(), 1u) << "a topic with nothing new is left out";
  EXPECT_EQ(v.at("counts").at("alert").as_int64(), 2);
  EXPECT_EQ(v.at("createdAt").as_string(), "2023-11-14T22:13:20Z");
  EXPECT_EQ(v.size(), 6u) << body;
}
