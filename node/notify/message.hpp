// The words of a notification: how many of each topic wait, where to look,
// and nothing about what they concern (issue 17). Dutch unless the user chose
// English. Pure functions, so a test can scan every text they can produce.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "node/notify/topic.hpp"

namespace signalnode::node::notify {

struct TopicCount {
  Topic topic;
  std::int64_t count = 0;
};

struct MailText {
  std::string subject;
  std::string text;
};

// "2 nieuwe of gegroeide alerts", "1 feedback message".
std::string count_phrase(Topic topic, std::int64_t count, std::string_view language);

// `node_name`: this node's organisation as the manifest names it ("Gemeente
// Aalsmeer"); `link`: the node's web address. `digest`: the daily overview.
MailText compose_mail(const std::vector<TopicCount>& counts, std::string_view node_name, std::string_view link,
                      std::string_view language, bool digest);

// A webhook's body: {"type", "id", "node", "createdAt", "counts": {topic: n},
// "link"}. `id` is the same on every retry, so a receiver can drop repeats.
std::string compose_webhook(const std::vector<TopicCount>& counts, std::string_view id, std::string_view org,
                            std::string_view link, std::int64_t now_ms);

}  // namespace signalnode::node::notify
