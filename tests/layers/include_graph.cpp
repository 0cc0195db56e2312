// The folder include graph of crypto/, protocol/, policies/ and node/, checked
// for cycles and for the direction of the top-level layers; and the rule that
// the HTTP routes (node/api) and the command line (node/cli) run no SQL: they
// ask the libraries below them, which own the tables.
//
//   include_graph ROOT           exit 1 on any include cycle between folders,
//                                any include against the layer direction, or
//                                any SQL in node/api or node/cli
//   include_graph --print ROOT   print the whole graph and its components, exit 0
//
// A folder is crypto, protocol or policies, or one folder below node/ (node/api,
// node/net, ...): node's parts are where cycles grow, the libraries are whole
// CMake targets. Only the standard library, so the check builds before anything
// else and cannot be broken by the code it checks.
#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace fs = std::filesystem;

namespace {

// Lower layers first: a layer may include only those before it.
const std::vector<std::string> kLayers = {"crypto", "protocol", "policies", "node"};

std::optional<std::size_t> layer_rank(std::string_view top) {
  for (std::size_t i = 0; i < kLayers.size(); ++i)
    if (kLayers[i] == top) return i;
  return std::nullopt;
}

// The folder of a path relative to the root ("node/api/router.hpp" -> "node/api",
// "node/version.hpp" -> "node"), or nothing when it is outside the four layers.
std::optional<std::string> folder_of(std::string_view path) {
  const auto slash = path.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string top(path.substr(0, slash));
  if (!layer_rank(top)) return std::nullopt;
  if (top != "node") return top;
  const auto rest = path.substr(slash + 1);
  const auto second = rest.find('/');
  if (second == std::string_view::npos) return top;
  return top + "/" + std::string(rest.substr(0, second));
}

std::string top_of(const std::string& folder) { return folder.substr(0, folder.find('/')); }

// The target of `#include "..."`, or nothing. Angle-bracket includes are
// third-party or standard headers and never part of our graph.
std::optional<std::string> quoted_include(std::string_view line) {
  auto skip_blanks = [&] {
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  };
  skip_blanks();
  if (!line.starts_with('#')) return std::nullopt;
  line.remove_prefix(1);
  skip_blanks();
  if (!line.starts_with("include")) return std::nullopt;
  line.remove_prefix(std::string_view("include").size());
  skip_blanks();
  if (!line.starts_with('"')) return std::nullopt;
  line.remove_prefix(1);
  const auto end = line.find('"');
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(line.substr(0, end));
}

bool is_source(const fs::path& p) {
  const auto ext = p.extension();
  return ext == ".cpp" || ext == ".hpp" || ext == ".h";
}

// Not our layered code: tests may include anything, node/web and node/demo hold
// pages and demo data, and build folders hold generated or copied files.
bool skipped_dir(const std::string& rel) {
  const std::string name = fs::path(rel).filename().string();
  return rel == "node/web" || rel == "node/demo" || name == "tests" || name.starts_with("build") ||
         name.starts_with("cmake-build") || name.starts_with(".");
}

// Folders that must not touch the database directly: no SQLite header, no
// statement of their own. Store::read/write and the owners' functions remain.
const std::vector<std::string> kNoSqlFolders = {"node/api", "node/cli"};
const std::vector<std::string> kSqlHeaders = {"node/storage/sqlite.hpp", "sqlite3.h"};
const std::vector<std::string> kSqlCalls = {".cached(", ".prepare(", ".exec(", "->cached(", "->prepare(", "->exec("};

// The target of any `#include "..."` or `#include <...>`, or nothing.
std::optional<std::string> any_include(std::string_view line) {
  if (auto quoted = quoted_include(line)) return quoted;
  const auto hash = line.find_first_not_of(" \t");
  if (hash == std::string_view::npos || line[hash] != '#') return std::nullopt;
  const auto open = line.find('<');
  const auto close = line.find('>');
  if (line.find("include") == std::string_view::npos || open == std::string_view::npos ||
      close == std::string_view::npos || close < open)
    return std::nullopt;
  return std::string(line.substr(open + 1, close - open - 1));
}

// The code of a line without a trailing // comment (a whole-line comment
// gives nothing): a comment may mention db.exec( without running it.
std::string_view code_of(std::string_view line) {
  const auto comment = line.find("//");
  return comment == std::string_view::npos ? line : line.substr(0, comment);
}

struct Edge {
  std::string example;  // "node/api/router.cpp:7 -> node/net/http.hpp"
  std::size_t count = 0;
};

struct Graph {
  std::set<std::string> folders;
  std::map<std::string, std::map<std::string, Edge>> edges;  // from -> to -> edge
  std::size_t files = 0;
  std::vector<std::string> sql;  // "node/api/x.cpp:7: includes node/storage/sqlite.hpp"
};

Graph read_graph(const fs::path& root) {
  std::vector<std::string> files;
  for (const auto& layer : kLayers) {
    const fs::path dir = root / layer;
    if (!fs::is_directory(dir)) continue;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
      const std::string rel = fs::relative(it->path(), root).generic_string();
      if (it->is_directory()) {
        if (skipped_dir(rel)) it.disable_recursion_pending();
      } else if (it->is_regular_file() && is_source(it->path())) {
        files.push_back(rel);
      }
    }
  }
  // Sorted, so the example kept for each edge is the same on every machine.
  std::sort(files.begin(), files.end());

