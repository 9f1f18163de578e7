// Shutdown across workers: every task still alive is cancelled, its future
// destroyed exactly once, and every joiner told; no spawn slips in after.
#include <atomic>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/runtime.hpp"
#include "art/task.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using testing::PendingForever;

Task<int> joins(JoinHandle<int> other) { co_return co_await other; }

TEST(Shutdown, AHundredThousandPendingTasksAreEachDestroyedOnce) {
  const int tasks = 100'000 / testing::kStressScale;
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  Runtime runtime(2);
  std::vector<JoinHandle<int>> joiners;
  for (int i = 0; i < tasks; ++i) {
    auto waiting = runtime.spawn(PendingForever(destroyed));
    if (i % 100 == 0)
      joiners.push_back(runtime.spawn(joins(std::move(waiting))));  // a task waits on it
  }
  EXPECT_EQ(runtime.block_on(testing::Immediately(1)), 1);  // the workers have run
  runtime.shutdown();
  EXPECT_EQ(destroyed->load(), tasks);
  EXPECT_EQ(runtime.live_tasks(), 0U);
  for (auto& joiner : joiners)
    EXPECT_THROW(art::block_on(joiner), TaskCancelled);
}

TEST(Shutdown, AJoinerParkedOnAnotherThreadIsTold) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  Runtime runtime(2);
  auto handle = runtime.spawn(PendingForever(destroyed));
  std::atomic<bool> cancelled{false};
  std::latch joining(1);
  std::jthread joiner([&] {
    joining.count_down();
    try {
      (void)art::block_on(handle);
    } catch (const TaskCancelled&) {
      cancelled.store(true);
    }
  });
  joining.wait();
  runtime.shutdown();
  joiner.join();
  EXPECT_TRUE(cancelled.load());
  EXPECT_EQ(destroyed->load(), 1);
}

TEST(Shutdown, SpawnAfterShutdownThrowsAndDestroysTheFuture) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  Runtime runtime(2);
  runtime.shutdown();
  EXPECT_THROW((void)runtime.spawn(PendingForever(destroyed)), RuntimeShutDown);
  EXPECT_EQ(destroyed->load(), 1);
  runtime.shutdown();  // a second shutdown is harmless
}

// Four threads spawn as fast as they can; the shutdown comes once each has
// spawned some (forced by a latch), and they go on until refused. Every
// future made is destroyed exactly once, whichever side of the close its
// spawn fell on.
TEST(Shutdown, ShutdownRacingSpawnsFromOtherThreadsLosesNothing) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  std::atomic<int> made{0};
  Runtime runtime(2);
  std::latch all_spawning(4);
  std::vector<std::jthread> spawners;
  for (int t = 0; t < 4; ++t)
    spawners.emplace_back([&] {
      for (int i = 0;; ++i) {
        if (i == 100)
          all_spawning.count_down();
        made.fetch_add(1);
        try {
          (void)runtime.spawn(PendingForever(destroyed));
        } catch (const RuntimeShutDown&) {
          return;
        }
      }
    });
  all_spawning.wait();
  runtime.shutdown();
  for (auto& spawner : spawners)
    spawner.join();
  EXPECT_EQ(destroyed->load(), made.load());
  EXPECT_EQ(runtime.live_tasks(), 0U);
}

TEST(Shutdown, AWakeAfterTheRuntimeIsGoneIsHarmless) {
  auto waker = std::make_shared<Waker>();
  std::atomic<bool> stored{false};
  struct KeepsItsWaker {
    using Output = int;
    std::shared_ptr<Waker> waker;
    std::atomic<bool>* stored;
    Poll<int> poll(Context& cx) {
      if (!stored->load()) {
        *waker = cx.waker();
        stored->store(true);  // publishes the waker to the test's thread
      }
      return pending;
    }
  };
  {
    Runtime runtime(2);
    auto handle = runtime.spawn(KeepsItsWaker{waker, &stored});
    while (!stored.load())
      std::this_thread::yield();
  }
  waker->wake_by_ref();  // the task was cancelled, and is complete
  waker->reset();        // its last reference: the task goes now
}

}  // namespace
}  // namespace art
