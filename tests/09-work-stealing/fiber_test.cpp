// Fiber tasks over round robin. A fiber that waits is woken into the queue
// of the next worker in turn, so it resumes on another worker: nothing of a
// thread is kept across art::await.
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

using testing::RoundRobinRuntime;

// std::this_thread::get_id() calls pthread_self(), which the C library
// declares `const`: the compiler may compute it once per function and keep
// the result across art::await. The empty asm makes each call ask anew.
[[gnu::noinline]] std::thread::id thread_now() {
  asm volatile("" ::: "memory");
  return std::this_thread::get_id();
}

// Only this thread schedules: the spawn takes turn 0 (worker 0), the wake
// turn 1 (worker 1). The wake comes only once worker 0 has parked again,
// that is, once the fiber's first poll has ended Pending: a wake before
// that would find the value ready and the fiber would never move.
TEST(FiberRoundRobin, AWokenFiberResumesOnTheNextWorkerInTurn) {
  std::atomic<std::thread::id> before{};
  std::atomic<std::thread::id> after{};
  std::latch suspended(1);
  RoundRobinRuntime rr(2);
  ASSERT_TRUE(testing::eventually([&] {
    return rr.scheduler.parks_of(0) >= 1 && rr.scheduler.parks_of(1) >= 1;
  }));
  const std::size_t parks_before = rr.scheduler.parks_of(0);
  auto [input, completer] = make_manual_future<int>();
  auto fiber_task = rr.runtime.spawn(fiber([&, input = std::move(input)]() mutable {
    before.store(thread_now());
    suspended.count_down();
    const int value = art::await(input);
    after.store(thread_now());
    return value;
  }));
  suspended.wait();
  ASSERT_TRUE(testing::eventually([&] { return rr.scheduler.parks_of(0) > parks_before; }))
      << "the fiber's worker did not go back to sleep";
  completer.complete(5);
  EXPECT_EQ(art::block_on(fiber_task), 5);
  EXPECT_NE(after.load(), before.load()) << "the wake did not go to the next worker";
}

TEST(FiberRoundRobin, ShutdownUnwindsASuspendedFiber) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  auto [never, completer] = make_manual_future<int>();
  std::latch suspended(1);
  {
    RoundRobinRuntime rr(2);
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
