// Shutdown over per-worker deques and the injector: the workers stop at
// once, every task still alive is cancelled, its future destroyed exactly
// once, and every entry left in a deque or the injector is drained, so
// every task is freed.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <latch>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/frame_pool.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::Gate;
using testing::OpenOnExit;
using testing::PendingForever;
using testing::HybridRuntime;

Task<int> joins(JoinHandle<int> other) { co_return co_await other; }

// Holds its worker until the gate opens.
struct Holds {
  using Output = void;
  std::shared_ptr<Gate> gate;
  std::atomic<int>* holding;
  Poll<void> poll(Context& /*cx*/) {
    holding->fetch_add(1);
    gate->wait();
    return ready;
  }
};

// A work-stealing scheduler that opens a gate once it is closed: workers
// held at the gate come back to find it closed, so every entry still
// queued is left to the drain.
class OpensTheGateWhenClosed final : public Scheduler {
 public:
  explicit OpensTheGateWhenClosed(std::shared_ptr<Gate> gate) : gate_(std::move(gate)) {}
  bool drive(Driver& driver) override { return inner_.drive(driver); }
  void start(std::size_t workers) override { inner_.start(workers); }
  bool schedule(TaskHeader* task) noexcept override { return inner_.schedule(task); }
  TaskHeader* next_task(std::size_t worker) override { return inner_.next_task(worker); }
  void close() override {
    inner_.close();
    gate_->open();
  }
  TaskHeader* drain() override { return inner_.drain(); }
  std::size_t parks() const override { return inner_.parks(); }

 private:
  WorkStealingScheduler inner_;
  std::shared_ptr<Gate> gate_;
};

// Both workers are held while the tasks are spawned, and let go only once
// the scheduler is closed: every task is still queued (spawned from outside:
// in the injector) when the workers stop. Returns the task blocks this
// thread's FramePool had to ask the global allocator for, or nothing if
// the two holders were not polled at once (then the tasks were not spread).
std::optional<std::uint64_t> spawn_and_shut_down(
    int tasks, const std::shared_ptr<std::atomic<int>>& destroyed) {
  const std::uint64_t fresh_before = FramePool::stats().fresh;
  std::atomic<int> holding{0};
  auto gate = std::make_shared<Gate>();
  Runtime runtime(2, std::make_unique<OpensTheGateWhenClosed>(gate));
  OpenOnExit opener(gate);
  (void)runtime.spawn(Holds{gate, &holding});
  (void)runtime.spawn(Holds{gate, &holding});  // stolen if the first worker took both
  if (!eventually([&] { return holding.load() == 2; }, 2s))
    return std::nullopt;
  std::vector<JoinHandle<int>> joiners;
  for (int i = 0; i < tasks; ++i) {
    auto waiting = runtime.spawn(PendingForever(destroyed));
    if (i % 100 == 0)
      joiners.push_back(runtime.spawn(joins(std::move(waiting))));  // a task waits on it
  }
  runtime.shutdown();
  EXPECT_EQ(runtime.metrics().polls, 2U) << "only the holders ran";
  EXPECT_EQ(runtime.live_tasks(), 0U);
  for (auto& joiner : joiners)
    EXPECT_THROW(art::block_on(joiner), TaskCancelled);
  joiners.clear();
  return FramePool::stats().fresh - fresh_before;
}

// The second run needs no new blocks if the first gave every one back: a
// task whose queue entry was left undrained is never freed.
TEST(HybridShutdown, AHundredThousandQueuedTasksAreEachDestroyedOnceAndFreed) {
  const int tasks = 100'000 / testing::kStressScale;
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  ASSERT_TRUE(spawn_and_shut_down(tasks, destroyed).has_value())
      << "the two holders were not polled at once: was the second never stolen?";
  EXPECT_EQ(destroyed->load(), tasks);
  const std::optional<std::uint64_t> fresh = spawn_and_shut_down(tasks, destroyed);
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(destroyed->load(), 2 * tasks);
  EXPECT_LE(*fresh, 16U) << "the second run asked for " << *fresh
                         << " new task blocks: the first run's tasks were not all freed";
}

TEST(HybridShutdown, AJoinerParkedOnAnotherThreadIsTold) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  HybridRuntime rr(2);
  auto handle = rr.runtime.spawn(PendingForever(destroyed));
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
  rr.runtime.shutdown();
  joiner.join();
  EXPECT_TRUE(cancelled.load());
  EXPECT_EQ(destroyed->load(), 1);
}

TEST(HybridShutdown, SpawnAfterShutdownThrowsAndDestroysTheFuture) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  HybridRuntime rr(2);
  rr.runtime.shutdown();
  EXPECT_THROW((void)rr.runtime.spawn(PendingForever(destroyed)), RuntimeShutDown);
  EXPECT_EQ(destroyed->load(), 1);
  rr.runtime.shutdown();  // a second shutdown is harmless
}

// Four threads spawn as fast as they can; the shutdown comes once each has
// spawned some (forced by a latch), and they go on until refused. Every
// future made is destroyed exactly once, whichever side of the close its
// spawn fell on.
TEST(HybridShutdown, ShutdownRacingSpawnsFromOtherThreadsLosesNothing) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  std::atomic<int> made{0};
  HybridRuntime rr(2);
  std::latch all_spawning(4);
  std::vector<std::jthread> spawners;
  spawners.reserve(4);
  for (int t = 0; t < 4; ++t)
    spawners.emplace_back([&] {
      for (int i = 0;; ++i) {
        if (i == 100)
          all_spawning.count_down();
        made.fetch_add(1);
        try {
          (void)rr.runtime.spawn(PendingForever(destroyed));
        } catch (const RuntimeShutDown&) {
          return;
        }
      }
    });
  all_spawning.wait();
  rr.runtime.shutdown();
  for (auto& spawner : spawners)
    spawner.join();
  EXPECT_EQ(destroyed->load(), made.load());
  EXPECT_EQ(rr.runtime.live_tasks(), 0U);
}

TEST(HybridShutdown, AWakeAfterTheRuntimeIsGoneIsHarmless) {
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
    HybridRuntime rr(2);
    auto handle = rr.runtime.spawn(KeepsItsWaker{waker, &stored});
    while (!stored.load())
      std::this_thread::yield();
  }
  waker->wake_by_ref();  // the task was cancelled, and is complete
  waker->reset();        // its last reference: the task goes now
}

}  // namespace
}  // namespace art
