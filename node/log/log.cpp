#include "node/log/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <atomic>
#include <cstdlib>
#include <string_view>
#include <vector>
#include <memory>
#include <mutex>

namespace signalnode::node::log {

namespace {
std::mutex g_mutex;
std::shared_ptr<spdlog::logger> g_logger;
std::atomic<int> g_level{static_cast<int>(Level::info)};

std::shared_ptr<spdlog::logger> logger() {
  std::lock_guard lock(g_mutex);
  if (!g_logger) {
    g_logger = std::make_shared<spdlog::logger>("signalnode", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    g_logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ",%v})", spdlog::pattern_time_type::utc);
  }
  return g_logger;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}
}  // namespace

// Under systemd (JOURNAL_STREAM is set) or when asked, lines go to stderr as
// well as to the file: the journal keeps them when the node's own disk is
// full, and an operator reads them with journalctl.
static bool also_to_stderr() {
  const char* journal = std::getenv("JOURNAL_STREAM");
  const char* asked = std::getenv("SIGNALNODE_LOG_STDERR");
  return (journal && *journal) || (asked && std::string_view(asked) == "1");
}

void init(Level level, const std::filesystem::path& file) {
  g_level = static_cast<int>(level);
  std::vector<spdlog::sink_ptr> sinks;
  if (file.empty() || also_to_stderr()) sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (!file.empty()) sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string()));
  auto l = std::make_shared<spdlog::logger>("signalnode", sinks.begin(), sinks.end());
  l->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ",%v})", spdlog::pattern_time_type::utc);
  l->flush_on(spdlog::level::info);
  std::lock_guard lock(g_mutex);
  g_logger = std::move(l);
}

void write(Level level, std::string_view event, boost::json::object fields) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  boost::json::object head{{"level", level_name(level)}, {"event", event}};
  for (auto& kv : fields) head.insert_or_assign(kv.key(), std::move(kv.value()));
  std::string line = boost::json::serialize(head);
  // Drop the braces: the pattern supplies the object around the timestamp.
  std::string_view inner(line);
  inner = inner.substr(1, inner.size() - 2);
  logger()->info("{}", inner);
}

}  // namespace signalnode::node::log
