// A helper program run beside a test (an SMTP or webhook sink): started with
// fork/exec, ready once it printed its first stdout line, and stopped (TERM,
// then KILL) and reaped when the owner goes out of scope.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace signalnode::testing {

class ChildProcess {
 public:
  // Runs argv[0] (an absolute path) and waits up to `ready_within` for the
  // first line on its stdout, which first_line() then returns. Its stderr
  // stays the test's, so a failing helper explains itself in the test log.
  explicit ChildProcess(const std::vector<std::string>& argv,
                        std::chrono::milliseconds ready_within = std::chrono::seconds(20)) {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(out[1]);
    stdout_ = out[0];
    const auto deadline = std::chrono::steady_clock::now() + ready_within;
    char c = 0;
    while (first_line_.empty() || first_line_.back() != '\n') {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{stdout_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0 || ::read(stdout_, &c, 1) != 1) {
        stop();
        throw std::runtime_error("helper did not become ready: " + argv[0]);
      }
      first_line_ += c;
    }
    first_line_.pop_back();
  }
  ~ChildProcess() { stop(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  const std::string& first_line() const { return first_line_; }

 private:
  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 50 && pid_ > 0; ++i) {
        if (::waitpid(pid_, &status, WNOHANG) != 0)
          pid_ = -1;
        else
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (pid_ > 0) {  // ignored TERM for 5 s
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
      }
    }
    if (stdout_ >= 0) ::close(stdout_);
    stdout_ = -1;
  }

  pid_t pid_ = -1;
  int stdout_ = -1;
  std::string first_line_;
};

}  // namespace signalnode::testing
