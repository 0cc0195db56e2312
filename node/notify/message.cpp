#include "node/notify/message.hpp"

#include <ctime>

#include <boost/json.hpp>

namespace signalnode::node::notify {

namespace json = boost::json;

namespace {

struct Words {
  std::string_view one, many;
};

// What each topic is called in a count, in the words of the people who read
// it (the web pages use the same ones).
Words dutch(Topic t) {
  switch (t) {
    case Topic::feedback_received: return {"terugkoppeling op uw signalen", "terugkoppelingen op uw signalen"};
    case Topic::signal_hit: return {"treffer op uw signalen", "treffers op uw signalen"};
    case Topic::request_to_decide: return {"verzoek dat op uw besluit wacht", "verzoeken die op uw besluit wachten"};
    case Topic::request_overdue: return {"verzoek waarvan de termijn verstreken is", "verzoeken waarvan de termijn verstreken is"};
    case Topic::alert: return {"nieuwe of gegroeide alert", "nieuwe of gegroeide alerts"};
    case Topic::case_opened: return {"nieuwe zaak", "nieuwe zaken"};
    case Topic::request_answered: return {"beantwoord verzoek", "beantwoorde verzoeken"};
    case Topic::feedback_overdue:
      return {"ontvangen melding die op terugkoppeling wacht", "ontvangen meldingen die op terugkoppeling wachten"};
    case Topic::log_unverified: return {"mislukte controle van het eigen logboek", "mislukte controles van het eigen logboek"};
    case Topic::tree_head_mismatch:
      return {"logboek van een partner dat niet klopt met eerder", "logboeken van partners die niet kloppen met eerder"};
    case Topic::records_rejected: return {"geweigerde zending van een partner", "geweigerde zendingen van partners"};
    case Topic::pa_budget_alarm:
      return {"alarm over het aantal pseudonimiseringen", "alarmen over het aantal pseudonimiseringen"};
    case Topic::login_throttled:
      return {"account dat moet wachten na foute wachtwoorden", "accounts die moeten wachten na foute wachtwoorden"};
    case Topic::certificate_expiring: return {"certificaat dat binnen 30 dagen verloopt", "certificaten die binnen 30 dagen verlopen"};
    case Topic::outbox_backlog: return {"achterstand bij het verzenden naar partners", "achterstanden bij het verzenden naar partners"};
    case Topic::configuration_refused:
      return {"geweigerde federatieconfiguratie (de vorige blijft gelden)", "geweigerde federatieconfiguraties (de vorige blijft gelden)"};
  }
  return {"melding", "meldingen"};
}

Words english(Topic t) {
  switch (t) {
    case Topic::feedback_received: return {"feedback message on your signals", "feedback messages on your signals"};
    case Topic::signal_hit: return {"match on your signals", "matches on your signals"};
    case Topic::request_to_decide: return {"request awaiting your decision", "requests awaiting your decision"};
    case Topic::request_overdue: return {"request past its deadline", "requests past their deadline"};
    case Topic::alert: return {"new or grown alert", "new or grown alerts"};
    case Topic::case_opened: return {"new case", "new cases"};
    case Topic::request_answered: return {"answered request", "answered requests"};
    case Topic::feedback_overdue: return {"received record awaiting feedback", "received records awaiting feedback"};
    case Topic::log_unverified: return {"failed check of this node's log", "failed checks of this node's log"};
    case Topic::tree_head_mismatch: return {"partner log that does not match before", "partner logs that do not match before"};
    case Topic::records_rejected: return {"refused delivery from a partner", "refused deliveries from partners"};
    case Topic::pa_budget_alarm: return {"pseudonymisation volume alarm", "pseudonymisation volume alarms"};
    case Topic::login_throttled: return {"account waiting after wrong passwords", "accounts waiting after wrong passwords"};
    case Topic::certificate_expiring: return {"certificate expiring within 30 days", "certificates expiring within 30 days"};
    case Topic::outbox_backlog: return {"delivery backlog towards partners", "delivery backlogs towards partners"};
    case Topic::configuration_refused:
      return {"refused federation configuration (the last good one stays)", "refused federation configurations (the last good one stays)"};
  }
  return {"notification", "notifications"};
}

bool is_english(std::string_view language) { return language == "en"; }

std::string utc_iso(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// "a, b en c" / "a, b and c"
std::string joined(const std::vector<std::string>& parts, std::string_view language) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? (is_english(language) ? " and " : " en ") : ", ";
    out += parts[i];
  }
  return out;
}

}  // namespace

std::string count_phrase(Topic topic, std::int64_t count, std::string_view language) {
  Words w = is_english(language) ? english(topic) : dutch(topic);
  return std::to_string(count) + " " + std::string(count == 1 ? w.one : w.many);
}

MailText compose_mail(const std::vector<TopicCount>& counts, std::string_view node_name, std::string_view link,
                      std::string_view language, bool digest) {
  const bool en = is_english(language);
  std::vector<std::string> phrases;
  for (const auto& c : counts) {
    if (c.count > 0) phrases.push_back(count_phrase(c.topic, c.count, language));
  }
  MailText m;
  // A subject names at most three topics; the body lists them all.
  std::vector<std::string> head(phrases.begin(), phrases.begin() + std::min<std::size_t>(phrases.size(), 3));
  if (phrases.size() > 3) head.push_back(en ? "more" : "meer");
  m.subject = std::string(digest ? (en ? "Daily overview: " : "Dagoverzicht: ") : "") + joined(head, language) +
              (en ? " in signalnode " : " in signalnode ") + std::string(node_name);
  std::string& t = m.text;
  t += en ? "Hello,\r\n\r\n" : "Goedendag,\r\n\r\n";
  t += en ? "Waiting for you in signalnode " : "In signalnode ";
  t += node_name;
  t += en ? ":\r\n" : " staat voor u klaar:\r\n";
  for (const auto& p : phrases) t += "  - " + p + "\r\n";
  t += "\r\n";
  t += en ? "Open signalnode: " : "Bekijken in signalnode: ";
  t += link;
  t += "\r\n\r\n";
  t += en ? "This message deliberately does not say what it is about (no persons, addresses, companies,\r\n"
            "categories or partners). Log in to see it.\r\n"
            "How often you receive these messages is set under 'My details'.\r\n"
          : "Dit bericht zegt met opzet niet waarover het gaat (geen personen, adressen, bedrijven,\r\n"
            "categorieën of partners). Log in om het te zien.\r\n"
            "Hoe vaak u deze berichten krijgt, stelt u in bij 'Mijn gegevens'.\r\n";
  return m;
}

std::string compose_webhook(const std::vector<TopicCount>& counts, std::string_view id, std::string_view org,
                            std::string_view link, std::int64_t now_ms) {
  json::object c;
  for (const auto& tc : counts) {
    if (tc.count > 0) c[storage::to_sql(tc.topic)] = tc.count;
  }
  return json::serialize(json::object{{"type", "signalnode.notification"},
                                      {"id", id},
                                      {"node", org},
                                      {"createdAt", utc_iso(now_ms)},
                                      {"counts", std::move(c)},
                                      {"link", link}});
}

}  // namespace signalnode::node::notify
