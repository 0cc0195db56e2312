#include "node/audit/audit_report.hpp"

#include <boost/json.hpp>

#include <chrono>
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

namespace {
// One processing-record row: what both CSV forms show of an event.
struct ReportRow {
  std::int64_t index = 0;
  std::int64_t end_ms = 0;
  std::string name, status, partner, category, rule, legal_basis, purpose;
  std::int64_t count = 1;  // the things an event covers (a retention run), else one
};

template <typename F>
void for_each_report_row(storage::Database& db, F&& f) {
  // One row per event: its first record (the others differ by their subject only).
  auto st = db.prepare("SELECT idx, leaf FROM audit_events WHERE leaf IS NOT NULL AND part = 0 ORDER BY idx");
  while (st.step()) {
    json::value parsed = json::parse(crypto::as_chars(st.blob_view(1)));
    const json::object& e = parsed.as_object();
    const json::object& a = e.at("attributes").as_object();
    ReportRow r;
    r.index = st.int64(0);
    r.end_ms = e.at("endTimeMs").as_int64();
    r.name = text_at(e, "name");
    r.status = text_at(e, "status");
    r.partner = text_at(a, "partner");
    r.category = text_at(a, "category");
    r.rule = text_at(a, "rule");
    r.legal_basis = text_at(a, "legalBasis");
    r.purpose = text_at(a, "purpose");
    const json::value* n = a.if_contains("count");
    r.count = n && n->is_int64() ? n->as_int64() : 1;
    f(r);
  }
  st.reset();
}
}  // namespace

void write_report_csv(storage::Database& db, std::ostream& out) {
  out << kReportHeader << "\n";
  for_each_report_row(db, [&](const ReportRow& r) {
    out << r.index << "," << signals::iso8601_utc(r.end_ms) << "," << csv(r.name) << "," << csv(r.status) << ","
        << csv(r.partner) << "," << csv(r.category) << "," << csv(r.rule) << "," << csv(r.legal_basis) << ","
        << csv(r.purpose) << "," << r.count << "\n";
  });
}

namespace {
// Dutch civil time: CET, and CEST from the last Sunday of March to the last
// Sunday of October at 01:00 UTC (EU directive 2000/84/EC), computed rather
// than read from the process's TZ, which is UTC on most servers.
struct DutchTime {
  std::string text;  // dd-mm-jjjj uu:mm:ss
  bool summer = false;
};
DutchTime dutch_time(std::int64_t utc_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds{utc_ms}};
  const year y = year_month_day{floor<days>(t)}.year();
  const auto summer_from = sys_days{y / March / Sunday[last]} + hours{1};
  const auto summer_until = sys_days{y / October / Sunday[last]} + hours{1};
  DutchTime out;
  out.summer = t >= summer_from && t < summer_until;
  std::time_t secs = static_cast<std::time_t>(utc_ms / 1000 + (out.summer ? 7200 : 3600));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%d-%m-%Y %H:%M:%S", &tm);
  out.text = buf;
  return out;
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

void write_dutch_report_csv(storage::Database& db, std::ostream& out, const DutchNames& names) {
  const auto named = [](const std::function<std::string(std::string_view)>& f, const std::string& id) {
    return id.empty() || !f ? id : f(id);
  };
  out << "\xEF\xBB\xBF" << kDutchReportHeader << "\r\n";
  for_each_report_row(db, [&](const ReportRow& r) {
    const DutchTime when = dutch_time(r.end_ms);
    out << r.index << ";" << csv(when.text) << ";" << csv(when.summer ? "zomertijd (UTC+2)" : "wintertijd (UTC+1)") << ";"
        << csv(r.name) << ";" << csv(dutch_description(r.name)) << ";" << csv(dutch_outcome(r.status)) << ";"
        << csv(named(names.partner, r.partner)) << ";" << csv(named(names.category, r.category)) << ";"
        << csv(named(names.rule, r.rule)) << ";" << csv(r.legal_basis) << ";" << csv(r.purpose) << ";" << r.count
        << "\r\n";
  });
}

}  // namespace signalnode::node::audit
