// The runtime as a user meets it: spawn from anywhere, join from anywhere,
// abort from anywhere, and the refusals that keep a worker from blocking.
#include "art/runtime.hpp"

#include <atomic>
#include <latch>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/task.hpp"
#include "art/yield_now.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using testing::Lifetime;
using testing::MeetsInItsPoll;
using testing::PendingForever;
using testing::Rendezvous;

Task<int> add(int a, int b) { co_return a + b; }

Task<int> fan_out(int children) {
  std::vector<JoinHandle<int>> handles;
  for (int i = 0; i < children; ++i)
    handles.push_back(art::spawn(add(i, 1)));
  int sum = 0;
  for (auto& handle : handles)
    sum += co_await handle;
  co_return sum;
}

TEST(Runtime, BlockOnReturnsTheOutput) {
  Runtime runtime(2);
  EXPECT_EQ(runtime.block_on(add(2, 3)), 5);
}

TEST(Runtime, TasksSpawnTasksAndJoinThem) {
  Runtime runtime(2);
  EXPECT_EQ(runtime.block_on(fan_out(1000)), 1000 * 1001 / 2);
}

TEST(Runtime, OneWorkerIsEnoughToRunEverything) {
  Runtime runtime(1);
  EXPECT_EQ(runtime.block_on(fan_out(100)), 100 * 101 / 2);
}

TEST(Runtime, ARuntimeWithoutWorkersIsRefused) {
  EXPECT_THROW(Runtime(0), std::invalid_argument);
}

TEST(Runtime, SpawnFromManyThreadsAndJoinOnEach) {
  Runtime runtime(2);
  std::atomic<int> total{0};
  std::vector<std::jthread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i)
        total.fetch_add(art::block_on(runtime.spawn(add(t, i))));
    });
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(total.load(), 100 * (0 + 1 + 2 + 3) + 4 * (99 * 100 / 2));
}

Task<int> block_on_inside(Runtime* runtime) { co_return runtime->block_on(add(1, 1)); }

TEST(Runtime, BlockOnOnOneOfItsWorkersIsRefused) {
  Runtime runtime(2);
  EXPECT_THROW(runtime.block_on(block_on_inside(&runtime)), std::logic_error);
}

Task<int> shutdown_inside(Runtime* runtime) {
  runtime->shutdown();
  co_return 0;
}

TEST(Runtime, ShutdownOnOneOfItsWorkersIsRefused) {
  Runtime runtime(2);
  EXPECT_THROW(runtime.block_on(shutdown_inside(&runtime)), std::logic_error);
}

Task<int> art_block_on_inside() { co_return art::block_on(art::spawn(add(1, 1))); }

TEST(Runtime, ArtBlockOnOnAWorkerIsRefused) {
  Runtime runtime(2);
  EXPECT_THROW(runtime.block_on(art_block_on_inside()), std::logic_error);
  runtime.shutdown();  // and the shutdown does not wait for a parked worker
}

TEST(Runtime, SpawnOutsideAWorkerIsAnError) {
  EXPECT_THROW((void)art::spawn(add(1, 2)), std::logic_error);
}

// The wake that must not be lost: three threads wake the task while a
// worker is polling it; the poll returns Pending only after all three wakes
// have returned. The task must be polled once more, exactly once.
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
    for (int t = 0; t < 3; ++t)
      wakers.emplace_back([&cx] { cx.waker().wake_by_ref(); });
    return pending;  // after the jthreads joined: every wake met a RUNNING task
  }

 private:
  std::shared_ptr<std::atomic<int>> polls_;
};

TEST(Runtime, WakesDuringAPollOnAnotherThreadAreNeitherLostNorDoubled) {
  Runtime runtime(2);
  for (int round = 0; round < 200; ++round) {
    auto polls = std::make_shared<std::atomic<int>>(0);
    EXPECT_EQ(runtime.block_on(WokenByOtherThreadsWhilePolled(polls)), 2);
    EXPECT_EQ(polls->load(), 2);
  }
}

TEST(Abort, AbortFromAnotherThreadCancelsAWaitingTask) {
  Runtime runtime(2);
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  auto handle = runtime.spawn(PendingForever(destroyed));
  std::jthread aborter([&handle] { handle.abort(); });
  aborter.join();
  EXPECT_THROW(art::block_on(handle), TaskCancelled);
  EXPECT_EQ(destroyed->load(), 1);
}

