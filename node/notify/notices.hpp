// Raising a notice: one row, in the caller's transaction, so a notice exists
// exactly when what it is about was committed (a feedback stored, an alert
// grown), and a crash loses neither. The notifier (notifier.hpp) fans notices
// out to users and turns them into mails and webhook calls later, on its own
// thread; raising never waits on a mail relay.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "node/notify/topic.hpp"
#include "node/storage/sqlite.hpp"

namespace signalnode::node::notify {

// Who hears a notice: one user (the author of a signal, the analyst who asked)
// or everyone holding a role at this node.
struct Audience {
  std::string username;  // set: this user only
  std::string role;      // otherwise: every user with this role

  static Audience user(std::string name) { return {std::move(name), {}}; }
  static Audience of_role(std::string_view r) { return {{}, std::string(r)}; }
  static Audience of(Topic t) { return of_role(topic_role(t)); }
  // Who submitted a signal, as signals.submitted_by holds it: a person
  // ("user:<name>") hears it themselves; for a signal an API client sent,
  // everyone with the topic's role hears it.
  static Audience submitter(std::string_view submitted_by, Topic t) {
    if (submitted_by.starts_with("user:") && submitted_by.size() > 5) return user(std::string(submitted_by.substr(5)));
    return of(t);
  }
};

class Notices {
 public:
  // `item` names the thing the notice is about inside this node (an alert's or
  // request's id), so that three updates of one alert count as one alert. It
  // is never put in a message.
  static void raise(storage::Database& db, Topic topic, const Audience& to, std::string_view item, std::int64_t now_ms);
  // For conditions checked over and over (a certificate about to expire, a
  // backlog): raised once per `key`; the caller puts the day into the key.
  static bool raise_once(storage::Database& db, Topic topic, const Audience& to, std::string_view key,
                         std::int64_t now_ms);
};

}  // namespace signalnode::node::notify
