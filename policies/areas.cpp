#include "policies/areas.hpp"

#include <algorithm>
#include <stdexcept>

namespace signalnode::embedded {
std::string_view municipalities_csv();
}

namespace signalnode::policies {

namespace {

// One CSV line into its fields; a field may be quoted ("Nuenen, Gerwen en
// Nederwetten"), a doubled quote inside it is one quote.
std::vector<std::string> fields_of(std::string_view line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  if (quoted) throw std::invalid_argument("a quote is not closed");
  return out;
}

bool is_code(std::string_view s) {
  return s.size() == 6 && s.starts_with("GM") &&
         std::all_of(s.begin() + 2, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Areas Areas::parse(std::string_view csv) {
  Areas areas;
  std::size_t line_no = 0;
  while (!csv.empty()) {
    auto end = csv.find('\n');
    std::string_view line = csv.substr(0, end);
    csv = end == std::string_view::npos ? std::string_view{} : csv.substr(end + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line_no == 1) continue;  // the header
    auto f = fields_of(line);
    if (f.size() != 5 || !is_code(f[0]) || f[1].empty() || f[4].empty()) {
      throw std::invalid_argument("municipalities.csv line " + std::to_string(line_no) +
                                  ": expected code (GM + 4 digits), name, safety region code, safety region, RIEC region");
    }
    areas.all_.push_back({f[0], f[1], f[4]});
  }
  std::sort(areas.all_.begin(), areas.all_.end(), [](const auto& a, const auto& b) { return a.code < b.code; });
  auto twice = std::adjacent_find(areas.all_.begin(), areas.all_.end(),
                                  [](const auto& a, const auto& b) { return a.code == b.code; });
  if (twice != areas.all_.end()) throw std::invalid_argument("municipalities.csv: " + twice->code + " appears twice");
  return areas;
}

const Areas& Areas::builtin() {
  static const Areas areas = parse(embedded::municipalities_csv());
  return areas;
}

const Municipality* Areas::find(std::string_view code) const {
  auto it = std::lower_bound(all_.begin(), all_.end(), code, [](const auto& m, std::string_view c) { return m.code < c; });
  return it != all_.end() && it->code == code ? &*it : nullptr;
}

std::vector<std::string> Areas::region(std::string_view riec_region) const {
  std::vector<std::string> out;
  for (const auto& m : all_) {
    if (m.riec_region == riec_region) out.push_back(m.code);
  }
  return out;
}

}  // namespace signalnode::policies
