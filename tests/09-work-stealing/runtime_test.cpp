// The runtime over a round-robin scheduler, as a user meets it: spawn and
// join from anywhere, wakes from other threads, aborts racing polls, and
// idle workers that sleep.
#include "art/runtime.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/task.hpp"
#include "art/yield_now.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::Lifetime;
using testing::RoundRobinRuntime;

Task<int> add(int a, int b) { co_return a + b; }

Task<int> fan_out(int children) {
  std::vector<JoinHandle<int>> handles;
  handles.reserve(children);
  for (int i = 0; i < children; ++i)
    handles.push_back(art::spawn(add(i, 1)));
  int sum = 0;
  for (auto& handle : handles)
    sum += co_await handle;
  co_return sum;
}

Task<int> yields(int times) {
  for (int i = 0; i < times; ++i)
    co_await yield_now();  // requeued: to the next worker in turn
  co_return times;
}

TEST(RoundRobinRuntime, BlockOnReturnsTheOutput) {
  RoundRobinRuntime rr(2);
  EXPECT_EQ(rr.runtime.block_on(add(2, 3)), 5);
}

TEST(RoundRobinRuntime, TasksSpawnedOnAWorkerAreSpreadAndJoined) {
  RoundRobinRuntime rr(2);
  EXPECT_EQ(rr.runtime.block_on(fan_out(1000)), 1000 * 1001 / 2);
}

TEST(RoundRobinRuntime, OneWorkerIsEnoughToRunEverything) {
  RoundRobinRuntime rr(1);
  EXPECT_EQ(rr.runtime.block_on(fan_out(100)), 100 * 101 / 2);
}

TEST(RoundRobinRuntime, ThreeWorkersRunYieldingTasksToTheEnd) {
  RoundRobinRuntime rr(3);
  std::vector<JoinHandle<int>> handles;
  handles.reserve(100);
  for (int i = 0; i < 100; ++i)
    handles.push_back(rr.runtime.spawn(yields(50)));
  for (auto& handle : handles)
    EXPECT_EQ(art::block_on(handle), 50);
  EXPECT_GE(rr.runtime.metrics().polls, 100U * 51U);
}

TEST(RoundRobinRuntime, SpawnFromManyThreadsAndJoinOnEach) {
  RoundRobinRuntime rr(2);
  std::atomic<int> total{0};
  std::vector<std::jthread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i)
        total.fetch_add(art::block_on(rr.runtime.spawn(add(t, i))));
    });
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(total.load(), 100 * (0 + 1 + 2 + 3) + 4 * (99 * 100 / 2));
}

// Three threads wake the task while a worker polls it; the requeue goes to
// the other worker's queue. The task is polled once more, exactly once.
class WokenByOtherThreadsWhilePolled {
 public:
  using Output = int;
  explicit WokenByOtherThreadsWhilePolled(std::shared_ptr<std::atomic<int>> polls)
      : polls_(std::move(polls)) {}
  Poll<int> poll(Context& cx) {
    const int polls = polls_->fetch_add(1) + 1;
    if (polls > 1)
      return polls;
    std::vector<std::jthread> wakers;
    wakers.reserve(3);
    for (int t = 0; t < 3; ++t)
      wakers.emplace_back([&cx] { cx.waker().wake_by_ref(); });
    return pending;  // after the jthreads joined: every wake met a RUNNING task
  }

 private:
  std::shared_ptr<std::atomic<int>> polls_;
};

TEST(RoundRobinRuntime, WakesDuringAPollAreNeitherLostNorDoubled) {
  RoundRobinRuntime rr(2);
  for (int round = 0; round < 200; ++round) {
    auto polls = std::make_shared<std::atomic<int>>(0);
    EXPECT_EQ(rr.runtime.block_on(WokenByOtherThreadsWhilePolled(polls)), 2);
    EXPECT_EQ(polls->load(), 2);
  }
}

