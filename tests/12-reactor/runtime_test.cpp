// The runtime over the work-stealing scheduler, as a user meets it: spawn
// and join from anywhere, wakes from other threads, aborts racing polls,
// a blocked worker's tasks stolen, and idle workers that sleep.
#include "art/runtime.hpp"

#include <atomic>
#include <chrono>
#include <latch>
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
using testing::HybridRuntime;

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
    co_await yield_now();  // requeued: into this worker's own deque
  co_return times;
}

TEST(HybridRuntime, BlockOnReturnsTheOutput) {
  HybridRuntime rr(2);
  EXPECT_EQ(rr.runtime.block_on(add(2, 3)), 5);
}

TEST(HybridRuntime, TasksSpawnedOnAWorkerAreSpreadAndJoined) {
  HybridRuntime rr(2);
  EXPECT_EQ(rr.runtime.block_on(fan_out(1000)), 1000 * 1001 / 2);
}

TEST(HybridRuntime, OneWorkerIsEnoughToRunEverything) {
  HybridRuntime rr(1);
  EXPECT_EQ(rr.runtime.block_on(fan_out(100)), 100 * 101 / 2);
}

TEST(HybridRuntime, ThreeWorkersRunYieldingTasksToTheEnd) {
  HybridRuntime rr(3);
  std::vector<JoinHandle<int>> handles;
  handles.reserve(100);
  for (int i = 0; i < 100; ++i)
    handles.push_back(rr.runtime.spawn(yields(50)));
  for (auto& handle : handles)
    EXPECT_EQ(art::block_on(handle), 50);
  EXPECT_GE(rr.runtime.metrics().polls, 100U * 51U);
}

