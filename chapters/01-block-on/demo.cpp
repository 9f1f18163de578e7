// Chapter 01 demo: watch block_on talk to three futures.
//
//   ./ch01-demo                    narrates every poll, park and wake
//   SPDLOG_LEVEL=off ./ch01-demo   prints only the results
//
// The third future is woken from another thread; the thread ids in the log
// show who does what, and the timestamps show that block_on sleeps (rather
// than polls) while it waits.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include "art/block_on.hpp"
#include "art/countdown_future.hpp"
#include "art/log.hpp"
#include "art/ready_future.hpp"

namespace {

// A future that is done once a helper thread says so, 100 ms after the first
// poll. Chapter 02 turns this idea into a proper TimerFuture.
class WokenLater {
 public:
  using Output = const char*;

  art::Poll<Output> poll(art::Context& cx) {
    std::lock_guard lock(shared_->mutex);
    if (shared_->done) {
      return "done, woken from another thread";
    }
    shared_->waker = cx.waker();  // the newest waker is the one to wake
    if (!helper_.joinable()) {
      art::logger().info("WokenLater: starting a helper thread that will wake me");
      helper_ = std::thread([shared = shared_] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        std::lock_guard lock(shared->mutex);
        shared->done = true;
        art::logger().info("helper: waking the waker");
        shared->waker.wake_by_ref();
      });
    }
    return art::pending;
  }

  ~WokenLater() {
    if (helper_.joinable())
      helper_.join();
  }

 private:
  struct Shared {
    std::mutex mutex;
    bool done = false;
    art::Waker waker;
  };
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  std::thread helper_;
};

// Results go to stdout, the narration to stderr; flushing keeps them in order
// on a terminal.
void show(const char* what, const char* result) {
  std::printf("=> %s: %s\n", what, result);
  std::fflush(stdout);
}

}  // namespace

int main() {
  if (std::getenv("SPDLOG_LEVEL") == nullptr) {  // NOLINT(concurrency-mt-unsafe): before any thread
    art::logger().set_level(spdlog::level::debug);
  }

  art::logger().info("1) a future that is ready at once");
  const char* answer = art::block_on(art::ReadyFuture<const char*>("42"));
  show("ReadyFuture", answer);

  art::logger().info("2) a future that needs four polls and wakes itself");
  art::block_on(art::CountdownFuture(3));
  show("CountdownFuture(3)", "finished after four polls");

  art::logger().info("3) a future woken by another thread");
  show("WokenLater", art::block_on(WokenLater{}));
}
