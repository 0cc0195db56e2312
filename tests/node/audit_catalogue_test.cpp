// The audit event catalogue (node/audit/events.hpp) is the one list of event
// names: docs/audit.md's table lists exactly its names, and no event name is
// spelt as a string literal anywhere else in node/.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "node/audit/events.hpp"

namespace fs = std::filesystem;
namespace audit = signalnode::node::audit;

namespace {

const fs::path kSource = SN_SOURCE_DIR;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> catalogue_names() {
  std::set<std::string> out;
  for (const auto& e : audit::kEventCatalogue) out.emplace(e.name.str());
  return out;
}

// The names in the first column of the table under "## Event catalogue":
// every backticked word of that cell (a row may group several events).
std::vector<std::string> doc_table_names(const std::string& markdown, std::string& problem) {
  std::istringstream in(markdown);
  std::string line;
  bool in_section = false, past_separator = false;
  std::vector<std::string> names;
  while (std::getline(in, line)) {
    if (line.starts_with("## ")) {
      if (in_section) break;
      in_section = line == "## Event catalogue";
      continue;
    }
    if (!in_section || !line.starts_with('|')) continue;
    if (line.starts_with("|---")) {
      past_separator = true;
      continue;
    }
    if (!past_separator) continue;  // the header row
    const auto end = line.find('|', 1);
    const std::string first = line.substr(1, end == std::string::npos ? std::string::npos : end - 1);
    static const std::regex backticked("`([^`]+)`");
    std::size_t found = 0;
    for (std::sregex_iterator it(first.begin(), first.end(), backticked), stop; it != stop; ++it, ++found) {
      names.push_back((*it)[1].str());
    }
    if (found == 0) problem += "a row of the table names no event in backticks: " + line + "\n";
  }
  if (!in_section) problem += "docs/audit.md has no \"## Event catalogue\" section\n";
  return names;
}

bool is_digit_separator(const std::string& line, std::size_t i) {
  return i > 0 && i + 1 < line.size() && std::isdigit(static_cast<unsigned char>(line[i - 1])) &&
         std::isdigit(static_cast<unsigned char>(line[i + 1]));
}

// The string literals of one line of C++ (comments left out), escapes kept.
std::vector<std::string> literals(const std::string& line) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line.compare(i, 2, "//") == 0) break;
    if (line[i] == '\'' && is_digit_separator(line, i)) continue;  // 300'000
    if (line[i] == '\'') {  // a character literal: skip it whole
      if (i + 1 >= line.size()) break;
      const auto close = line.find('\'', i + (line[i + 1] == '\\' ? 3 : 2));
      if (close == std::string::npos) break;
      i = close;
      continue;
    }
    if (line[i] != '"') continue;
    std::string lit;
    for (++i; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) lit += line[i++];
      lit += line[i];
    }
    out.push_back(std::move(lit));
  }
  return out;
}

// Where a source file spells an audit event name itself, one message each:
// - a string assigned to the name of an audit::Event variable, or made into
//   an EventName, whatever the string;
// - a literal, or a single-quoted SQL literal inside one, that is a
//   catalogue name (log lines keep their own names, some spelt alike);
// - an SQL comparison of the audit log's name column with a literal.
std::vector<std::string> stray_event_names(const std::string& file, const std::string& text,
                                           const std::set<std::string>& names) {
  std::vector<std::string> out;
  std::set<std::string> events;  // variables of type audit::Event in this file
  static const std::regex declaration(R"(\b(?:audit::)?Event\s+(\w+)\s*[;{])");
  for (std::sregex_iterator it(text.begin(), text.end(), declaration), stop; it != stop; ++it) {
    events.insert((*it)[1].str());
  }
  static const std::regex assigned(R"(\b(\w+)\.name\s*=\s*")");
  static const std::regex made(R"(\bEventName\s*(\w+\s*)?[\{\(]\s*")");
  static const std::regex sql_name(R"(\bname\s*(=|IN\s*\()\s*')");
  static const std::regex quoted_sql(R"('([^']*)')");
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string where = file + ":" + std::to_string(number) + ": ";
    std::smatch m;
    if (std::regex_search(line, m, assigned) && events.contains(m[1].str())) {
      out.push_back(where + "a literal assigned to " + m[1].str() + ".name");
    }
    if (std::regex_search(line, made)) out.push_back(where + "an EventName made outside the catalogue");
    if (line.find("log::") != std::string::npos) continue;
    for (const auto& lit : literals(line)) {
      if (names.contains(lit)) out.push_back(where + "the event name \"" + lit + "\" spelt out");
      if (std::regex_search(lit, sql_name)) out.push_back(where + "SQL compares name with a literal: " + lit);
      for (std::sregex_iterator it(lit.begin(), lit.end(), quoted_sql), stop; it != stop; ++it) {
        if (names.contains((*it)[1].str())) out.push_back(where + "the event name '" + (*it)[1].str() + "' in SQL");
      }
    }
  }
  return out;
}

}  // namespace

