// Prometheus metrics of the node. Request metrics are keyed by route template
// (never the raw path), so labels stay few and carry no identifiers.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace signalnode::node::http {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  void observe_request(const std::string& route, const std::string& method, int status, double seconds);
  void count_rejected_connection() { rejected_connections_.fetch_add(1, std::memory_order_relaxed); }
  void connection_opened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t open_connections() const { return open_connections_.load(std::memory_order_relaxed); }

  // Gauges read at scrape time (e.g. signals stored), as name, help, value.
  using Gauge = std::function<std::vector<std::pair<std::string, double>>()>;
  void add_gauge(std::string name, std::string help, Gauge gauge);
  // Same, for values that only grow (Prometheus TYPE counter).
  void add_counter(std::string name, std::string help, Gauge counter);

  std::string render() const;

 private:
  struct Series {
    std::map<int, std::uint64_t> by_status;
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Series> series_;  // (route, method)
  struct NamedGauge {
    std::string name, help, type;
    Gauge gauge;
  };
  std::vector<NamedGauge> gauges_;
  std::atomic<std::int64_t> open_connections_{0};
  std::atomic<std::uint64_t> rejected_connections_{0};
};

}  // namespace signalnode::node::http
