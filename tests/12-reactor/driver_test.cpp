// The reactor driven by the workers: WorkerParker's two ways to sleep, and
// a runtime whose idle workers wait in epoll_wait instead of a thread of
// the reactor's own.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "art/io_wrapper.hpp"
#include "art/owned_fd.hpp"
#include "art/round_robin_scheduler.hpp"
#include "art/runtime.hpp"
#include "art/sleep.hpp"
#include "art/task.hpp"
#include "art/worker_parker.hpp"
#include "art/yield_now.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::make_pipe;
using testing::NoFdLeak;

// A driver whose blocking turn stops at its first step until the test lets
// it go on, then waits for interrupt() for at most two seconds, and says
// whether the interrupt came. It lets a test put an unpark exactly between
// a parker's "I sleep in the driver" and the driver's wait.
class GatedDriver final : public testing::FakeDriverBase {
 public:
  void turn(bool may_block) override {
    std::unique_lock lock(mutex_);
    in_turn_ = true;
    changed_.notify_all();
    if (!may_block)
      return;
    changed_.wait(lock, [this] { return go_on_; });  // the racy step: the test acts here
    if (!wait_for_interrupt(lock, 2s))
      missed_wake_ = true;
  }

  void wait_until_in_turn() {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, 5s, [this] { return in_turn_; }))
        << "the parker never turned the driver";
  }
  void go_on() {
    const std::lock_guard lock(mutex_);
    go_on_ = true;
    changed_.notify_all();
  }
  bool missed_wake() {
    const std::lock_guard lock(mutex_);
    return missed_wake_;
  }

 private:
  bool in_turn_ = false;
  bool go_on_ = false;
  bool missed_wake_ = false;
};

TEST(WorkerParker, AnUnparkBeforeTheParkMakesItReturnAtOnce) {
  GatedDriver driver;
  WorkerParker parker;
  parker.use_driver(&driver);
  parker.unpark();
  EXPECT_EQ(parker.park(), WorkerParker::Slept::not_at_all);
  parker.unpark();
  parker.unpark();  // two unparks before one park are one notification
  EXPECT_EQ(parker.park(), WorkerParker::Slept::not_at_all);
}

// The parker has claimed the driver (its state says it sleeps there), but
// the driver has not begun to wait yet. An unpark that notified the
// condition variable here would be lost: nobody waits on it, and the
// driver would sleep until some unrelated event. It must interrupt the
// driver instead, which wakes even a wait that begins afterwards.
TEST(WorkerParker, AWakeBetweenNoWorkAndTheDriversWaitIsNotLost) {
  GatedDriver driver;
  WorkerParker parker;
  parker.use_driver(&driver);
  WorkerParker::Slept slept = WorkerParker::Slept::not_at_all;
  std::thread worker([&] { slept = parker.park(); });
  driver.wait_until_in_turn();
  parker.unpark();  // between the parker's CAS and the driver's wait
  driver.go_on();
  worker.join();  // the driver gives up after 2 s: no hang if the wake is lost
  EXPECT_FALSE(driver.missed_wake()) << "the unpark did not interrupt the driver";
  EXPECT_EQ(slept, WorkerParker::Slept::in_driver);
}

// With the driver held by another worker, a park sleeps on the condition
// variable, and an unpark notifies it there.
TEST(WorkerParker, WithTheDriverTakenItSleepsOnTheConditionVariable) {
  GatedDriver driver;
  driver.hold();
  WorkerParker parker;
  parker.use_driver(&driver);
  std::atomic<bool> returned{false};
  WorkerParker::Slept slept = WorkerParker::Slept::in_driver;
  std::thread worker([&] {
    slept = parker.park();
    returned.store(true);
  });
  parker.unpark();  // before or during its sleep: either way it returns
  ASSERT_TRUE(eventually([&] { return returned.load(); }, 5s)) << "the unpark was lost";
  worker.join();
  EXPECT_NE(slept, WorkerParker::Slept::in_driver);
}

// True if `done` was set while it spun, false if it gave up first.
Task<bool> spin_until(std::shared_ptr<std::atomic<bool>> done) {
  const auto give_up = Clock::now() + 3s;  // a missed event fails, not hangs
  while (!done->load(std::memory_order_acquire)) {
    if (Clock::now() >= give_up)
      co_return false;
    co_await yield_now();
  }
  co_return true;
}

Task<void> sleep_then_set(Clock::duration duration,
                          std::shared_ptr<std::atomic<bool>> done) {
  co_await sleep(duration);
  done->store(true, std::memory_order_release);
}

Task<char> read_one(IoWrapper<OwnedFd>& reader) {
  char byte = 0;
  co_await reader.read_exact(std::as_writable_bytes(std::span(&byte, 1)));
  co_return byte;
}

std::size_t threads_of_this_process() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/self/task"))
    ++count;
  return count;
}