// The abort lands while a worker is inside the task's poll: the poll's end
// (to_idle) finds CANCELLED, and that worker destroys the future.
TEST(Abort, AnAbortDuringAPollCancelsTheTaskWhenThePollEnds) {
  Runtime runtime(2);
  auto meet = std::make_shared<Rendezvous>();
  auto polls = std::make_shared<std::atomic<int>>(0);
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  auto handle = runtime.spawn(MeetsInItsPoll(meet, false, 1, polls, destroyed));
  const testing::LetThePollGoOnAtScopeEnd let_go{*meet};
  meet->wait_until_polled();
  handle.abort();  // while RUNNING
  EXPECT_EQ(destroyed->load(), 0) << "the future was destroyed while being polled";
  meet->let_the_poll_go_on();
  EXPECT_THROW(art::block_on(handle), TaskCancelled);
  EXPECT_EQ(polls->load(), 1);
  EXPECT_EQ(destroyed->load(), 1);
}

// The only worker is held inside another task's poll while the aborted
// task waits in the queue: the worker's to_running then finds it cancelled.
TEST(Abort, AnAbortOfAQueuedTaskCancelsItBeforeItsFirstPoll) {
  Runtime runtime(1);
  auto meet = std::make_shared<Rendezvous>();
  auto polls = std::make_shared<std::atomic<int>>(0);
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  auto holder = runtime.spawn(MeetsInItsPoll(meet, true, 1, polls, destroyed));
  const testing::LetThePollGoOnAtScopeEnd let_go{*meet};
  meet->wait_until_polled();
  auto queued_destroyed = std::make_shared<std::atomic<int>>(0);
  auto queued = runtime.spawn(PendingForever(queued_destroyed));
  queued.abort();
  meet->let_the_poll_go_on();
  EXPECT_THROW(art::block_on(queued), TaskCancelled);
  EXPECT_EQ(queued_destroyed->load(), 1);
  EXPECT_EQ(art::block_on(holder), 1);
  EXPECT_EQ(runtime.metrics().polls, 1U) << "the aborted task was polled";
}

TEST(Abort, AnAbortOfAFinishedTaskChangesNothing) {
  Runtime runtime(2);
  auto handle = runtime.spawn(add(3, 4));
  while (!handle.is_finished())
    std::this_thread::yield();
  handle.abort();
  EXPECT_EQ(art::block_on(handle), 7);
}

TEST(Abort, AbortsRacingPollsDestroyEveryFutureOnce) {
  Runtime runtime(2);
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
  for (int i = 0; i < tasks; ++i)
    handles.push_back(runtime.spawn(YieldsForever{Lifetime(destroyed)}));
  std::jthread aborter([&handles] {
    for (auto& handle : handles)
      handle.abort();
  });
  aborter.join();
  for (auto& handle : handles)
    EXPECT_THROW(art::block_on(handle), TaskCancelled);
  EXPECT_EQ(destroyed->load(), tasks);
  EXPECT_EQ(runtime.metrics().cancelled, static_cast<std::uint64_t>(tasks));
}

TEST(Runtime, AMillionTasksFromFourThreadsOnTwoWorkers) {
  const int per_thread = 250'000 / testing::kStressScale;
  auto done = std::make_shared<std::atomic<int>>(0);
  struct Counts {
    using Output = void;
    std::atomic<int>* done;
    Poll<void> poll(Context& /*cx*/) {
      done->fetch_add(1, std::memory_order_relaxed);
      return ready;
    }
  };
  Runtime runtime(2);
  {
    std::vector<std::jthread> spawners;
    for (int t = 0; t < 4; ++t)
      spawners.emplace_back([&] {
        for (int i = 0; i < per_thread; ++i)
          (void)runtime.spawn(Counts{done.get()});  // detached at once
      });
  }
  EXPECT_EQ(runtime.block_on(add(0, 0)), 0);
  while (runtime.live_tasks() > 0)
    std::this_thread::yield();
  EXPECT_EQ(done->load(), 4 * per_thread);
  EXPECT_EQ(runtime.metrics().completed, static_cast<std::uint64_t>(4 * per_thread) + 1);
}

TEST(Runtime, ASpawnerOutlivesItsRuntimeAndIsRefused) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  std::optional<Spawner> spawner;
  {
    Runtime runtime(1);
    spawner.emplace(runtime.spawner());
  }
  EXPECT_THROW((void)spawner->spawn(PendingForever(destroyed)), RuntimeShutDown);
  EXPECT_EQ(destroyed->load(), 1) << "the refused future was not destroyed";
}

}  // namespace
}  // namespace art
