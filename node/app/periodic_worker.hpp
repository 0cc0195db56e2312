// A background thread that runs one job over and over: again at once while
// the job says there is more to do, otherwise after `period` or when woken.
// Each of the node's background jobs has its own, so a job that waits on a
// peer (the PA, one partner) holds up no other.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace signalnode::node::app {

class PeriodicWorker {
 public:
  // `pass` returns true when it left work undone and wants to run again at
  // once. An exception from it is logged under `name` and the loop goes on.
  PeriodicWorker(std::string name, std::chrono::milliseconds period, std::function<bool()> pass);
  ~PeriodicWorker();  // stops and joins
  PeriodicWorker(const PeriodicWorker&) = delete;
  PeriodicWorker& operator=(const PeriodicWorker&) = delete;

  void wake();
  // Asks the loop to end after the current pass; join() waits for it.
  void request_stop();
  void join();

 private:
  void loop();

  std::string name_;
  std::chrono::milliseconds period_;
  std::function<bool()> pass_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace signalnode::node::app
