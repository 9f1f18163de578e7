// The hybrid scheduler: its hot queue on its own, then the scheduler driven
// by hand (test threads play the workers, bare entries play the tasks), so
// that what a worker takes, and in which order, is exact.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/hot_queue.hpp"
#include "art/hybrid_scheduler.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using testing::CloseOnExit;
using testing::Entry;
using Hot = HotQueue<8>;

std::vector<TaskHeader*> pop_all(Hot& hot) {
  std::vector<TaskHeader*> order;
  while (TaskHeader* task = hot.pop())
    order.push_back(task);
  return order;
}

TEST(HotOrder, TheMostOftenWokenComesOutFirst) {
  Hot hot;
  std::vector<Entry> e(4);
  ASSERT_TRUE(hot.push(&e[0], 0));
  ASSERT_TRUE(hot.push(&e[1], 3));
  ASSERT_TRUE(hot.push(&e[2], 1));
  ASSERT_TRUE(hot.push(&e[3], 2));
  EXPECT_EQ(pop_all(hot), (std::vector<TaskHeader*>{&e[1], &e[3], &e[2], &e[0]}));
}

TEST(HotQueue, EqualPrioritiesComeOutInTheOrderTheyCameIn) {
  Hot hot;
  std::vector<Entry> e(6);
  for (Entry& entry : e)
    ASSERT_TRUE(hot.push(&entry, 5));
  EXPECT_EQ(pop_all(hot),
            (std::vector<TaskHeader*>{&e[0], &e[1], &e[2], &e[3], &e[4], &e[5]}));
}

// Two priorities interleaved: each group keeps its own arrival order.
TEST(HotOrder, WithinEachPriorityTheFirstToComeRunsFirst) {
  Hot hot;
  std::vector<Entry> e(6);
  for (std::size_t i = 0; i < e.size(); ++i)
    ASSERT_TRUE(hot.push(&e[i], i % 2 == 0 ? 1 : 4));
  EXPECT_EQ(pop_all(hot),
            (std::vector<TaskHeader*>{&e[1], &e[3], &e[5], &e[0], &e[2], &e[4]}));
}

TEST(HotQueue, AFullQueueRefusesAndKeepsWhatItHas) {
  Hot hot;
  std::vector<Entry> e(Hot::kCapacity + 1);
  for (std::size_t i = 0; i < Hot::kCapacity; ++i)
    ASSERT_TRUE(hot.push(&e[i], 0));
  EXPECT_FALSE(hot.push(&e[Hot::kCapacity], 9));
  EXPECT_EQ(hot.size(), Hot::kCapacity);
  EXPECT_EQ(hot.pop(), &e[0]);
}

TEST(HotQueue, ArrivalsStartAgainOnceEmptied) {
  Hot hot;
  std::vector<Entry> e(3);
  ASSERT_TRUE(hot.push(&e[0], 0));
  EXPECT_EQ(hot.pop(), &e[0]);
  EXPECT_EQ(hot.pop(), nullptr);
  ASSERT_TRUE(hot.push(&e[1], 0));
  ASSERT_TRUE(hot.push(&e[2], 0));
  EXPECT_EQ(pop_all(hot), (std::vector<TaskHeader*>{&e[1], &e[2]}));
}

// ---------------------------------------------------------------------------
// The scheduler, by hand.

// Worker 0's thread: takes the kick entry (which binds the thread as worker
// 0), runs `body`, and the test joins it.
template <class Body>
void as_worker_0(HybridScheduler& scheduler, Body body) {
  Entry kick;
  ASSERT_TRUE(scheduler.schedule(&kick));
  std::jthread worker([&] {
    ASSERT_EQ(scheduler.next_task(0), &kick);
    body();
  });
}

TEST(Priority, EveryScheduleFromOutsideCountsOneMore) {
  HybridScheduler scheduler;
  scheduler.start(1);
  testing::CloseAfter watchdog(scheduler);
  Entry entry;
  EXPECT_EQ(entry.times_scheduled, 0U);
  ASSERT_TRUE(scheduler.schedule(&entry));  // its spawn
  EXPECT_EQ(entry.times_scheduled, 1U);
  std::jthread worker([&] { EXPECT_EQ(scheduler.next_task(0), &entry); });
  worker.join();
  ASSERT_TRUE(scheduler.schedule(&entry));  // a wake from outside
  EXPECT_EQ(entry.times_scheduled, 2U);
}

