#include "node/audit/audit_report.hpp"

#include <boost/json.hpp>

#include <ctime>

#include "crypto/bytes.hpp"
#include "node/audit/events.hpp"
#include "node/signals/signal_json.hpp"

namespace signalnode::node::audit {
namespace json = boost::json;

namespace {

bool csv_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

}  // namespace

// OWASP CSV injection: spreadsheets skip leading white space and treat a cell
// starting with TAB or CR specially, so " =1+1", "\t=1+1" and "\n@SUM(..)" are
// formulas as much as "=1+1". Any cell whose first non-white-space character is
// = + - @, or that starts with TAB or CR, gets a leading ' (shown as text).
bool csv_needs_guard(std::string_view field) {
  if (field.empty()) return false;
  if (field.front() == '\t' || field.front() == '\r') return true;
  std::size_t i = 0;
  while (i < field.size() && csv_space(field[i])) ++i;
  if (i == field.size()) return false;
  char lead = field[i];
  return lead == '=' || lead == '+' || lead == '-' || lead == '@';
}

std::string csv_cell(std::string_view field) {
  std::string out;
  out.reserve(field.size() + 4);
  out.push_back('"');
  if (csv_needs_guard(field)) out.push_back('\'');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

namespace {

std::string csv(std::string_view field) { return csv_cell(field); }

std::string text_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return {};
  return v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
}

}  // namespace

void write_report_csv(storage::Database& db, std::ostream& out) {
  out << kReportHeader << "\n";
  auto st = db.prepare("SELECT idx, leaf FROM audit_events WHERE leaf IS NOT NULL ORDER BY idx");
  while (st.step()) {
    json::value parsed = json::parse(crypto::as_chars(st.blob_view(1)));
    const json::object& e = parsed.as_object();
    const json::object& a = e.at("attributes").as_object();
    std::string rule;
    if (const auto* pa = a.if_contains("processingActivity"); pa && pa->is_object()) rule = text_at(pa->get_object(), "rule");
    // The number of things an event covers (a retention run), else one.
    const json::value* n = a.if_contains("count");
    std::int64_t count = n && n->is_int64() ? n->as_int64() : 1;
    out << st.int64(0) << "," << signals::iso8601_utc(e.at("endTimeMs").as_int64()) << "," << csv(text_at(e, "name"))
        << "," << csv(text_at(e, "status")) << "," << csv(text_at(a, "partner")) << "," << csv(text_at(a, "category"))
        << "," << csv(rule) << "," << csv(text_at(a, "legalBasis")) << "," << csv(text_at(a, "purpose")) << "," << count
        << "\n";
  }
  st.reset();
}

namespace {
std::string local_time(std::int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%d-%m-%Y %H:%M:%S", &tm);
  return buf;
}

std::string_view dutch_description(std::string_view name) {
  for (const auto& info : kEventCatalogue) {
    if (info.name.str() == name) return info.nl;
  }
  return {};
}

std::string dutch_outcome(std::string_view status) {
  if (status == "ok" || status.empty()) return "gelukt";
  if (status == "rejected") return "geweigerd";
  if (status == "failed") return "mislukt";
  return std::string(status);
}
}  // namespace

void write_dutch_report_csv(storage::Database& db, std::ostream& out,
                            const std::function<std::string(std::string_view)>& category_name) {
  out << "\xEF\xBB\xBF" << kDutchReportHeader << "\r\n";
  auto st = db.prepare("SELECT idx, leaf FROM audit_events WHERE leaf IS NOT NULL ORDER BY idx");
  while (st.step()) {
    json::value parsed = json::parse(crypto::as_chars(st.blob_view(1)));
    const json::object& e = parsed.as_object();
    const json::object& a = e.at("attributes").as_object();
    std::string rule;
    if (const auto* pa = a.if_contains("processingActivity"); pa && pa->is_object()) rule = text_at(pa->get_object(), "rule");
    const json::value* n = a.if_contains("count");
    std::int64_t count = n && n->is_int64() ? n->as_int64() : 1;
    const std::string name = text_at(e, "name");
    const std::string category = text_at(a, "category");
    out << st.int64(0) << ";" << csv(local_time(e.at("endTimeMs").as_int64())) << ";" << csv(name) << ";"
        << csv(dutch_description(name)) << ";" << csv(dutch_outcome(text_at(e, "status"))) << ";"
        << csv(text_at(a, "partner")) << ";" << csv(category.empty() ? category : category_name(category)) << ";"
        << csv(rule) << ";" << csv(text_at(a, "legalBasis")) << ";" << csv(text_at(a, "purpose")) << ";" << count
        << "\r\n";
  }
  st.reset();
}

}  // namespace signalnode::node::audit
