// Fiber tasks on a multi-threaded runtime. A fiber that waits may resume on
// another worker: nothing of a thread is kept across art::await.
#include <atomic>
#include <latch>
#include <memory>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "art/await.hpp"
#include "art/manual_future.hpp"
#include "art/runtime.hpp"
#include "art/spawn_fiber.hpp"
#include "test_support.hpp"

namespace art {
namespace {

int deep(int depth) { return depth == 0 ? 1 : deep(depth - 1) + 1; }

// std::this_thread::get_id() calls pthread_self(), which the C library
// declares `const`: the compiler may compute it once per function and keep
// the result across art::await, after which the fiber may run on another
// thread. The empty asm makes this function opaque, so each call asks anew.
[[gnu::noinline]] std::thread::id thread_now() {
  asm volatile("" ::: "memory");
  return std::this_thread::get_id();
}

TEST(FiberRuntime, AFunctionRunsAsATaskOnAWorker) {
  Runtime runtime(2);
  EXPECT_EQ(runtime.block_on(fiber([] { return deep(100); })), 101);
}

// Holds its worker until `release` if it runs on `worker`; otherwise
// returns at once. Ready with whether it held.
struct HoldsAWorker {
  using Output = bool;
  std::thread::id worker;
  std::latch* release;
  std::atomic<bool>* holding;
  Poll<bool> poll(Context& /*cx*/) {
    if (std::this_thread::get_id() != worker)
      return false;
    holding->store(true);
    release->wait();
    return true;
  }
};

// Forced: the fiber suspends on worker A; A is then held inside another
// task's poll until the fiber has finished, so only worker B can resume it.
TEST(FiberRuntime, AFiberResumesOnAnotherWorkerAfterItWaits) {
  Runtime runtime(2);
  auto [input, completer] = make_manual_future<int>();
  std::atomic<std::thread::id> before{};
  std::atomic<std::thread::id> after{};
  std::latch suspended(1);
  std::latch fiber_done(1);
  auto fiber_task = runtime.spawn(fiber([&, input = std::move(input)]() mutable {
    before.store(thread_now());
    suspended.count_down();
    const int value = art::await(input);
    after.store(thread_now());
    fiber_done.count_down();
    return value;
  }));
  suspended.wait();
  std::atomic<bool> holding{false};
  std::vector<JoinHandle<bool>> holders;
  while (!holding.load()) {  // until a holder lands on the fiber's worker
    holders.push_back(runtime.spawn(HoldsAWorker{before.load(), &fiber_done, &holding}));
    while (!holding.load() && !holders.back().is_finished())
      std::this_thread::yield();
  }
  completer.complete(5);
  EXPECT_EQ(art::block_on(fiber_task), 5);
  EXPECT_NE(after.load(), before.load())
      << "the fiber was resumed on the worker held busy";
}

// A destructor that waits while an exception unwinds the fiber: refused,
// since the thread's count of uncaught exceptions would move to whichever
// worker resumes the fiber. (The destructor catches the refusal itself: an
// exception leaving a destructor during unwinding ends the program.)
TEST(FiberRuntime, AwaitWhileAnExceptionUnwindsIsRefused) {
  Runtime runtime(2);
  std::atomic<bool> refused{false};
  struct WaitsInItsDestructor {
    std::atomic<bool>* refused;
    ~WaitsInItsDestructor() {
      try {
        art::await(testing::Immediately(1));
      } catch (const std::logic_error&) {
        refused->store(true);
      }
    }
  };
  auto handle = runtime.spawn(fiber([&refused]() -> int {
    WaitsInItsDestructor guard{&refused};
    throw std::runtime_error("unwinds through the guard");
  }));
  EXPECT_THROW(art::block_on(handle), std::runtime_error);
  EXPECT_TRUE(refused.load());
}

TEST(FiberRuntime, ShutdownUnwindsASuspendedFiber) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  auto [never, completer] = make_manual_future<int>();
  std::latch suspended(1);
  {
    Runtime runtime(2);
    auto handle = runtime.spawn(fiber([&, never = std::move(never)]() mutable {
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