TEST(Priority, EveryWakeOnAWorkerCountsOneMoreAndTakingCountsNothing) {
  HybridScheduler scheduler;
  scheduler.start(1);
  testing::CloseAfter watchdog(scheduler);
  Entry entry;
  as_worker_0(scheduler, [&] {
    for (std::uint32_t wakes = 1; wakes <= 5; ++wakes) {
      ASSERT_TRUE(scheduler.schedule(&entry));
      EXPECT_EQ(entry.times_scheduled, wakes);
      ASSERT_EQ(scheduler.next_task(0), &entry);
      EXPECT_EQ(entry.times_scheduled, wakes) << "taking a task is not a wake";
    }
  });
}

// Worker 0 schedules five entries; its hot queue is empty, so its next
// take moves the older half, rounded up (three), into it and runs them in
// the order they came in (equal priorities); then it refills again.
TEST(Refill, TheOlderHalfMovesRoundedUpAndRunsOldestFirst) {
  HybridScheduler scheduler;
  scheduler.start(1);
  testing::CloseAfter watchdog(scheduler);
  std::vector<Entry> e(5);
  std::vector<TaskHeader*> order;
  std::vector<std::size_t> refills;
  as_worker_0(scheduler, [&] {
    for (Entry& entry : e)
      ASSERT_TRUE(scheduler.schedule(&entry));
    for (std::size_t i = 0; i < e.size(); ++i) {
      order.push_back(scheduler.next_task(0));
      refills.push_back(scheduler.refills());
    }
  });
  EXPECT_EQ(order, (std::vector<TaskHeader*>{&e[0], &e[1], &e[2], &e[3], &e[4]}));
  // 5 -> 3 moved; 2 left -> 1 moved; 1 left -> 1 moved.
  EXPECT_EQ(refills, (std::vector<std::size_t>{1, 1, 1, 2, 3}));
}

// What a refill leaves in the cold deque is a thief's: worker 0 holds four
// of its eight entries in its hot queue after its first take, and worker 1,
// with nothing of its own, steals from the four that stayed cold.
TEST(Refill, TheYoungerHalfStaysWhereThievesFindIt) {
  HybridScheduler scheduler;
  scheduler.start(2);
  testing::CloseAfter watchdog(scheduler);
  CloseOnExit close(scheduler);
  std::vector<Entry> e(8);
  std::latch refilled(1);
  std::latch stolen(1);
  std::vector<TaskHeader*> by_worker_0;
  TaskHeader* by_worker_1 = nullptr;
  Entry kick;
  ASSERT_TRUE(scheduler.schedule(&kick));
  std::jthread worker_0([&] {
    ASSERT_EQ(scheduler.next_task(0), &kick);
    for (Entry& entry : e)
      ASSERT_TRUE(scheduler.schedule(&entry));
    by_worker_0.push_back(scheduler.next_task(0));  // refills: e0..e3
    refilled.count_down();
    stolen.wait();
    for (int i = 0; i < 3; ++i)
      by_worker_0.push_back(scheduler.next_task(0));
  });
  std::jthread worker_1([&] {
    refilled.wait();
    by_worker_1 = scheduler.next_task(1);  // steals half of e4..e7, oldest first
    stolen.count_down();
  });
  worker_0.join();
  worker_1.join();
  EXPECT_EQ(by_worker_0, (std::vector<TaskHeader*>{&e[0], &e[1], &e[2], &e[3]}));
  EXPECT_EQ(by_worker_1, &e[4]);
}