  Graph g;
  g.files = files.size();
  for (const auto& rel : files) {
    const auto from = folder_of(rel);
    if (!from) continue;
    g.folders.insert(*from);
    const bool no_sql = std::find(kNoSqlFolders.begin(), kNoSqlFolders.end(), *from) != kNoSqlFolders.end();
    std::ifstream in(root / rel);
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
      if (no_sql) {
        const std::string where = rel + ":" + std::to_string(number) + ": ";
        if (const auto header = any_include(line);
            header && std::find(kSqlHeaders.begin(), kSqlHeaders.end(), *header) != kSqlHeaders.end()) {
          g.sql.push_back(where + "includes " + *header);
        }
        const std::string_view code = code_of(line);
        for (const auto& call : kSqlCalls)
          if (code.find(call) != std::string_view::npos) g.sql.push_back(where + "calls " + call + "...)");
      }
      const auto target = quoted_include(line);
      if (!target) continue;
      const auto to = folder_of(*target);
      if (!to || *to == *from) continue;
      g.folders.insert(*to);
      Edge& e = g.edges[*from][*to];
      if (e.count++ == 0) e.example = rel + ":" + std::to_string(number) + " -> " + *target;
    }
  }
  return g;
}

// Tarjan's algorithm. Components come out with every component they include
// before them, so the list reads bottom-up like the layers.
std::vector<std::vector<std::string>> components(const Graph& g) {
  std::map<std::string, std::size_t> index, low;
  std::set<std::string> on_stack;
  std::vector<std::string> stack;
  std::vector<std::vector<std::string>> out;
  std::size_t next = 0;

  std::function<void(const std::string&)> visit = [&](const std::string& v) {
    index[v] = low[v] = next++;
    stack.push_back(v);
    on_stack.insert(v);
    if (const auto it = g.edges.find(v); it != g.edges.end()) {
      for (const auto& [w, edge] : it->second) {
        if (!index.contains(w)) {
          visit(w);
          low[v] = std::min(low[v], low[w]);
        } else if (on_stack.contains(w)) {
          low[v] = std::min(low[v], index[w]);
        }
      }
    }
    if (low[v] != index[v]) return;
    std::vector<std::string> component;
    std::string w;
    do {
      w = stack.back();
      stack.pop_back();
      on_stack.erase(w);
      component.push_back(w);
    } while (w != v);
    std::sort(component.begin(), component.end());
    out.push_back(std::move(component));
  };
  for (const auto& v : g.folders)
    if (!index.contains(v)) visit(v);
  return out;
}

// A shortest cycle through `start` inside `component`, as folders with the
// first repeated at the end; a concrete loop is easier to act on than a set.
std::vector<std::string> shortest_cycle(const Graph& g, const std::set<std::string>& component,
                                        const std::string& start) {
  std::map<std::string, std::string> parent;
  std::queue<std::string> frontier;
  frontier.push(start);
  while (!frontier.empty()) {
    const std::string v = frontier.front();
    frontier.pop();
    const auto it = g.edges.find(v);
    if (it == g.edges.end()) continue;
    for (const auto& [w, edge] : it->second) {
      if (!component.contains(w)) continue;
      if (w == start) {
        std::vector<std::string> path{start};
        for (std::string u = v; u != start; u = parent[u]) path.push_back(u);
        path.push_back(start);
        std::reverse(path.begin() + 1, path.end() - 1);
        return path;
      }
      if (parent.contains(w)) continue;
      parent[w] = v;
      frontier.push(w);
    }
  }
  return {};
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : std::string(sep)) + p;
  return s;
}

