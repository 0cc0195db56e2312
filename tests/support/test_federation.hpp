// Helpers shared by the integration tests and benchmarks that run nodes on
// loopback: free ports, polling with a deadline, a federation with free ports.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

#include "node/app/demo_federation.hpp"

namespace signalnode::testing {

// A port the kernel just handed out on 127.0.0.1 (free unless raced).
inline std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
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