// The whole point, by hand: among the entries that move in one refill, the
// one scheduled most often runs first, though another came in before it.
TEST(Hybrid, AnEntryWokenMoreOftenOvertakesAnOlderNewcomer) {
  HybridScheduler scheduler;
  scheduler.start(1);
  testing::CloseAfter watchdog(scheduler);
  Entry newcomer;
  Entry loser;
  std::vector<Entry> younger(2);
  std::vector<TaskHeader*> order;
  as_worker_0(scheduler, [&] {
    for (int wake = 0; wake < 3; ++wake) {  // the loser: queued, taken, queued again
      ASSERT_TRUE(scheduler.schedule(&loser));
      ASSERT_EQ(scheduler.next_task(0), &loser);
    }
    ASSERT_TRUE(scheduler.schedule(&newcomer));  // cold: newcomer, loser, younger...
    ASSERT_TRUE(scheduler.schedule(&loser));
    for (Entry& entry : younger)
      ASSERT_TRUE(scheduler.schedule(&entry));
    for (int i = 0; i < 4; ++i)
      order.push_back(scheduler.next_task(0));
  });
  EXPECT_EQ(loser.times_scheduled, 4U);
  EXPECT_EQ(order, (std::vector<TaskHeader*>{&loser, &newcomer, &younger[0], &younger[1]}));
}

// A worker that always has work of its own (a yielder, queued again after
// every take) still looks at the injector on its 61st tick: the hybrid
// scheduler keeps chapter 09's guard for work from outside.
TEST(HybridFairness, TheInjectorIsLookedAtOnTheSixtyFirstTickOfABusyWorker) {
  HybridScheduler scheduler;
  scheduler.start(1);
  testing::CloseAfter watchdog(scheduler);
  CloseOnExit close(scheduler);
  Entry kick;
  Entry from_outside;
  Entry yielder;
  std::latch own_work_queued(1);
  std::latch injected(1);
  int seen_at_tick = -1;
  ASSERT_TRUE(scheduler.schedule(&kick));
  std::jthread worker([&] {
    ASSERT_EQ(scheduler.next_task(0), &kick);  // tick 1
    ASSERT_TRUE(scheduler.schedule(&yielder));
    own_work_queued.count_down();
    injected.wait();
    for (int tick = 2; tick < 1000 && seen_at_tick == -1; ++tick) {
      TaskHeader* task = scheduler.next_task(0);
      ASSERT_NE(task, nullptr) << "tick " << tick << ": nothing, and the watchdog closed";
      if (task == &from_outside)
        seen_at_tick = tick;
      else
        ASSERT_TRUE(scheduler.schedule(&yielder));  // the yielder, again
    }
  });
  own_work_queued.wait();
  ASSERT_TRUE(scheduler.schedule(&from_outside));
  injected.count_down();
  worker.join();
  EXPECT_EQ(seen_at_tick, static_cast<int>(HybridScheduler::kFairnessInterval))
      << "own work first, and the injector on the 61st tick";
}

// Shutdown finds the entries a worker holds in its hot queue.
TEST(Hybrid, DrainReturnsTheHotQueuesEntriesToo) {
  HybridScheduler scheduler;
  scheduler.start(1);
  testing::CloseAfter watchdog(scheduler);
  std::vector<Entry> e(4);
  as_worker_0(scheduler, [&] {
    for (Entry& entry : e)
      ASSERT_TRUE(scheduler.schedule(&entry));
    ASSERT_EQ(scheduler.next_task(0), &e[0]);  // e1 hot, e2 and e3 cold
  });
  scheduler.close();
  std::vector<TaskHeader*> drained;
  while (TaskHeader* task = scheduler.drain())
    drained.push_back(task);
  std::sort(drained.begin(), drained.end());
  std::vector<TaskHeader*> expected{&e[1], &e[2], &e[3]};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(drained, expected);
}

TEST(Hybrid, BadStartsAreRefusedWithAMessage) {
  HybridScheduler none;
  EXPECT_THROW(none.start(0), std::invalid_argument);
  HybridScheduler huge;
  EXPECT_THROW(huge.start(HybridScheduler::kMaxWorkers + 1), std::invalid_argument);
  HybridScheduler twice;
  twice.start(1);
  EXPECT_THROW(twice.start(1), std::logic_error);
  EXPECT_EQ(twice.refills(), 0U);
}

}  // namespace
}  // namespace art
