// The round-robin scheduler on its own: entries dealt out in turn, each
// worker parked on its own queue and woken by a schedule to it, close and
// drain over every queue. The test thread plays the workers, or starts
// threads that do.
#include <array>
#include <atomic>
#include <chrono>
#include <latch>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/round_robin_scheduler.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using testing::CloseOnExit;
using testing::Entry;
using testing::eventually;

TEST(RoundRobin, StartIsRefusedTwiceAndForNoWorkers) {
  RoundRobinScheduler none;
  EXPECT_THROW(none.start(0), std::invalid_argument);
  EXPECT_THROW(none.start(RoundRobinScheduler::kMaxWorkers + 1), std::invalid_argument);
  EXPECT_THROW(none.start(static_cast<std::size_t>(-1)), std::invalid_argument);
  RoundRobinScheduler scheduler;
  scheduler.start(2);
  EXPECT_THROW(scheduler.start(2), std::logic_error);
  EXPECT_THROW((void)scheduler.parks_of(2), std::out_of_range);
}

TEST(RoundRobin, AScheduleBeforeStartIsRefused) {
  RoundRobinScheduler scheduler;
  Entry entry;
  EXPECT_FALSE(scheduler.schedule(&entry)) << "no worker to take it";
}

// Worker 0's queue gets the 1st, 3rd and 5th entries, worker 1's the 2nd,
// 4th and 6th. Each worker finds its own three, in order, without parking.
TEST(Ex8_1_Dispatch, EntriesAreDealtToTheWorkersInTurn) {
  RoundRobinScheduler scheduler;
  scheduler.start(2);
  std::array<Entry, 6> entries;
  for (Entry& entry : entries)
    ASSERT_TRUE(scheduler.schedule(&entry));
  for (int i : {0, 2, 4})
    ASSERT_EQ(scheduler.next_task(0), &entries[i]) << "worker 0's queue, entry " << i;
  for (int i : {1, 3, 5})
    ASSERT_EQ(scheduler.next_task(1), &entries[i]) << "worker 1's queue, entry " << i;
  EXPECT_EQ(scheduler.parks(), 0U);
  scheduler.close();
}

// Four threads schedule at once. However they interleave, each call takes
// its own turn: each worker takes exactly half the entries, then finds its
// queue empty and parks. (Two calls that read the same turn would upset the
// split, but no test can make them meet between a load and a store: only
// one read-modify-write rules that out.)
TEST(Ex8_1_Dispatch, ConcurrentSchedulesAreSplitEvenly) {
  RoundRobinScheduler scheduler;
  scheduler.start(2);
  constexpr int kPerThread = 1000;
  std::vector<Entry> entries(std::size_t{4} * kPerThread);
  std::array<std::atomic<int>, 2> taken{};
  std::vector<std::jthread> workers;
  for (std::size_t w = 0; w < 2; ++w)
    workers.emplace_back([&, w] {
      while (scheduler.next_task(w) != nullptr)
        taken[w].fetch_add(1);
    });
  CloseOnExit closer(scheduler);
  {
    std::latch start(4);
    std::vector<std::jthread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        for (int i = 0; i < kPerThread; ++i)
          (void)scheduler.schedule(&entries[t * kPerThread + i]);
      });
  }
  // Once every entry is taken the counts are final (whether the workers
  // sleep or spin afterwards is 8.2's business, not this test's).
  ASSERT_TRUE(eventually([&] {
    return taken[0].load() + taken[1].load() == 4 * kPerThread;
  })) << "taken: "
      << taken[0].load() << " by worker 0, " << taken[1].load() << " by worker 1";
  EXPECT_EQ(taken[0].load(), 2 * kPerThread);
  EXPECT_EQ(taken[1].load(), 2 * kPerThread);
}

