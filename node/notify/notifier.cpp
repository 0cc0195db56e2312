#include "node/notify/notifier.hpp"

#include <algorithm>
#include <ctime>
#include <map>

#include "crypto/random.hpp"
#include "node/log/log.hpp"

namespace signalnode::node::notify {

using storage::Database;
using storage::from_sql;
using storage::to_sql;

namespace {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::size_t kFanOutBatch = 500;
constexpr std::size_t kSendBatch = 20;

std::int64_t read_state(Database& db, std::string_view name) {
  auto st = db.cached("SELECT value FROM notify_state WHERE name = ?");
  st.bind(1, name);
  return st.step() ? st.int64(0) : 0;
}

void write_state(Database& db, std::string_view name, std::int64_t value) {
  db.cached("INSERT INTO notify_state (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value")
      .bind(1, name)
      .bind(2, value)
      .run();
}

// The overview time on the local day of `now_ms`, as epoch ms.
std::int64_t digest_time_on_day_of(std::int64_t now_ms, int hour) {
  std::time_t secs = static_cast<std::time_t>(now_ms / 1000);
  std::tm local{};
  localtime_r(&secs, &local);
  local.tm_hour = hour;
  local.tm_min = 0;
  local.tm_sec = 0;
  local.tm_isdst = -1;
  return static_cast<std::int64_t>(std::mktime(&local)) * 1000;
}

// The latest overview time at or before `now_ms`: today's if its hour has
// passed, otherwise yesterday's. What came in before it goes out in it.
std::int64_t latest_digest_time(std::int64_t now_ms, int hour) {
  std::int64_t today = digest_time_on_day_of(now_ms, hour);
  return today <= now_ms ? today : digest_time_on_day_of(now_ms - 86'400'000, hour);
}

std::vector<TopicCount> pending_counts(Database& db, const std::string& username) {
  std::map<Topic, std::int64_t> by_topic;
  auto st = db.cached(
      "SELECT topic, count(DISTINCT item) FROM user_notices WHERE username = ? AND state = 'pending' GROUP BY topic");
  st.bind(1, std::string_view(username));
  while (st.step()) {
    if (auto t = from_sql<Topic>(st.text(0))) by_topic[*t] += st.int64(1);
  }
  std::vector<TopicCount> out;
  for (const auto& [t, n] : by_topic) out.push_back({t, n});
  return out;
}

void mark_pending(Database& db, const std::string& username, std::string_view state, std::optional<std::int64_t> message) {
  db.cached("UPDATE user_notices SET state = ?, message_id = ? WHERE username = ? AND state = 'pending'")
      .bind(1, state)
      .bind(2, message)
      .bind(3, std::string_view(username))
      .run();
}

std::int64_t queue_message(Database& db, Channel channel, std::string_view target, std::string_view subject,
                           std::string_view body, std::int64_t now) {
  db.cached(
        "INSERT INTO notify_messages (channel, target, subject, body, created_at_ms, next_attempt_ms, state) "
        "VALUES (?,?,?,?,?,?,'queued')")
      .bind(1, to_sql(channel))
      .bind(2, target)
      .bind(3, subject)
      .bind(4, body)
      .bind(5, now)
      .bind(6, now)
      .run();
  return db.last_insert_rowid();
}

}  // namespace

Notifier::Notifier(storage::Store& store, NotifierSettings settings, Directory directory, Clock now_ms)
    : store_(store), settings_(std::move(settings)), directory_(std::move(directory)), now_ms_(std::move(now_ms)) {
  if (settings_.smtp) settings_.smtp->cancel = &stopping_;
  for (auto& w : settings_.webhooks) w.target.cancel = &stopping_;
}

std::int64_t Notifier::backoff_ms(std::int64_t attempts) {
  std::int64_t base = 30'000;
  for (std::int64_t i = 1; i < attempts && base < 3'600'000; ++i) base *= 2;
  base = std::min<std::int64_t>(base, 3'600'000);
  std::uint8_t r = 0;
  crypto::fill_random({&r, 1});
  return base * (80 + (r % 41)) / 100;  // 80%..120%
}

bool Notifier::pass() {
  std::size_t fanned = fan_out();
  compose();
  std::size_t sent = send_due();
  housekeeping();
  return fanned >= kFanOutBatch || sent >= kSendBatch;
}

// Whether `sql` (an EXISTS query) finds work: every 2 s the notifier asks this
// first, so an idle node does not read every user and contact card each time.
static bool any(storage::Store& store, std::string_view sql, std::optional<std::int64_t> bound = std::nullopt) {
  return store.read([&](Database& db) {
    auto st = db.cached(sql);
    if (bound) st.bind(1, *bound);
    return st.step() && st.int64(0) != 0;
  });
}

std::size_t Notifier::fan_out() {
  const std::int64_t fanned = store_.read([](Database& db) { return read_state(db, "fan_out"); });
  if (!any(store_, "SELECT EXISTS (SELECT 1 FROM notices WHERE id > ?)", std::optional(fanned))) return 0;
  const auto people = directory_();
  const auto now = now_ms_();
  std::size_t handled = 0;
  store_.write([&](Database& db) {
    struct Raised {
      std::int64_t id;
      Topic topic;
      std::optional<std::string> username;
      std::string role, item;
      std::int64_t at;
    };
    std::vector<Raised> raised;
    std::int64_t cursor = read_state(db, "fan_out");
    {
      auto st = db.cached(
          "SELECT id, topic, username, role, item, created_at_ms FROM notices WHERE id > ? ORDER BY id LIMIT ?");
      st.bind(1, cursor).bind(2, static_cast<std::int64_t>(kFanOutBatch));
      while (st.step()) {
        cursor = st.int64(0);
        auto topic = from_sql<Topic>(st.text(1));
        if (!topic) {
          log::warn("notify.unknown_topic", {{"notice", cursor}});
          continue;
        }
        raised.push_back({cursor, *topic, st.is_null(2) ? std::nullopt : std::optional(st.text(2)),
                          st.is_null(3) ? "" : st.text(3), st.text(4), st.int64(5)});
      }
    }
    auto add = db.cached(
        "INSERT OR IGNORE INTO user_notices (username, topic, item, notice_id, created_at_ms, state) "
        "VALUES (?,?,?,?,?,'pending')");
    std::vector<std::map<Topic, std::set<std::string>>> hooks(settings_.webhooks.size());
    for (const auto& r : raised) {
      for (const auto& p : people) {
        if (r.username ? p.username != *r.username : p.role != r.role) continue;
        add.reset();
        add.bind(1, std::string_view(p.username))
            .bind(2, to_sql(r.topic))
            .bind(3, std::string_view(r.item))
            .bind(4, r.id)
            .bind(5, r.at)
            .run();
      }
      for (std::size_t i = 0; i < settings_.webhooks.size(); ++i) {
        const auto& topics = settings_.webhooks[i].topics;
        if (topics.empty() || topics.contains(r.topic)) hooks[i][r.topic].insert(r.item);
      }
    }
    for (std::size_t i = 0; i < hooks.size(); ++i) {
      if (hooks[i].empty()) continue;
      std::vector<TopicCount> counts;
      for (const auto& [t, items] : hooks[i]) counts.push_back({t, static_cast<std::int64_t>(items.size())});
      queue_message(db, Channel::webhook, settings_.webhooks[i].target.name, "",
                    compose_webhook(counts, crypto::random_hex_id(16), settings_.org, settings_.link, now), now);
    }
    write_state(db, "fan_out", cursor);
    handled = raised.size();
  });
  return handled;
}

std::size_t Notifier::compose() {
  if (!any(store_, "SELECT EXISTS (SELECT 1 FROM user_notices WHERE state = 'pending')")) return 0;
  const auto people = directory_();
  std::map<std::string, const Recipient*> by_name;
  for (const auto& p : people) by_name[p.username] = &p;
  const auto now = now_ms_();
  const std::string node_name = settings_.node_name ? settings_.node_name() : settings_.org;
  const std::int64_t digest_at = latest_digest_time(now, settings_.digest_hour);
  std::size_t composed = 0;
  store_.write([&](Database& db) {
    std::vector<std::pair<std::string, std::int64_t>> waiting;
    {
      auto st = db.cached(
          "SELECT username, min(created_at_ms) FROM user_notices WHERE state = 'pending' GROUP BY username");
      while (st.step()) waiting.emplace_back(st.text(0), st.int64(1));
    }
    for (const auto& [username, oldest] : waiting) {
      auto it = by_name.find(username);
      const Preferences prefs = preferences(db, username);
      // Without an address, a relay or the user's wish, the start page is where
      // they see it; nothing stays pending for ever.
      if (it == by_name.end() || it->second->email.empty() || !settings_.smtp || prefs.mode == Mode::off) {
        mark_pending(db, username, "unsent", std::nullopt);
        continue;
      }
      const bool digest = prefs.mode == Mode::digest;
      if (digest) {
        // Notices wait for the first overview time after the oldest of them.
        if (oldest >= digest_at) continue;
      } else if (now - oldest < settings_.gather_ms) {
        continue;
      }
      auto counts = pending_counts(db, username);
      auto mail = compose_mail(counts, node_name, settings_.link, prefs.language, digest);
      auto id = queue_message(db, Channel::mail, it->second->email, mail.subject, mail.text, now);
      mark_pending(db, username, "messaged", id);
      if (digest) {
        db.cached("UPDATE notify_prefs SET last_digest_ms = ? WHERE username = ?")
            .bind(1, now)
            .bind(2, std::string_view(username))
            .run();
      }
      ++composed;
    }
  });
  return composed;
}

std::size_t Notifier::send_due() {
  struct Due {
    std::int64_t id;
    Channel channel;
    std::string target, subject, body;
    std::int64_t attempts, created;
  };
  const auto now = now_ms_();
  auto due = store_.read([&](Database& db) {
    std::vector<Due> out;
    auto st = db.cached(
        "SELECT id, channel, target, subject, body, attempts, created_at_ms FROM notify_messages "
        "WHERE state = 'queued' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, id LIMIT ?");
    st.bind(1, now).bind(2, static_cast<std::int64_t>(kSendBatch));
    while (st.step()) {
      auto channel = from_sql<Channel>(st.text(1)).value_or(Channel::mail);
      out.push_back({st.int64(0), channel, st.text(2), st.text(3), st.text(4), st.int64(5), st.int64(6)});
    }
    return out;
  });
  for (const auto& d : due) {
    if (stopping_.load()) break;
    SendResult result;
    if (d.channel == Channel::mail) {
      if (settings_.smtp) {
        result = send_mail(*settings_.smtp, {d.target, d.subject, d.body});
      } else {
        result = {false, true, "Er is geen mailserver ingesteld / no mail relay is configured"};
      }
    } else {
      auto hook = std::find_if(settings_.webhooks.begin(), settings_.webhooks.end(),
                               [&](const WebhookConfig& w) { return w.target.name == d.target; });
      if (hook != settings_.webhooks.end()) {
        result = post_webhook(hook->target, d.body, now_ms_() / 1000);
      } else {
        result = {false, true, "Deze webhook is niet meer ingesteld / this webhook is no longer configured"};
      }
    }
    const auto after = now_ms_();
    const std::int64_t attempts = d.attempts + 1;
    const bool give_up = !result.ok && (result.permanent || after - d.created >= kGiveUpAfterMs);
    store_.write([&](Database& db) {
      if (result.ok) {
        db.cached("UPDATE notify_messages SET state = 'sent', attempts = ?, sent_at_ms = ?, last_error = NULL WHERE id = ?")
            .bind(1, attempts)
            .bind(2, after)
            .bind(3, d.id)
            .run();
      } else {
        db.cached("UPDATE notify_messages SET state = ?, attempts = ?, next_attempt_ms = ?, last_error = ? WHERE id = ?")
            .bind(1, give_up ? to_sql(MessageState::failed) : to_sql(MessageState::queued))
            .bind(2, attempts)
            .bind(3, after + backoff_ms(attempts))
            .bind(4, std::string_view(result.error))
            .bind(5, d.id)
            .run();
      }
    });
    if (result.ok) {
      log::info("notify.sent", {{"message", d.id}, {"channel", to_sql(d.channel)}, {"attempts", attempts}});
    } else {
      log::warn(give_up ? "notify.failed" : "notify.retrying",
                {{"message", d.id}, {"channel", to_sql(d.channel)}, {"attempts", attempts}, {"error", result.error}});
    }
  }
  return due.size();
}

void Notifier::housekeeping() {
  const auto now = now_ms_();
  if (now - last_housekeeping_ms_ < 3'600'000) return;
  last_housekeeping_ms_ = now;
  store_.write([&](Database& db) {
    db.cached("DELETE FROM notify_messages WHERE state = 'sent' AND sent_at_ms < ?").bind(1, now - 30 * kDayMs).run();
    db.cached("DELETE FROM notify_messages WHERE state = 'failed' AND created_at_ms < ?").bind(1, now - 90 * kDayMs).run();
    db.cached("DELETE FROM user_notices WHERE state <> 'pending' AND created_at_ms < ?").bind(1, now - 90 * kDayMs).run();
    // The newest notice stays: ids are never handed out again below the
    // fan-out cursor (an emptied table would start again at 1, and every new
    // notice would be skipped as already fanned out).
    db.cached("DELETE FROM notices WHERE id <= ? AND created_at_ms < ? AND id < (SELECT max(id) FROM notices)")
        .bind(1, read_state(db, "fan_out"))
        .bind(2, now - 30 * kDayMs)
        .run();
    // Keys without a date (an overdue record, a certificate's end) raise once
    // a year at most.
    db.cached("DELETE FROM notice_conditions WHERE raised_at_ms < ?").bind(1, now - 365 * kDayMs).run();
  });
}

Preferences Notifier::preferences(Database& db, const std::string& username) const {
  Preferences p;
  p.mode = settings_.default_mode;
  auto st = db.cached("SELECT mode, language FROM notify_prefs WHERE username = ?");
  st.bind(1, std::string_view(username));
  if (st.step()) {
    p.mode = from_sql<Mode>(st.text(0)).value_or(settings_.default_mode);
    p.language = st.text(1);
  }
  return p;
}

void Notifier::set_preferences(const std::string& username, const Preferences& p) {
  store_.write([&](Database& db) {
  db.cached(
        "INSERT INTO notify_prefs (username, mode, language) VALUES (?,?,?) "
        "ON CONFLICT(username) DO UPDATE SET mode = excluded.mode, language = excluded.language")
      .bind(1, std::string_view(username))
      .bind(2, to_sql(p.mode))
      .bind(3, std::string_view(p.language == "en" ? "en" : "nl"))
      .run();
  });
}

std::vector<TopicCount> Notifier::new_since(Database& db, const std::string& username, std::int64_t since_ms) {
  std::map<Topic, std::int64_t> by_topic;
  auto st = db.cached(
      "SELECT topic, count(DISTINCT item) FROM user_notices WHERE username = ? AND created_at_ms > ? GROUP BY topic");
  st.bind(1, std::string_view(username)).bind(2, since_ms);
  while (st.step()) {
    if (auto t = from_sql<Topic>(st.text(0))) by_topic[*t] += st.int64(1);
  }
  std::vector<TopicCount> out;
  for (const auto& [t, n] : by_topic) out.push_back({t, n});
  return out;
}

Visit Notifier::begin_visit(Database& db, const std::string& username, std::int64_t now_ms) {
  db.cached(
        "INSERT INTO user_visits (username, previous_ms, current_ms) VALUES (?, 0, ?) "
        "ON CONFLICT(username) DO UPDATE SET previous_ms = current_ms, current_ms = excluded.current_ms")
      .bind(1, std::string_view(username))
      .bind(2, now_ms)
      .run();
  return visit(db, username);
}

Visit Notifier::visit(Database& db, const std::string& username) {
  auto st = db.cached("SELECT previous_ms, current_ms FROM user_visits WHERE username = ?");
  st.bind(1, std::string_view(username));
  if (!st.step()) return {};
  return {st.int64(0), st.int64(1)};
}

std::vector<DeliveryView> Notifier::deliveries(std::size_t limit) const {
  return store_.read([&](Database& db) {
    std::vector<DeliveryView> out;
    auto st = db.cached(
        "SELECT id, channel, target, state, coalesce(last_error, ''), attempts, created_at_ms, next_attempt_ms, "
        "coalesce(sent_at_ms, 0) FROM notify_messages "
        "ORDER BY CASE state WHEN 'failed' THEN 0 WHEN 'queued' THEN 1 ELSE 2 END, id DESC LIMIT ?");
    st.bind(1, static_cast<std::int64_t>(limit));
    while (st.step()) {
      out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.int64(5), st.int64(6), st.int64(7),
                     st.int64(8)});
    }
    return out;
  });
}

}  // namespace signalnode::node::notify
