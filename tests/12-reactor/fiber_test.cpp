// Fiber tasks over work stealing. A fiber woken into a busy worker's deque
// is stolen and resumes on another worker: nothing of a thread is kept
// across art::await.
#include <atomic>
#include <latch>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "art/await.hpp"
#include "art/manual_future.hpp"
#include "art/runtime.hpp"
#include "art/spawn_fiber.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using testing::HybridRuntime;

// std::this_thread::get_id() calls pthread_self(), which the C library
// declares `const`: the compiler may compute it once per function and keep
// the result across art::await. The empty asm makes each call ask anew.
[[gnu::noinline]] std::thread::id thread_now() {
  asm volatile("" ::: "memory");
  return std::this_thread::get_id();
}

// The fiber's first poll spawns a task that wakes the fiber and then holds
// its worker until the fiber is done: the wake lands in that held worker's
// deque, and only the other worker, by stealing, can resume the fiber.
TEST(FiberHybrid, AFiberWokenOnABusyWorkerIsStolenAndResumesOnTheOther) {
  std::atomic<std::thread::id> holder{};
  std::atomic<std::thread::id> after{};
  auto fiber_done = std::make_shared<std::atomic<bool>>(false);
  HybridRuntime rr(2);
  auto [input, completer] = make_manual_future<int>();
  struct WakesThenHolds {
    using Output = bool;
    Completer<int> completer;
    std::atomic<std::thread::id>* holder;
    std::shared_ptr<std::atomic<bool>> fiber_done;
    Poll<bool> poll(Context& /*cx*/) {
      holder->store(thread_now());
      completer.complete(5);  // wakes the fiber: into this worker's deque
      return testing::eventually([&] { return fiber_done->load(); });
    }
  };
  auto fiber_task = rr.runtime.spawn(fiber([&, input = std::move(input),
                                            completer = std::move(completer)]() mutable {
    auto wakes = art::spawn(WakesThenHolds{std::move(completer), &holder, fiber_done});
    const int value = art::await(input);
    after.store(thread_now());
    fiber_done->store(true);
    return value + (art::await(wakes) ? 1 : 0);
  }));
  EXPECT_EQ(art::block_on(fiber_task), 6) << "the holder gave up waiting for the fiber";
  EXPECT_NE(after.load(), holder.load()) << "the fiber resumed on the held worker";
  EXPECT_GE(rr.scheduler.steals(), 1U);
}

TEST(FiberHybrid, ShutdownUnwindsASuspendedFiber) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  auto [never, completer] = make_manual_future<int>();
  std::latch suspended(1);
  {
    HybridRuntime rr(2);
    auto handle = rr.runtime.spawn(fiber([&, never = std::move(never)]() mutable {
      testing::Lifetime on_the_stack(destroyed);
      suspended.count_down();
      return art::await(never);
    }));
    suspended.wait();
  }
  EXPECT_EQ(destroyed->load(), 1);
}

}  // namespace
}  // namespace art