// Both workers sleep on their empty queues. The first entry is worker 0's:
// it wakes worker 0, and worker 1 takes nothing; the second wakes worker 1.
TEST(Ex8_2_Parking, AWorkerParksOnItsOwnQueueAndOnlyAScheduleToItWakesIt) {
  RoundRobinScheduler scheduler;
  scheduler.start(2);
  Entry for_worker_0;
  Entry for_worker_1;
  std::array<std::atomic<TaskHeader*>, 2> taken{};
  std::vector<std::jthread> workers;
  for (std::size_t w = 0; w < 2; ++w)
    workers.emplace_back([&, w] { taken[w].store(scheduler.next_task(w)); });
  CloseOnExit closer(scheduler);
  ASSERT_TRUE(eventually([&] {
    return scheduler.parks_of(0) >= 1 && scheduler.parks_of(1) >= 1;
  })) << "a worker found its queue empty and did not park";
  ASSERT_TRUE(scheduler.schedule(&for_worker_0));  // turn 0
  ASSERT_TRUE(eventually([&] { return taken[0].load() != nullptr; }))
      << "the schedule to worker 0 did not wake it";
  EXPECT_EQ(taken[0].load(), &for_worker_0);
  EXPECT_EQ(taken[1].load(), nullptr) << "worker 1 took an entry that was not its own";
  ASSERT_TRUE(scheduler.schedule(&for_worker_1));  // turn 1
  ASSERT_TRUE(eventually([&] { return taken[1].load() != nullptr; }))
      << "the schedule to worker 1 did not wake it";
  EXPECT_EQ(taken[1].load(), &for_worker_1);
}

TEST(Ex8_2_Parking, CloseWakesEveryParkedWorker) {
  RoundRobinScheduler scheduler;
  scheduler.start(3);
  std::atomic<int> stopped{0};
  std::vector<std::jthread> workers;
  for (std::size_t w = 0; w < 3; ++w)
    workers.emplace_back([&, w] {
      if (scheduler.next_task(w) == nullptr)
        stopped.fetch_add(1);
    });
  CloseOnExit closer(scheduler);
  ASSERT_TRUE(eventually([&] { return scheduler.parks() >= 3; }))
      << "not every worker parked on its empty queue";
  scheduler.close();
  for (auto& worker : workers)
    worker.join();
  EXPECT_EQ(stopped.load(), 3);
}

// One worker. It sleeps on its empty queue, and the first entry wakes it.
// While it is away (busy with that task), two more entries arrive and the
// scheduler closes. Its next call answers nullptr at once, and leaves the
// two entries where they are: the shutdown cancels those tasks, and polling
// them first would only make it wait. What is left is the drain's (8.3).
TEST(Ex8_2_Parking, AClosedQueueAnswersNullptrAtOnceEvenWithEntriesLeft) {
  RoundRobinScheduler scheduler;
  scheduler.start(1);
  Entry first;
  std::atomic<TaskHeader*> taken{nullptr};
  std::jthread worker([&] { taken.store(scheduler.next_task(0)); });
  CloseOnExit closer(scheduler);
  ASSERT_TRUE(eventually([&] { return scheduler.parks_of(0) >= 1; }))
      << "the worker found its queue empty and did not go to sleep";
  ASSERT_TRUE(scheduler.schedule(&first));
  ASSERT_TRUE(eventually([&] { return taken.load() != nullptr; }))
      << "the schedule did not wake the worker";
  worker.join();  // the worker is away, running its task
  std::array<Entry, 2> left;
  for (Entry& entry : left)
    ASSERT_TRUE(scheduler.schedule(&entry));
  scheduler.close();
  EXPECT_EQ(scheduler.next_task(0), nullptr)
      << "a closed queue handed out an entry: look at closed before the queue";
  EXPECT_EQ(scheduler.next_task(0), nullptr);
}

// Two workers loop on their own queues. Before each round both are asleep,
// and the round's entry goes to the worker whose turn it is: it must be
// woken, take it, and go back to sleep, once per round.
TEST(Ex8_2_Parking, EachScheduleWakesTheParkedWorkerItWasDealtTo) {
  RoundRobinScheduler scheduler;
  scheduler.start(2);
  std::array<std::atomic<int>, 2> taken{};
  std::vector<std::jthread> workers;
  for (std::size_t w = 0; w < 2; ++w)
    workers.emplace_back([&, w] {
      while (scheduler.next_task(w) != nullptr)
        taken[w].fetch_add(1);
    });
  CloseOnExit closer(scheduler);
  const int rounds = 400 / testing::kStressScale;
  Entry entry;  // in one queue at a time: taken before it is scheduled again
  for (int round = 0; round < rounds; ++round) {
    const std::size_t w = round % 2;
    ASSERT_TRUE(eventually([&] { return scheduler.parks() >= std::size_t(round) + 2; }))
        << "round " << round << ": the workers did not both go to sleep";
    const std::size_t parks = scheduler.parks_of(w);
    ASSERT_TRUE(scheduler.schedule(&entry));
    ASSERT_TRUE(eventually([&] { return taken[w].load() == round / 2 + 1; }))
        << "round " << round << ": worker " << w << " was not woken for its entry";
    ASSERT_TRUE(eventually([&] { return scheduler.parks_of(w) >= parks + 1; }))
        << "round " << round << ": worker " << w << " did not go back to sleep";
  }
  EXPECT_EQ(taken[0].load() + taken[1].load(), rounds);
}

