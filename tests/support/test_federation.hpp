// Helpers shared by the integration tests and benchmarks that run nodes on
// loopback: free ports, polling with a deadline, a federation with free ports.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "node/app/demo_federation.hpp"

namespace signalnode::testing {

// A free port on 127.0.0.1 for a node that must be known before it starts
// (partners find each other through the manifest). Taken at random from
// 10000-19999: below the kernel's ephemeral range (32768+), so no outgoing
// connection of a test running beside this one can take it between now and
// the node's bind (or a restart's), and below the demo tests' 20000-32000.
// Never the same port twice in one process.
inline std::uint16_t free_port() {
  static std::mutex mutex;
  static std::set<std::uint16_t> given;
  static std::mt19937 pick{std::random_device{}()};
  std::lock_guard lock(mutex);
  for (;;) {
    auto port = static_cast<std::uint16_t>(std::uniform_int_distribution<int>(10000, 19999)(pick));
    if (given.count(port)) continue;
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (!free) continue;
    given.insert(port);
    return port;
  }
}

// Polls `done` every 50 ms until it holds or `ms` have passed.
inline bool wait_until(const std::function<bool()>& done, int ms = 10000) {
  for (int i = 0; i < ms / 50; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// The demo federation's folders for `partners` (default: all four), on free ports.
inline std::vector<node::app::DemoNode> create_test_federation(
    const std::filesystem::path& dir, std::vector<node::app::DemoNode> partners = node::app::demo_partners()) {
  for (auto& p : partners) {
    p.api_port = free_port();
    p.federation_port = free_port();
  }
  return node::app::create_demo_federation(dir, 0, std::move(partners), /*with_users=*/false);
}

}  // namespace signalnode::testing
