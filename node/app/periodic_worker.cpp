#include "node/app/periodic_worker.hpp"

#include "node/log/log.hpp"

namespace signalnode::node::app {

PeriodicWorker::PeriodicWorker(std::string name, std::chrono::milliseconds period, std::function<bool()> pass)
    : name_(std::move(name)), period_(period), pass_(std::move(pass)), thread_([this] { loop(); }) {}

PeriodicWorker::~PeriodicWorker() {
  request_stop();
  join();
}

void PeriodicWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_one();
}

void PeriodicWorker::request_stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
}

void PeriodicWorker::join() {
  if (thread_.joinable()) thread_.join();
}

void PeriodicWorker::loop() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      woken_ = false;
    }
    bool more = false;
    try {
      more = pass_();
    } catch (const std::exception& e) {
      log::error("worker.failed", {{"worker", name_}, {"error", e.what()}});
    }
    std::unique_lock lock(mutex_);
    if (more) continue;
    cv_.wait_for(lock, period_, [this] { return woken_ || stopping_; });
  }
}

}  // namespace signalnode::node::app
