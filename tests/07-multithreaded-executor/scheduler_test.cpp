// The shared-queue scheduler on its own, and parking: an idle runtime
// sleeps, and every schedule reaches a worker, parked or not.
#include <atomic>
#include <chrono>
#include <ctime>
#include <latch>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/runtime.hpp"
#include "art/shared_queue_scheduler.hpp"
#include "art/task.hpp"
#include "art/yield_now.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::Entry;
using testing::eventually;

// Closes the scheduler when the scope ends, however it ends: a worker
// still inside next_task (one that never parked, say) then returns, and
// its thread can be joined. Declare it after the worker threads.
struct CloseAtScopeEnd {
  Scheduler& scheduler;
  ~CloseAtScopeEnd() { scheduler.close(); }
};

double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

TEST(SharedQueue, EntriesComeOutInTheOrderTheyWentIn) {
  SharedQueueScheduler scheduler;
  scheduler.start(1);
  Entry a;
  Entry b;
  EXPECT_TRUE(scheduler.schedule(&a));
  EXPECT_TRUE(scheduler.schedule(&b));
  EXPECT_EQ(scheduler.next_task(0), &a);
  EXPECT_EQ(scheduler.next_task(0), &b);
  scheduler.close();
  EXPECT_EQ(scheduler.next_task(0), nullptr);
}

TEST(SharedQueue, AClosedSchedulerRefusesAndDrainsWhatIsLeft) {
  SharedQueueScheduler scheduler;
  scheduler.start(1);
  Entry a;
  EXPECT_TRUE(scheduler.schedule(&a));
  scheduler.close();
  Entry b;
  EXPECT_FALSE(scheduler.schedule(&b));
  EXPECT_EQ(scheduler.drain(), &a);
  EXPECT_EQ(scheduler.drain(), nullptr);
}

TEST(Ex7_4_Parking, AWorkerWithNothingToDoParksAndAScheduleWakesIt) {
  SharedQueueScheduler scheduler;
  scheduler.start(1);
  Entry entry;
  std::atomic<TaskHeader*> taken{nullptr};
  std::jthread worker([&] { taken.store(scheduler.next_task(0)); });
  const CloseAtScopeEnd close{scheduler};
  ASSERT_TRUE(eventually([&] { return scheduler.parks() == 1; }))
      << "a worker that found the queue empty did not park";
  EXPECT_TRUE(scheduler.schedule(&entry));
  worker.join();
  EXPECT_EQ(taken.load(), &entry);
  EXPECT_GE(scheduler.parks(), 1U);  // more if the condition variable woke it for nothing
  scheduler.close();
}

TEST(SharedQueue, AClosedSchedulerGivesOutNoMoreTasks) {
  SharedQueueScheduler scheduler;
  scheduler.start(1);
  Entry entry;
  EXPECT_TRUE(scheduler.schedule(&entry));
  scheduler.close();
  EXPECT_EQ(scheduler.next_task(0), nullptr) << "a queued task ran after close()";
  EXPECT_EQ(scheduler.drain(), &entry);  // left for the shutdown to drop
}

// One worker, and a test thread that does not park: it spawns a task and
// spins until the task is done, over and over, so each spawn lands at any
// point of the worker's way to sleep, including between "the queue is
// empty" and the wait. A scheduler with a gap there loses a wake within a
// few dozen rounds, and the round never finishes.
TEST(Parking, NoWakeFallsBetweenTheEmptyCheckAndTheSleep) {
  Runtime runtime(1);
  const int rounds = 100'000 / testing::kStressScale;
  for (int round = 0; round < rounds; ++round) {
    auto handle = runtime.spawn(testing::Immediately(round));
    ASSERT_TRUE(eventually([&] { return handle.is_finished(); }))
        << "round " << round << ": the task was never run (a lost wake-up)";
  }
}

TEST(Ex7_4_Parking, CloseWakesEveryParkedWorker) {
  SharedQueueScheduler scheduler;
  scheduler.start(2);
  std::atomic<int> stopped{0};
  std::vector<std::jthread> workers;
  for (std::size_t i = 0; i < 2; ++i)
    workers.emplace_back([&, i] {
      if (scheduler.next_task(i) == nullptr)
        stopped.fetch_add(1);
    });
  const CloseAtScopeEnd close{scheduler};
  ASSERT_TRUE(eventually([&] { return scheduler.parks() == 2; }));
  scheduler.close();
  for (auto& worker : workers)
    worker.join();
  EXPECT_EQ(stopped.load(), 2);
}

TEST(Ex7_4_Parking, AnIdleRuntimeUsesNoCpu) {
  Runtime runtime(2);
  EXPECT_EQ(runtime.block_on(testing::Immediately(1)), 1);
  ASSERT_TRUE(eventually([&] { return runtime.metrics().parks >= 2; }))
      << "the workers never went to sleep";
  const double before = process_cpu_seconds();
  std::this_thread::sleep_for(1s);
  const double used = process_cpu_seconds() - before;
  EXPECT_LT(used, 0.010) << "an idle runtime burned " << used * 1000
                         << " ms of CPU in a second";
}

// A ping-pong between a plain thread and a task. Before each round the
// test waits until the workers have parked once more than the round
// before: the worker that ran the last round went back to sleep (or the
// other one slept meanwhile), so spawns keep meeting sleeping workers. A
// lost wake-up hangs a round, and the test's timeout fails it.
TEST(Ex7_4_Parking, EveryRoundOfAPingPongWakesAParkedWorker) {
  Runtime runtime(2);
  const std::uint64_t rounds = 1000 / testing::kStressScale;
  ASSERT_TRUE(eventually([&] { return runtime.metrics().parks >= 2; }))
      << "the idle workers never went to sleep";
  for (std::uint64_t round = 1; round <= rounds; ++round) {
    EXPECT_EQ(runtime.block_on(testing::Immediately(static_cast<int>(round))),
              static_cast<int>(round));
    ASSERT_TRUE(eventually([&] { return runtime.metrics().parks >= 2 + round; }))
        << "round " << round << ": the worker did not go back to sleep";
  }
}

Task<int> yields(int times) {
  for (int i = 0; i < times; ++i)
    co_await yield_now();
  co_return times;
}

TEST(SharedQueue, TwoWorkersRunTwoTasksAtOnce) {
  Runtime runtime(2);
  std::latch both_polling(2);
  struct MeetsTheOther {
    using Output = int;
    std::latch* both;
    Poll<int> poll(Context& /*cx*/) {
      both->arrive_and_wait();  // returns only while the other task is polled too
      return 1;
    }
  };
  auto a = runtime.spawn(MeetsTheOther{&both_polling});
  auto b = runtime.spawn(MeetsTheOther{&both_polling});
  EXPECT_EQ(art::block_on(a) + art::block_on(b), 2);
}

TEST(SharedQueue, YieldingTasksAllFinish) {
  Runtime runtime(2);
  std::vector<JoinHandle<int>> handles;
  for (int i = 0; i < 100; ++i)
    handles.push_back(runtime.spawn(yields(50)));
  for (auto& handle : handles)
    EXPECT_EQ(art::block_on(handle), 50);
  EXPECT_GE(runtime.metrics().polls, 100U * 51U);
}

}  // namespace
}  // namespace art