TEST(AuditCatalogue, NamesAreUniqueAndEveryEventIsDescribed) {
  std::set<std::string> seen;
  static const std::regex shape(R"([a-z_]+(\.[a-z_]+)?)");
  for (const auto& e : audit::kEventCatalogue) {
    const std::string name(e.name.str());
    SCOPED_TRACE(name);
    EXPECT_TRUE(seen.insert(name).second) << "listed twice";
    EXPECT_TRUE(std::regex_match(name, shape));
    EXPECT_FALSE(e.nl.empty());
    EXPECT_FALSE(e.en.empty());
    EXPECT_NE(e.nl, e.en) << "the Dutch description is a translation, not a copy";
    EXPECT_FALSE(e.emitted_by.empty());
    EXPECT_EQ(audit::find_event(name), &e);
  }
  EXPECT_EQ(audit::find_event("record.sent")->name, audit::events::kRecordSent);
  EXPECT_EQ(audit::find_event("no.such_event"), nullptr);
}

TEST(AuditCatalogue, DocsTableListsExactlyTheCataloguesNames) {
  const fs::path doc = kSource / "docs" / "audit.md";
  ASSERT_TRUE(fs::exists(doc)) << doc;
  std::string problem;
  const auto listed = doc_table_names(read(doc), problem);
  EXPECT_TRUE(problem.empty()) << problem;
  std::map<std::string, int> count;
  for (const auto& n : listed) ++count[n];
  const auto names = catalogue_names();
  for (const auto& [n, times] : count) {
    EXPECT_TRUE(names.contains(n)) << "docs/audit.md lists " << n << ", which is not in node/audit/events.hpp";
    EXPECT_EQ(times, 1) << "docs/audit.md lists " << n << " " << times << " times";
  }
  for (const auto& n : names) {
    EXPECT_TRUE(count.contains(n)) << n << " is in node/audit/events.hpp but missing from docs/audit.md's table";
  }
}

TEST(AuditCatalogue, NoEventNameIsSpeltOutsideTheCatalogue) {
  const auto names = catalogue_names();
  const fs::path catalogue = kSource / "node" / "audit" / "events.hpp";
  std::vector<std::string> stray;
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kSource / "node")) {
    const auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
    if (fs::equivalent(entry.path(), catalogue)) continue;
    ++files;
    auto found = stray_event_names(fs::relative(entry.path(), kSource).string(), read(entry.path()), names);
    stray.insert(stray.end(), found.begin(), found.end());
  }
  EXPECT_GT(files, 50u) << "the scan found too few sources under " << kSource / "node";
  std::string all;
  for (const auto& s : stray) all += s + "\n";
  EXPECT_TRUE(stray.empty()) << "use the constants of node/audit/events.hpp instead:\n" << all;
}

// The scan itself, on small texts: a check that never fires would hide strays.
TEST(AuditCatalogue, TheScanFindsWhatItLooksFor) {
  const std::set<std::string> names{"record.sent", "logout"};
  auto scan = [&](const std::string& text) { return stray_event_names("x.cpp", text, names).size(); };
  EXPECT_EQ(scan("audit::Event e;\ne.name = \"thing.done\";\n"), 1u) << "a new name assigned to an event";
  EXPECT_EQ(scan("Event ev{};\n  ev.name = \"x\";\n"), 1u);
  EXPECT_EQ(scan("manifest.name = \"demo federation\";\n"), 0u) << "not an audit event";
  EXPECT_EQ(scan("constexpr EventName kMine{\"mine.done\"};\n"), 1u);
  EXPECT_EQ(scan("audit_login(db, \"logout\", \"ok\");\n"), 1u) << "a catalogue name passed as a literal";
  EXPECT_EQ(scan("db.cached(\"SELECT count(*) FROM audit_events WHERE name = 'record.sent'\");\n"), 2u);
  EXPECT_EQ(scan("db.cached(\"SELECT 1 FROM audit_events WHERE name IN ('new.event')\");\n"), 1u);
  EXPECT_EQ(scan("log::info(\"logout\", {});\n"), 0u) << "log lines have names of their own";
  EXPECT_EQ(scan("// e.name = \"record.sent\" in a comment\n"), 0u);
  EXPECT_EQ(scan("char c = '\"'; std::string s = \"record.sent\";\n"), 1u);
  EXPECT_EQ(scan("e.name = audit::events::kRecordSent;\n"), 0u);
}