// ANCHOR: placement
TEST(DrivenReactor, TheWorkersDriveItAndNoReactorThreadRuns) {
  // A sanitizer may start a thread of its own with the first thread made.
  std::thread([] {}).join();
  const std::size_t before = threads_of_this_process();
  {
    Runtime driven(RuntimeOptions{.workers = 2});
    EXPECT_EQ(driven.reactor_placement(), ReactorPlacement::workers);
    EXPECT_EQ(threads_of_this_process(), before + 2);
  }
  Runtime threaded(RuntimeOptions{.workers = 2, .reactor = ReactorPlacement::own_thread});
  EXPECT_EQ(threaded.reactor_placement(), ReactorPlacement::own_thread);
  EXPECT_EQ(threads_of_this_process(), before + 3);
}
// ANCHOR_END: placement

TEST(DrivenReactor, ASchedulerThatCannotDriveItIsRefusedWithWhatToDoInstead) {
  try {
    Runtime runtime(RuntimeOptions{.workers = 1,
                                   .scheduler = std::make_unique<RoundRobinScheduler>()});
    FAIL() << "a round-robin runtime accepted to drive the reactor from its workers";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("ReactorPlacement::own_thread"),
              std::string::npos)
        << error.what();
  }
  Runtime runtime(RuntimeOptions{.workers = 1,
                                 .scheduler = std::make_unique<RoundRobinScheduler>(),
                                 .reactor = ReactorPlacement::own_thread});
  auto done = std::make_shared<std::atomic<bool>>(false);
  runtime.block_on(sleep_then_set(1ms, done));
  EXPECT_TRUE(done->load());
}

// Every worker asleep: one of them sleeps in epoll_wait, and wakes for the
// byte another thread writes.
TEST(DrivenReactor, AnIdleWorkerInTheDriverWakesForAnEvent) {
  NoFdLeak no_leak;
  Runtime runtime(RuntimeOptions{.workers = 2});
  auto [read_end, write_end] = make_pipe();
  IoWrapper<OwnedFd> reader(std::move(read_end), runtime.reactor());
  auto handle = runtime.spawn(read_one(reader));
  ASSERT_TRUE(eventually([&] { return runtime.metrics().parks >= 2; }));
  ASSERT_EQ(::write(write_end.fd(), "x", 1), 1);
  EXPECT_EQ(runtime.block_on(std::move(handle)), 'x');
}

// One worker that never parks: only its turn every 61 tasks sees the
// pipe's event. Without it the reader would wait until the spinner gives
// up, and the spinner would give up with `done` still false: the spinner's
// answer is what the test asserts.
TEST(DrivenReactor, ABusyWorkerStillSeesEventsAndTimers) {
  NoFdLeak no_leak;
  Runtime runtime(RuntimeOptions{.workers = 1});
  auto [read_end, write_end] = make_pipe();
  IoWrapper<OwnedFd> reader(std::move(read_end), runtime.reactor());
  auto read_done = std::make_shared<std::atomic<bool>>(false);
  auto spinner = runtime.spawn(spin_until(read_done));
  auto handle = runtime.spawn([](IoWrapper<OwnedFd>& wrapper,
                                 std::shared_ptr<std::atomic<bool>> done) -> Task<char> {
    const char byte = co_await read_one(wrapper);
    done->store(true, std::memory_order_release);
    co_return byte;
  }(reader, read_done));
  ASSERT_EQ(::write(write_end.fd(), "y", 1), 1);
  EXPECT_EQ(runtime.block_on(std::move(handle)), 'y');
  EXPECT_TRUE(read_done->load());

  auto slept = std::make_shared<std::atomic<bool>>(false);
  auto spinning = runtime.spawn(spin_until(slept));
  runtime.block_on(sleep_then_set(5ms, slept));
  // The spinners must not have given up: the event and the timer came
  // while they spun. (Both sets always happen in the end: asserting them
  // alone would pass with no busy turn at all, after the spinners' 3 s.)
  EXPECT_TRUE(runtime.block_on(std::move(spinner)))
      << "the event was seen only after the spinner gave up";
  EXPECT_TRUE(runtime.block_on(std::move(spinning)))
      << "the timer fired only after the spinner gave up";
}

// A runtime whose workers sleep (one of them in epoll_wait, with no
// timeout) shuts down at once: close() interrupts the driver.
TEST(DrivenReactor, AShutdownWakesTheWorkerThatSleepsInTheDriver) {
  Runtime runtime(RuntimeOptions{.workers = 2});
  ASSERT_TRUE(eventually([&] { return runtime.metrics().parks >= 2; }));
  std::atomic<bool> done{false};
  std::thread stopper([&] {
    runtime.shutdown();
    done.store(true);
  });
  const bool finished = eventually([&] { return done.load(); }, 10s);
  EXPECT_TRUE(finished) << "the worker asleep in epoll_wait was not woken by the shutdown";
  if (!finished)
    runtime.reactor().wake();  // unstick it, so that the test fails instead of hanging
  stopper.join();
}

// A sleep with every worker idle: the worker in the driver waits in
// epoll_wait towards the deadline, and the timer fires no earlier.
TEST(DrivenReactor, AnIdleRuntimeFiresATimerOnTimeAndNotEarly) {
  Runtime runtime(RuntimeOptions{.workers = 2});
  const auto start = Clock::now();
  auto done = std::make_shared<std::atomic<bool>>(false);
  runtime.block_on(sleep_then_set(20ms, done));
  EXPECT_GE(Clock::now() - start, 20ms);
  EXPECT_TRUE(done->load());
}

}  // namespace
}  // namespace art
