// Structured logs: one JSON object per line, {"ts","level","event",...fields}.
// Callers pass event names and non-personal fields only: route templates,
// record ids, counts, categories. Never an identifier, name, summary or token.
#pragma once

#include <boost/json/object.hpp>

#include <filesystem>
#include <string_view>

namespace signalnode::node::log {

enum class Level { debug, info, warn, error };

// To stderr, or appended to `file` when given. Safe to call again.
void init(Level level, const std::filesystem::path& file = {});
void write(Level level, std::string_view event, boost::json::object fields = {});

inline void info(std::string_view event, boost::json::object fields = {}) {
  write(Level::info, event, std::move(fields));
}
inline void warn(std::string_view event, boost::json::object fields = {}) {
  write(Level::warn, event, std::move(fields));
}
inline void error(std::string_view event, boost::json::object fields = {}) {
  write(Level::error, event, std::move(fields));
}

}  // namespace signalnode::node::log