std::string describe(const std::string& from, const std::string& to, const Edge& e) {
  return from + " -> " + to + ": " + e.example +
         (e.count > 1 ? " (and " + std::to_string(e.count - 1) + " more)" : "");
}

void print_graph(const Graph& g, const std::vector<std::vector<std::string>>& sccs) {
  std::cout << "folder graph of " << g.folders.size() << " folders (" << g.files << " files):\n";
  for (const auto& v : g.folders) {
    std::vector<std::string> targets;
    if (const auto it = g.edges.find(v); it != g.edges.end())
      for (const auto& [w, edge] : it->second) targets.push_back(w);
    std::cout << "  " << v << " -> " << (targets.empty() ? "(none)" : join(targets, ", ")) << "\n";
  }
  std::cout << "components, each after those it includes:\n";
  for (const auto& c : sccs) {
    // Appended piece by piece: GCC 12's -Wrestrict misfires on "{" + join() + "}" at -O2.
    std::string shown;
    if (c.size() > 1) {
      shown += "{";
      shown += join(c, ", ");
      shown += "}  <- cycle";
    } else {
      shown += c.front();
    }
    std::cout << "  " << shown << "\n";
  }
}

// Prints every cycle and returns how many components have one.
std::size_t report_cycles(const Graph& g, const std::vector<std::vector<std::string>>& sccs) {
  std::size_t found = 0;
  for (const auto& c : sccs) {
    if (c.size() < 2) continue;
    ++found;
    const std::set<std::string> members(c.begin(), c.end());
    std::cout << "include cycle between " << c.size() << " folders: " << join(c, ", ") << "\n";
    // One shortest loop through each folder, each loop printed once.
    std::set<std::vector<std::string>> seen;
    for (const auto& start : c) {
      auto cycle = shortest_cycle(g, members, start);
      cycle.pop_back();
      std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
      if (!seen.insert(cycle).second) continue;
      cycle.push_back(cycle.front());
      std::cout << "  cycle: " << join(cycle, " -> ") << "\n";
    }
    std::cout << "  includes inside it (removing enough of these breaks the cycle):\n";
    for (const auto& from : c)
      for (const auto& [to, edge] : g.edges.at(from))
        if (members.contains(to)) std::cout << "    " << describe(from, to, edge) << "\n";
  }
  return found;
}

// Prints every SQL header or statement call in node/api and node/cli and
// returns how many there are.
std::size_t report_sql(const Graph& g) {
  for (const auto& s : g.sql) std::cout << "SQL outside the storage owners: " << s << "\n";
  return g.sql.size();
}

// Prints every include that points up the layers and returns how many edges do.
std::size_t report_direction(const Graph& g) {
  std::size_t found = 0;
  for (const auto& [from, targets] : g.edges) {
    for (const auto& [to, edge] : targets) {
      const std::string a = top_of(from), b = top_of(to);
      if (*layer_rank(b) <= *layer_rank(a)) continue;
      ++found;
      std::cout << "layer direction violated: " << a << " may not include " << b << ": "
                << describe(from, to, edge) << "\n";
    }
  }
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  bool print = false, bad = false;
  std::optional<fs::path> root;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--print")
      print = true;
    else if (!root && !arg.starts_with("-"))
      root = fs::path(arg);
    else
      bad = true;
  }
  if (bad || !root) {
    std::cerr << "usage: include_graph [--print] ROOT\n";
    return 2;
  }

  Graph g;
  try {
    g = read_graph(*root);
  } catch (const fs::filesystem_error& e) {
    std::cerr << "include_graph: " << e.what() << "\n";
    return 2;
  }
  // A wrong root would otherwise pass as "no cycles".
  if (g.files == 0) {
    std::cerr << "include_graph: no sources under " << root->string() << "/{" << join(kLayers, ",")
              << "}\n";
    return 2;
  }

  const auto sccs = components(g);
  if (print) {
    print_graph(g, sccs);
    report_cycles(g, sccs);
    report_direction(g);
    report_sql(g);
    return 0;
  }
  const std::size_t cycles = report_cycles(g, sccs);
  const std::size_t upward = report_direction(g);
  const std::size_t sql = report_sql(g);
  if (cycles == 0 && upward == 0 && sql == 0) {
    std::cout << "no include cycles between " << g.folders.size() << " folders (" << g.files
              << " files); layers point one way; no SQL in node/api or node/cli\n";
    return 0;
  }
  std::cout << cycles << " include cycle(s), " << upward << " include(s) against the layer direction, " << sql
            << " SQL use(s) in node/api or node/cli\n";
  return 1;
}
