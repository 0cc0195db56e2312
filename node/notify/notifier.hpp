// The notifier (issue 17, docs/notifications.md): on its own thread it fans
// raised notices out to the users who hear them, turns what waits for a user
// into one mail (at once, or in the daily overview, as the user chose), and
// for each configured webhook into one signed call; then it sends what is due
// through the partner's own mail relay, retrying with backoff. Messages wait
// in the database until sent, so a restart or a relay down for days loses
// none; what keeps failing is shown to the admin.
//
// It owns notices, user_notices, notify_messages, notify_prefs, user_visits,
// notify_state and notice_conditions. Who the users are comes from the
// caller (a Directory), so this folder does not depend on node/auth.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "node/notify/message.hpp"
#include "node/notify/transport.hpp"
#include "node/storage/store.hpp"

namespace signalnode::node::notify {

enum class Mode { immediate, digest, off };
enum class MessageState { queued, sent, failed };
enum class Channel { mail, webhook };

struct Recipient {
  std::string username;
  std::string role;
  std::string email;  // empty: the start page only
};
using Directory = std::function<std::vector<Recipient>()>;

struct Preferences {
  Mode mode = Mode::digest;
  std::string language = "nl";
};

struct WebhookConfig {
  WebhookTarget target;
  std::set<Topic> topics;  // empty: every topic
};

struct NotifierSettings {
  std::function<std::string()> node_name;  // "Gemeente Aalsmeer"
  std::string org;
  std::string link;  // the node's web address, as users reach it
  Mode default_mode = Mode::digest;
  // The daily overview goes out at this hour (local time of the node), with
  // what came in since the one before.
  int digest_hour = 7;
  // A burst of notices (a batch of records) becomes one message: a user's
  // first pending notice waits this long before its mail is composed.
  std::int64_t gather_ms = 60'000;
  std::optional<SmtpSettings> smtp;
  std::vector<WebhookConfig> webhooks;
};

// One message as the admin sees it: where it goes and how it stands, never
// what it says.
struct DeliveryView {
  std::int64_t id = 0;
  std::string channel, target, state, last_error;
  std::int64_t attempts = 0, created_at_ms = 0, next_attempt_ms = 0, sent_at_ms = 0;
};

struct Visit {
  std::int64_t previous_ms = 0;  // the visit before this one: "new since"
  std::int64_t current_ms = 0;
};

class Notifier {
 public:
  using Clock = std::function<std::int64_t()>;
  Notifier(storage::Store& store, NotifierSettings settings, Directory directory, Clock now_ms);

  // One round: fan out, compose, send what is due. True when more is due now.
  bool pass();
  // Ends a transfer under way within about a second; nothing more is sent.
  void stop() { stopping_.store(true); }

  [[nodiscard]] const NotifierSettings& settings() const { return settings_; }
  [[nodiscard]] Preferences preferences(storage::Database& db, const std::string& username) const;
  void set_preferences(const std::string& username, const Preferences& p);

  // What reached this user since `since_ms`, counted per topic (distinct items).
  [[nodiscard]] static std::vector<TopicCount> new_since(storage::Database& db, const std::string& username,
                                                         std::int64_t since_ms);
  // A log-in starts a visit; the start page says what is new since the last one.
  static Visit begin_visit(storage::Database& db, const std::string& username, std::int64_t now_ms);
  [[nodiscard]] static Visit visit(storage::Database& db, const std::string& username);

  // Queued and failed first, then the latest sent.
  [[nodiscard]] std::vector<DeliveryView> deliveries(std::size_t limit) const;

  // Seconds between attempts: 30 s doubling to an hour, +-20% so that many
  // messages to one relay that came back do not all try at once.
  static std::int64_t backoff_ms(std::int64_t attempts);
  // A message that still fails after this long is given up and shown as failed.
  static constexpr std::int64_t kGiveUpAfterMs = 3LL * 86'400'000;

 private:
  std::size_t fan_out();
  std::size_t compose();
  std::size_t send_due();
  void housekeeping();

  storage::Store& store_;
  NotifierSettings settings_;
  Directory directory_;
  Clock now_ms_;
  std::int64_t last_housekeeping_ms_ = 0;
  std::atomic<bool> stopping_{false};
};

}  // namespace signalnode::node::notify

namespace signalnode::node::storage {

template <>
struct SqlValues<notify::Mode> {
  using E = notify::Mode;
  static constexpr std::string_view column = "notify_prefs.mode";
  static constexpr E all[] = {E::immediate, E::digest, E::off};
  static constexpr std::string_view name(E e) {
    switch (e) {
      case E::immediate: return "immediate";
      case E::digest: return "digest";
      case E::off: return "off";
    }
    return {};
  }
};
static_assert(sql_values_are_complete<notify::Mode>());

template <>
struct SqlValues<notify::MessageState> {
  using E = notify::MessageState;
  static constexpr std::string_view column = "notify_messages.state";
  static constexpr E all[] = {E::queued, E::sent, E::failed};
  static constexpr std::string_view name(E e) {
    switch (e) {
      case E::queued: return "queued";
      case E::sent: return "sent";
      case E::failed: return "failed";
    }
    return {};
  }
};
static_assert(sql_values_are_complete<notify::MessageState>());

template <>
struct SqlValues<notify::Channel> {
  using E = notify::Channel;
  static constexpr std::string_view column = "notify_messages.channel";
  static constexpr E all[] = {E::mail, E::webhook};
  static constexpr std::string_view name(E e) {
    switch (e) {
      case E::mail: return "mail";
      case E::webhook: return "webhook";
    }
    return {};
  }
};
static_assert(sql_values_are_complete<notify::Channel>());

}  // namespace signalnode::node::storage
