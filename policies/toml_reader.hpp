// Reading reviewed TOML documents (the covenant, the federation manifest) with
// errors that point at the line: "FILE:LINE:COLUMN: field: what is wrong".
// Internal to the parsers that include toml++; Error is their exception type.
#pragma once

#include <toml++/toml.h>

#include <sstream>
#include <string>
#include <vector>

namespace signalnode::policies {

template <typename Error>
class TomlReader {
 public:
  explicit TomlReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const toml::source_region& where, const std::string& field, const std::string& what) const {
    std::ostringstream out;
    out << source_ << ":" << where.begin.line << ":" << where.begin.column << ": " << field << ": " << what;
    throw Error(out.str());
  }

  toml::table parse(std::string_view text) const {
    try {
      return toml::parse(text, source_);
    } catch (const toml::parse_error& e) {
      fail(e.source(), "file", std::string(e.description()));
    }
  }

  // Fails on any key outside `known`.
  template <typename Keys>
  void only(const toml::table& t, const Keys& known, const std::string& path) const {
    for (auto&& [key, value] : t) {
      bool ok = false;
      for (std::string_view k : known) ok = ok || key.str() == k;
      if (!ok) fail(value.source(), path + std::string(key.str()), "is not a known field");
    }
  }

  std::string text(const toml::table& t, std::string_view key, const std::string& path, bool required = true) const {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) fail(t.source(), path + std::string(key), "is required");
      return {};
    }
    auto v = n->value<std::string>();
    if (!v) fail(n->source(), path + std::string(key), "must be a string");
    return *v;
  }

  std::vector<std::string> list(const toml::table& t, std::string_view key, const std::string& path,
                                bool allow_empty = false) const {
    const toml::node* n = t.get(key);
    if (!n) fail(t.source(), path + std::string(key), "is required");
    const toml::array* a = n->as_array();
    if (!a) fail(n->source(), path + std::string(key), "must be a list of strings");
    std::vector<std::string> out;
    for (const auto& item : *a) {
      auto v = item.value<std::string>();
      if (!v) fail(item.source(), path + std::string(key), "must hold only strings");
      out.push_back(*v);
    }
    if (out.empty() && !allow_empty) fail(n->source(), path + std::string(key), "must not be empty");
    return out;
  }

  const toml::source_region& where(const toml::table& t, std::string_view key) const {
    const toml::node* n = t.get(key);
    return n ? n->source() : t.source();
  }

 private:
  std::string source_;
};

}  // namespace signalnode::policies