TEST(RoundRobinRuntime, AbortsRacingPollsDestroyEveryFutureOnce) {
  RoundRobinRuntime rr(2);
  const int tasks = 2000 / testing::kStressScale;
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  struct YieldsForever {
    using Output = int;
    Lifetime lifetime;
    Poll<int> poll(Context& cx) {
      cx.waker().wake_by_ref();  // always running or queued: the abort races a poll
      return pending;
    }
  };
  std::vector<JoinHandle<int>> handles;
  handles.reserve(tasks);
  for (int i = 0; i < tasks; ++i)
    handles.push_back(rr.runtime.spawn(YieldsForever{Lifetime(destroyed)}));
  std::jthread aborter([&handles] {
    for (auto& handle : handles)
      handle.abort();
  });
  aborter.join();
  for (auto& handle : handles)
    EXPECT_THROW(art::block_on(handle), TaskCancelled);
  EXPECT_EQ(destroyed->load(), tasks);
}

TEST(RoundRobinRuntime, AMillionTasksFromFourThreadsOnTwoWorkers) {
  const int per_thread = 250'000 / testing::kStressScale;
  auto done = std::make_shared<std::atomic<int>>(0);
  struct Counts {
    using Output = void;
    std::atomic<int>* done;
    Poll<void> poll(Context& /*cx*/) const {
      done->fetch_add(1, std::memory_order_relaxed);
      return ready;
    }
  };
  RoundRobinRuntime rr(2);
  {
    std::vector<std::jthread> spawners;
    spawners.reserve(4);
    for (int t = 0; t < 4; ++t)
      spawners.emplace_back([&] {
        for (int i = 0; i < per_thread; ++i)
          (void)rr.runtime.spawn(Counts{done.get()});  // detached at once
      });
  }
  EXPECT_EQ(rr.runtime.block_on(add(0, 0)), 0);
  ASSERT_TRUE(eventually([&] { return rr.runtime.live_tasks() == 0; }));
  EXPECT_EQ(done->load(), 4 * per_thread);
  EXPECT_EQ(rr.runtime.metrics().completed,
            static_cast<std::uint64_t>(4 * per_thread) + 1);
}

TEST(Ex8_2_Parking, AnIdleRoundRobinRuntimeUsesNoCpu) {
  RoundRobinRuntime rr(2);
  EXPECT_EQ(rr.runtime.block_on(testing::Immediately(1)), 1);
  ASSERT_TRUE(eventually([&] {
    return rr.scheduler.parks_of(0) >= 1 && rr.scheduler.parks_of(1) >= 1;
  })) << "the workers never went to sleep";
  const double before = testing::process_cpu_seconds();
  std::this_thread::sleep_for(1s);
  const double used = testing::process_cpu_seconds() - before;
  EXPECT_LT(used, 0.010) << "an idle runtime burned " << used * 1000
                         << " ms of CPU in a second";
}

// A ping-pong between the test thread and the workers, one worker at a
// time: before each round both are asleep, and the round's task is dealt to
// the worker whose turn it is, which must be woken for it. A lost wake-up
// leaves the task unpolled, and the bounded wait fails the round.
TEST(Ex8_2_Parking, EachSpawnWakesTheParkedWorkerWhoseTurnItIs) {
  RoundRobinRuntime rr(2);
  const int rounds = 1000 / testing::kStressScale;
  ASSERT_TRUE(eventually([&] {
    return rr.scheduler.parks_of(0) >= 1 && rr.scheduler.parks_of(1) >= 1;
  })) << "the idle workers never went to sleep";
  for (int round = 0; round < rounds; ++round) {
    const std::size_t w = round % 2;  // only this thread schedules: turns are rounds
    const std::size_t parks = rr.scheduler.parks_of(w);
    auto handle = rr.runtime.spawn(testing::Immediately(round));
    ASSERT_TRUE(eventually([&] { return handle.is_finished(); }))
        << "round " << round << ": worker " << w << " was not woken for its task";
    EXPECT_EQ(art::block_on(handle), round);
    ASSERT_TRUE(eventually([&] { return rr.scheduler.parks_of(w) >= parks + 1; }))
        << "round " << round << ": worker " << w << " did not go back to sleep";
  }
}

}  // namespace
}  // namespace art
