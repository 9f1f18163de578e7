// Shutdown across workers: every task still alive is cancelled, its future
// destroyed exactly once, and every joiner told; no spawn slips in after.
#include <atomic>
#include <latch>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>
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

// The joiner has left its waker (forced: its poll returned Pending before
// the shutdown starts); the shutdown must wake it, and its next poll sees
// the task cancelled.
TEST(Shutdown, AJoinerThatLeftAWakerIsTold) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  testing::CountingWaker joiner;
  Runtime runtime(2);
  auto handle = runtime.spawn(PendingForever(destroyed));
  const Waker waker = joiner.waker();
  Context cx(waker);
  ASSERT_TRUE(handle.poll(cx).is_pending());
  runtime.shutdown();
  EXPECT_EQ(joiner.wakes(), 1);
  EXPECT_THROW((void)handle.poll(cx), TaskCancelled);
  EXPECT_EQ(destroyed->load(), 1);
}

// A future whose destructor, run by the shutdown, calls shutdown again:
// refused with an error instead of a deadlock on the shutdown's own lock.
TEST(Shutdown, AShutdownFromInsideTheShutdownIsRefused) {
  Runtime runtime(2);
  std::atomic<bool> refused{false};
  struct ShutsDownWhenDestroyed {
    using Output = int;
    Runtime* runtime;
    std::atomic<bool>* refused;
    ShutsDownWhenDestroyed(Runtime* r, std::atomic<bool>* f) : runtime(r), refused(f) {}
    ShutsDownWhenDestroyed(ShutsDownWhenDestroyed&& other) noexcept
        : runtime(std::exchange(other.runtime, nullptr)), refused(other.refused) {}
    ShutsDownWhenDestroyed& operator=(ShutsDownWhenDestroyed&&) = delete;
    ~ShutsDownWhenDestroyed() {
      if (runtime == nullptr)
        return;
      try {
        runtime->shutdown();
      } catch (const std::logic_error&) {
        refused->store(true);
      }
    }
    Poll<int> poll(Context& /*cx*/) { return pending; }
  };
  auto handle = runtime.spawn(ShutsDownWhenDestroyed(&runtime, &refused));
  EXPECT_EQ(runtime.block_on(testing::Immediately(1)), 1);
  runtime.shutdown();
  EXPECT_TRUE(refused.load());
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
