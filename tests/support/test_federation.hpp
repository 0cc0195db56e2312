// Helpers shared by the integration tests and benchmarks that run nodes on
// loopback: free ports, polling with a deadline, a federation with free ports.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "node/app/demo_federation.hpp"

namespace signalnode::testing {

// A free port on 127.0.0.1 for a node that must be known before it starts
// (partners find each other through the manifest). Taken at random from
// 10000-19999: below the kernel's ephemeral range (32768+), so no outgoing
// connection of a test running beside this one can take it between now and
// the node's bind (or a restart's), and below the demo tests' 20000-32000.
// Never the same port twice in one process, nor in two test processes that
// run at once (ctest -j): each port taken is held by an flock on a file under
// /tmp/signalnode-test-ports, which the kernel releases when the process
// ends. (Checking that the port binds is not enough: the other process may
// not have bound it yet.)
inline std::uint16_t free_port() {
  static std::mutex mutex;
  static std::set<std::uint16_t> given;
  static std::mt19937 pick{std::random_device{}()};
  std::lock_guard lock(mutex);
  const std::string lock_dir = "/tmp/signalnode-test-ports";
  ::mkdir(lock_dir.c_str(), 0777);
  for (;;) {
    auto port = static_cast<std::uint16_t>(std::uniform_int_distribution<int>(10000, 19999)(pick));
    if (given.count(port)) continue;
    const std::string lock_file = lock_dir + "/" + std::to_string(port);
    int held = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (held < 0) continue;
    if (::flock(held, LOCK_EX | LOCK_NB) != 0) {  // another test process holds it
      ::close(held);
      continue;
    }
    // `held` stays open (and locked) while this process may still use the
    // port: until it ends, or until 256 newer ports were taken (a test uses
    // at most a few dozen), so running a whole test binary at once does not
    // run out of file descriptors.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (!free) {
      ::close(held);
      continue;
    }
    given.insert(port);
    static std::deque<int> locks;
    locks.push_back(held);
    if (locks.size() > 256) {
      ::close(locks.front());
      locks.pop_front();
    }
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
