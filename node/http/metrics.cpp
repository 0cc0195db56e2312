#include "node/http/metrics.hpp"

#include <sstream>

namespace signalnode::node::http {

void Metrics::observe_request(const std::string& route, const std::string& method, int status, double seconds) {
  std::lock_guard lock(mutex_);
  Series& s = series_[{route, method}];
  ++s.by_status[status];
  ++s.count;
  s.sum += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++s.buckets[i];
  }
}

void Metrics::add_gauge(std::string name, std::string help, Gauge gauge) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), "gauge", std::move(gauge)});
}

void Metrics::add_counter(std::string name, std::string help, Gauge counter) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), "counter", std::move(counter)});
}

std::string Metrics::render() const {
  std::ostringstream out;
  std::vector<NamedGauge> gauges;
  {
    std::lock_guard lock(mutex_);
    out << "# HELP signalnode_http_requests_total HTTP requests by route, method and status.\n"
        << "# TYPE signalnode_http_requests_total counter\n";
    for (const auto& [key, s] : series_) {
      for (const auto& [status, n] : s.by_status) {
        out << "signalnode_http_requests_total{route=\"" << key.first << "\",method=\"" << key.second
            << "\",status=\"" << status << "\"} " << n << "\n";
      }
    }
    out << "# HELP signalnode_http_request_duration_seconds Time from a complete request to its response.\n"
        << "# TYPE signalnode_http_request_duration_seconds histogram\n";
    for (const auto& [key, s] : series_) {
      std::string labels = "route=\"" + key.first + "\",method=\"" + key.second + "\"";
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        out << "signalnode_http_request_duration_seconds_bucket{" << labels << ",le=\"" << kBuckets[i] << "\"} "
            << s.buckets[i] << "\n";
      }
      out << "signalnode_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << s.count << "\n"
          << "signalnode_http_request_duration_seconds_sum{" << labels << "} " << s.sum << "\n"
          << "signalnode_http_request_duration_seconds_count{" << labels << "} " << s.count << "\n";
    }
    gauges = gauges_;
  }
  out << "# HELP signalnode_http_open_connections Open API connections.\n"
      << "# TYPE signalnode_http_open_connections gauge\n"
      << "signalnode_http_open_connections " << open_connections() << "\n"
      << "# HELP signalnode_http_rejected_connections_total Connections refused over the connection limit.\n"
      << "# TYPE signalnode_http_rejected_connections_total counter\n"
      << "signalnode_http_rejected_connections_total " << rejected_connections_.load() << "\n";
  for (const auto& g : gauges) {
    out << "# HELP " << g.name << " " << g.help << "\n# TYPE " << g.name << " " << g.type << "\n";
    for (const auto& [labels, value] : g.gauge()) {
      out << g.name << labels << " " << value << "\n";
    }
  }
  return out.str();
}

}  // namespace signalnode::node::http