TEST(HybridRuntime, SpawnFromManyThreadsAndJoinOnEach) {
  HybridRuntime rr(2);
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
// the worker's own deque. The task is polled once more, exactly once.
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

TEST(HybridRuntime, WakesDuringAPollAreNeitherLostNorDoubled) {
  HybridRuntime rr(2);
  for (int round = 0; round < 200; ++round) {
    auto polls = std::make_shared<std::atomic<int>>(0);
    EXPECT_EQ(rr.runtime.block_on(WokenByOtherThreadsWhilePolled(polls)), 2);
    EXPECT_EQ(polls->load(), 2);
  }
}

TEST(HybridRuntime, AbortsRacingPollsDestroyEveryFutureOnce) {
  HybridRuntime rr(2);
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

TEST(HybridRuntime, AMillionTasksFromFourThreadsOnTwoWorkers) {
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
  HybridRuntime rr(2);
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

TEST(HybridRuntime, AnIdleRuntimeUsesNoCpu) {
  HybridRuntime rr(2);
  EXPECT_EQ(rr.runtime.block_on(testing::Immediately(1)), 1);
  ASSERT_TRUE(eventually([&] {
    return rr.all_parked_once() && rr.scheduler.idle().awake() == 0;
  })) << "the workers never went to sleep";
  const double before = testing::process_cpu_seconds();
  std::this_thread::sleep_for(1s);
  const double used = testing::process_cpu_seconds() - before;
  EXPECT_LT(used, 0.010) << "an idle runtime burned " << used * 1000
                         << " ms of CPU in a second";
}

// A ping-pong between the test thread and the workers: before each round
// both are asleep, and the spawn from outside must wake one of them. A
// lost wake-up leaves the task unpolled, and the bounded wait fails.
TEST(HybridRuntime, EachSpawnFromOutsideWakesASleepingWorker) {
  HybridRuntime rr(2);
  const int rounds = 1000 / testing::kStressScale;
  for (int round = 0; round < rounds; ++round) {
    ASSERT_TRUE(eventually([&] { return rr.scheduler.idle().awake() == 0; }))
        << "round " << round << ": the workers did not go back to sleep";
    auto handle = rr.runtime.spawn(testing::Immediately(round));
    ASSERT_TRUE(eventually([&] { return handle.is_finished(); }))
        << "round " << round << ": no worker was woken for the task";
    EXPECT_EQ(art::block_on(handle), round);
  }
}

// Wakes from another thread racing the workers' way to sleep, many times:
// each task is woken from outside while the worker that polled it may be
// parking. Every task must still finish.
TEST(HybridRuntime, WakesFromOutsideRacingParkingAreNeverLost) {
  HybridRuntime rr(2);
  const int rounds = 20'000 / testing::kStressScale;
  for (int round = 0; round < rounds; ++round) {
    auto gate = std::make_shared<testing::Gate>();
    testing::OpenOnExit open(gate);
    auto waker_ready = std::make_shared<std::latch>(1);
    auto waker = std::make_shared<Waker>();
    struct WaitsForOneWake {
      using Output = int;
      std::shared_ptr<std::latch> ready;
      std::shared_ptr<Waker> waker;
      std::shared_ptr<testing::Gate> gate;
      bool waiting = false;
      Poll<int> poll(Context& cx) {
        if (gate->is_open())
          return 1;
        if (!waiting) {
          *waker = cx.waker();  // a clone: keeps a reference
          waiting = true;
          ready->count_down();
        }
        return pending;
      }
    };
    auto handle = rr.runtime.spawn(WaitsForOneWake{waker_ready, waker, gate});
    waker_ready->wait();
    gate->open();
    waker->wake_by_ref();  // the worker is on its way to sleep, or asleep
    ASSERT_TRUE(eventually([&] { return handle.is_finished(); }))
        << "round " << round << ": the wake was lost";
    EXPECT_EQ(art::block_on(handle), 1);
  }
}

// The shortfall of chapter 08, gone: a task holds its worker while the
// children it spawned wait in that worker's deque. The other worker, woken
// by the spawns, steals them and runs every one while the parent still
// holds its worker.
TEST(HybridStealing, ABusyWorkersTasksAreStolenAndRunWhileItIsHeld) {
  HybridRuntime rr(2);
  constexpr int kChildren = 10;
  auto done = std::make_shared<std::atomic<int>>(0);
  struct Child {
    using Output = void;
    std::shared_ptr<std::atomic<int>> done;
    Poll<void> poll(Context& /*cx*/) const {
      done->fetch_add(1);
      return ready;
    }
  };
  struct HoldsItsWorker {
    using Output = bool;
    std::shared_ptr<std::atomic<int>> done;
    Poll<bool> poll(Context& /*cx*/) const {
      for (int i = 0; i < kChildren; ++i)
        (void)art::spawn(Child{done});  // into this worker's own deque
      // Held here: only a thief can run the children.
      return eventually([&] { return done->load() == kChildren; });
    }
  };
  EXPECT_TRUE(rr.runtime.block_on(HoldsItsWorker{done}))
      << "only " << done->load() << " of " << kChildren
      << " children ran while their worker was held";
  EXPECT_GE(rr.scheduler.steals(), static_cast<std::size_t>(kChildren));
}

// On one worker, a task that yields until a task it spawned has run. Under
// work stealing the yielder was always the newest entry, and only the
// fairness guard ran the child. Here a refill moves the older half of the
// cold deque, and the child is the older: it runs in the very next batch,
// though the yielder, woken ever more often, has the higher priority.
TEST(HybridFairness, AYieldingTaskDoesNotStarveAnOlderOneOnItsWorker) {
  HybridRuntime rr(1);
  auto flag = std::make_shared<std::atomic<bool>>(false);
  struct SetsTheFlag {
    using Output = void;
    std::shared_ptr<std::atomic<bool>> flag;
    Poll<void> poll(Context& /*cx*/) const {
      flag->store(true);
      return ready;
    }
  };
  struct YieldsUntilSet {
    using Output = int;
    std::shared_ptr<std::atomic<bool>> flag;
    int polls = 0;
    Poll<int> poll(Context& cx) {
      if (++polls == 1)
        (void)art::spawn(SetsTheFlag{flag});
      if (flag->load() || polls > 1000)  // give up, to fail instead of hanging
        return polls;
      cx.waker().wake_by_ref();  // a yield
      return pending;
    }
  };
  auto handle = rr.runtime.spawn(YieldsUntilSet{flag});
  ASSERT_TRUE(eventually([&] { return handle.is_finished(); }))
      << "the yielding task never ran to its end: its worker never took it again";
  const int polls = art::block_on(handle);
  EXPECT_LE(polls, 2) << "the child waited behind " << polls << " polls of its yielding parent";
}

}  // namespace
}  // namespace art
