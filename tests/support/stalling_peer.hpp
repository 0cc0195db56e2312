// A peer that accepts TCP connections on a loopback port and then never reads
// or writes a byte: the worst partner (or PA) a node can meet, since the
// kernel completes the handshake and only deadlines can end the wait.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

namespace signalnode::testing {

class StallingPeer {
 public:
  explicit StallingPeer(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 64) != 0) {
      ::close(fd_);
      throw std::runtime_error("stalling peer cannot listen on port " + std::to_string(port));
    }
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) continue;
        held_.push_back(c);  // held open, never read: the caller's bytes sit unanswered
        accepted_.fetch_add(1);
      }
    });
  }
  ~StallingPeer() {
    stop_ = true;
    thread_.join();
    for (int c : held_) ::close(c);
    ::close(fd_);
  }
  StallingPeer(const StallingPeer&) = delete;
  StallingPeer& operator=(const StallingPeer&) = delete;

  int accepted() const { return accepted_.load(); }

 private:
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::vector<int> held_;  // touched by the accept thread only, until the join
  std::thread thread_;
};

}  // namespace signalnode::testing