TEST(Ex8_3_Drain, EveryQueueIsDrainedOneEntryAtATime) {
  RoundRobinScheduler scheduler;
  scheduler.start(3);
  std::array<Entry, 5> entries;
  for (Entry& entry : entries)
    ASSERT_TRUE(scheduler.schedule(&entry));
  scheduler.close();
  Entry late;
  EXPECT_FALSE(scheduler.schedule(&late)) << "a closed scheduler took an entry";
  std::set<TaskHeader*> drained;
  for (int i = 0; i < 5; ++i) {
    TaskHeader* task = scheduler.drain();
    ASSERT_NE(task, nullptr) << "drain stopped after " << i << " of 5 entries";
    drained.insert(task);
  }
  EXPECT_EQ(drained.size(), 5U);
  EXPECT_EQ(scheduler.drain(), nullptr);
}

// Turns belong to the scheduler, not to the thread that schedules: two
// threads, one entry each, one after the other, fill both queues.
TEST(Ex8_1_Dispatch, TurnsAreSharedByEveryThreadThatSchedules) {
  RoundRobinScheduler scheduler;
  scheduler.start(2);
  Entry a;
  Entry b;
  std::jthread([&] { EXPECT_TRUE(scheduler.schedule(&a)); }).join();
  std::jthread([&] { EXPECT_TRUE(scheduler.schedule(&b)); }).join();
  std::atomic<TaskHeader*> taken_by_1{nullptr};
  std::jthread worker_1([&] { taken_by_1.store(scheduler.next_task(1)); });
  CloseOnExit closer(scheduler);
  EXPECT_TRUE(eventually([&] { return taken_by_1.load() != nullptr; }))
      << "the second thread's entry did not go to worker 1";
  EXPECT_EQ(taken_by_1.load(), &b);
}

// Turns go round all the workers, not only the first two: with three
// workers the third entry is the third worker's.
TEST(Ex8_1_Dispatch, EveryWorkerGetsItsTurnNotOnlyTheFirstTwo) {
  RoundRobinScheduler scheduler;
  scheduler.start(3);
  std::array<Entry, 3> entries;
  for (Entry& entry : entries)
    ASSERT_TRUE(scheduler.schedule(&entry));
  std::atomic<TaskHeader*> taken_by_2{nullptr};
  std::jthread worker_2([&] { taken_by_2.store(scheduler.next_task(2)); });
  CloseOnExit closer(scheduler);
  EXPECT_TRUE(eventually([&] { return taken_by_2.load() != nullptr; }))
      << "the third entry did not go to the third worker";
  EXPECT_EQ(taken_by_2.load(), &entries[2]);
}

// A worker that has nothing to do stays asleep: it is not woken by a timer
// of its own to look again (a wait_for that hides a lost wake-up).
TEST(Ex8_2_Parking, AnIdleWorkerStaysParked) {
  RoundRobinScheduler scheduler;
  scheduler.start(1);
  std::jthread worker([&] { (void)scheduler.next_task(0); });
  CloseOnExit closer(scheduler);
  ASSERT_TRUE(eventually([&] { return scheduler.parks_of(0) >= 1; }));
  const std::size_t parks = scheduler.parks_of(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // A spurious wake-up of the condition variable may add one or two; a
  // worker that looks again every 10 ms adds twenty.
  EXPECT_LE(scheduler.parks_of(0), parks + 2) << "the idle worker kept waking up";
}

}  // namespace
}  // namespace art
