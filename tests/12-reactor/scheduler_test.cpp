// The work-stealing scheduler driven by hand: test threads play the
// workers, bare entries play the tasks, and latches put every step in the
// order the test names, so what a worker takes, and from where, is exact.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <latch>
#include <optional>
#include <semaphore>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/work_stealing_scheduler.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using testing::CloseOnExit;
using testing::Entry;
using testing::eventually;
using namespace std::chrono_literals;

TEST(WorkStealing, StartIsRefusedTwiceAndForNoWorkers) {
  WorkStealingScheduler none;
  EXPECT_THROW(none.start(0), std::invalid_argument);
  WorkStealingScheduler scheduler;
  scheduler.start(2);
  EXPECT_THROW(scheduler.start(2), std::logic_error);
}

// A count no machine has cores for is a mistake (a negative number turned
// into a size_t, say): refused before anything is allocated for it. So is
// a next_task before start or for a worker the scheduler does not have.
TEST(WorkStealing, BadWorkerNumbersAreRefusedWithAMessage) {
  WorkStealingScheduler unstarted;
  EXPECT_THROW((void)unstarted.next_task(0), std::logic_error);
  WorkStealingScheduler huge;
  EXPECT_THROW(huge.start(WorkStealingScheduler::kMaxWorkers + 1), std::invalid_argument);
  EXPECT_THROW(huge.start(std::size_t{1} << 32), std::invalid_argument);
  EXPECT_THROW(huge.start(static_cast<std::size_t>(-1)), std::invalid_argument);
  huge.start(2);  // the refusals left it as it was: still startable
  Entry entry;
  EXPECT_TRUE(huge.schedule(&entry));
  EXPECT_THROW((void)huge.next_task(2), std::out_of_range);
  huge.close();
  EXPECT_EQ(huge.drain(), &entry) << "the refused next_task lost the entry";
}

TEST(WorkStealing, AScheduleBeforeStartIsRefused) {
  WorkStealingScheduler scheduler;
  Entry entry;
  EXPECT_FALSE(scheduler.schedule(&entry));
}

TEST(WorkStealing, AScheduleFromOutsideIsTakenByAWorker) {
  WorkStealingScheduler scheduler;
  scheduler.start(1);
  testing::CloseAfter watchdog(scheduler);  // a stub that never finds its entry fails
  Entry entry;
  ASSERT_TRUE(scheduler.schedule(&entry));
  TaskHeader* taken = nullptr;
  std::jthread worker([&] { taken = scheduler.next_task(0); });
  worker.join();
  EXPECT_EQ(taken, &entry);
}

// A worker's own schedules go to its own deque and come back newest first:
// the task just woken runs next.
TEST(WorkStealing, AWorkersOwnSchedulesComeBackNewestFirst) {
  WorkStealingScheduler scheduler;
  scheduler.start(1);
  testing::CloseAfter watchdog(scheduler);  // a stub that never finds its entry fails
  Entry kick;
  std::vector<Entry> own(3);
  ASSERT_TRUE(scheduler.schedule(&kick));
  std::vector<TaskHeader*> order;
  std::jthread worker([&] {
    EXPECT_EQ(scheduler.next_task(0), &kick);  // binds this thread as worker 0
    for (Entry& entry : own)
      EXPECT_TRUE(scheduler.schedule(&entry));
    for (int i = 0; i < 3; ++i)
      order.push_back(scheduler.next_task(0));
  });
  worker.join();
  EXPECT_EQ(order, (std::vector<TaskHeader*>{&own[2], &own[1], &own[0]}));
  EXPECT_EQ(scheduler.steals(), 0U);
}

// Worker 0 fills its deque with 8 entries and stops; worker 1, with nothing
// of its own, steals half of them (the 4 oldest), runs one and keeps three
// in its own deque; worker 0 still has its 4 newest. Nobody loses or
// doubles an entry.
TEST(StealHalf, AnIdleWorkerStealsHalfOfAVictimsDeque) {
  WorkStealingScheduler scheduler;
  scheduler.start(2);
  testing::CloseAfter watchdog(scheduler);  // a stub that never finds its entry fails
  CloseOnExit close(scheduler);
  Entry kick;
  std::vector<Entry> entries(8);
  std::latch filled(1);
  std::latch stolen(1);
  std::vector<TaskHeader*> by_worker_0;
  std::vector<TaskHeader*> by_worker_1;
  ASSERT_TRUE(scheduler.schedule(&kick));
  std::jthread worker_0([&] {
    EXPECT_EQ(scheduler.next_task(0), &kick);
    for (Entry& entry : entries)
      EXPECT_TRUE(scheduler.schedule(&entry));
    filled.count_down();
    stolen.wait();
    for (int i = 0; i < 4; ++i)
      by_worker_0.push_back(scheduler.next_task(0));
  });
  std::jthread worker_1([&] {
    filled.wait();
    by_worker_1.push_back(scheduler.next_task(1));
    EXPECT_EQ(scheduler.steals(), 4U) << "half of 8, in one search";
    stolen.count_down();
    for (int i = 0; i < 3; ++i)
      by_worker_1.push_back(scheduler.next_task(1));
  });
  worker_0.join();
  worker_1.join();
  EXPECT_EQ(scheduler.steals(), 4U) << "worker 1 stole again instead of running its own";
  // The thief took the oldest four; it runs the first at once, then the
  // rest from its own deque.
  EXPECT_EQ(by_worker_1, (std::vector<TaskHeader*>{&entries[0], &entries[3], &entries[2],
                                                   &entries[1]}));
  EXPECT_EQ(by_worker_0, (std::vector<TaskHeader*>{&entries[7], &entries[6], &entries[5],
                                                   &entries[4]}));
}

// Half, rounded up: 3 entries give 2, and a single entry is still stolen.
TEST(StealHalf, AnOddCountIsHalvedRoundingUp) {
  for (const std::size_t count : {std::size_t{3}, std::size_t{1}}) {
    WorkStealingScheduler scheduler;
    scheduler.start(2);
    testing::CloseAfter watchdog(scheduler);  // a stub that never finds its entry fails
    CloseOnExit close(scheduler);
    Entry kick;
    std::vector<Entry> entries(count);
    ASSERT_TRUE(scheduler.schedule(&kick));
    std::jthread worker_0([&] {
      EXPECT_EQ(scheduler.next_task(0), &kick);
      for (Entry& entry : entries)
        EXPECT_TRUE(scheduler.schedule(&entry));
    });
    worker_0.join();  // worker 0 is gone: nobody pops its deque meanwhile
    TaskHeader* first = nullptr;
    std::jthread worker_1([&] { first = scheduler.next_task(1); });
    worker_1.join();
    EXPECT_EQ(first, &entries[0]) << "of " << count << ": not the oldest";
    EXPECT_EQ(scheduler.steals(), (count + 1) / 2) << "of " << count;
  }
}

// Worker 0's ticks from the second on: each one takes the next entry, and
// while that is the yielder, schedules it again at once, as a yield does.
// An entry of `ran` may come out too: it just ran. `before_tick`, if given,
// is called with each tick's number before that tick.
// Returns the tick at which `wanted` came out, or -1 if it did not within
// 1,000 ticks or the watchdog closed the scheduler first.
int tick_of(WorkStealingScheduler& scheduler, TaskHeader* wanted, TaskHeader* yielder,
            const std::function<void(int)>& before_tick = {},
            const std::vector<Entry>& ran = {}) {
  for (int tick = 2; tick < 1000; ++tick) {
    if (before_tick)
      before_tick(tick);
    TaskHeader* task = scheduler.next_task(0);
    if (task == nullptr) {
      ADD_FAILURE() << "tick " << tick << ": no entry at all, and the watchdog closed";
      return -1;
    }
    if (task == wanted)
      return tick;
    if (std::any_of(ran.begin(), ran.end(), [&](const Entry& e) { return &e == task; }))
      continue;
    EXPECT_EQ(task, yielder);
    EXPECT_TRUE(scheduler.schedule(yielder));
  }
  return -1;
}

// While worker 0 keeps waking a task of its own (a yield), an entry from
// outside waits in the injector. The fairness guard's first tick, 61, must
// fetch it, however much the worker's own deque has.
TEST(WorkStealingTakeOwn, TheInjectorIsLookedAtWithinSixtyOneTicksOfABusyWorker) {
  WorkStealingScheduler scheduler;
  scheduler.start(1);
  testing::CloseAfter watchdog(scheduler);  // a stub that never finds its entry fails
  CloseOnExit close(scheduler);
  Entry kick;
  Entry from_outside;
  Entry yielder;
  std::latch own_work_queued(1);
  std::latch injected(1);
  int ticks_until_seen = -1;
  ASSERT_TRUE(scheduler.schedule(&kick));
  std::jthread worker([&] {
    EXPECT_EQ(scheduler.next_task(0), &kick);  // tick 1
    EXPECT_TRUE(scheduler.schedule(&yielder));
    own_work_queued.count_down();
    injected.wait();
    ticks_until_seen = tick_of(scheduler, &from_outside, &yielder);
  });
  own_work_queued.wait();
  ASSERT_TRUE(scheduler.schedule(&from_outside));
  injected.count_down();
  worker.join();
  ASSERT_NE(ticks_until_seen, -1) << "the injector was never looked at in 1000 ticks";
  EXPECT_EQ(ticks_until_seen, static_cast<int>(WorkStealingScheduler::kFairnessInterval))
      << "own work first, and the injector on the 61st tick";
}

// A yielding task is always the newest in its deque; an older task there
// must still run within 61 ticks (the guard takes the oldest own entry).
TEST(WorkStealingTakeOwn, AnOlderOwnEntryRunsWithinSixtyOneTicksOfAYieldingOne) {
  WorkStealingScheduler scheduler;
  scheduler.start(1);
  testing::CloseAfter watchdog(scheduler);  // a stub that never finds its entry fails
  CloseOnExit close(scheduler);
  Entry kick;
  Entry older;
  Entry yielder;
  ASSERT_TRUE(scheduler.schedule(&kick));
  int ticks_until_seen = -1;
  std::jthread worker([&] {
    EXPECT_EQ(scheduler.next_task(0), &kick);  // tick 1
    EXPECT_TRUE(scheduler.schedule(&older));
    EXPECT_TRUE(scheduler.schedule(&yielder));
    ticks_until_seen = tick_of(scheduler, &older, &yielder);
  });
  worker.join();
  ASSERT_NE(ticks_until_seen, -1) << "the older entry starved for 1000 ticks";
  EXPECT_EQ(ticks_until_seen, static_cast<int>(WorkStealingScheduler::kFairnessInterval));
}

// The same, while entries keep arriving from outside: one is scheduled
// before every guard tick, so the injector is never empty when the guard
// looks. A guard that always looks there first never reaches the own
// oldest; the two looks must take turns, and the older entry runs on the
// second guard tick.
TEST(WorkStealingTakeOwn, AnOlderOwnEntryRunsWhileEntriesKeepArrivingFromOutside) {
  WorkStealingScheduler scheduler;
  scheduler.start(1);
  testing::CloseAfter watchdog(scheduler);  // a stub that never finds its entry fails
  CloseOnExit close(scheduler);
  constexpr int kInterval = static_cast<int>(WorkStealingScheduler::kFairnessInterval);
  Entry kick;
  Entry older;
  Entry yielder;
  std::vector<Entry> arrivals(1000 / kInterval);  // one per guard tick of tick_of's
  std::binary_semaphore arrival_wanted(0);
  std::binary_semaphore arrival_queued(0);
  std::atomic<bool> finished{false};
  ASSERT_TRUE(scheduler.schedule(&kick));
  std::jthread outside([&] {  // one arrival each time the worker asks
    for (Entry& arrival : arrivals) {
      arrival_wanted.acquire();
      if (finished.load())
        return;
      EXPECT_TRUE(scheduler.schedule(&arrival));  // from outside: into the injector
      arrival_queued.release();
    }
  });
  int ticks_until_seen = -1;
  std::jthread worker([&] {
    EXPECT_EQ(scheduler.next_task(0), &kick);  // tick 1
    EXPECT_TRUE(scheduler.schedule(&older));
    EXPECT_TRUE(scheduler.schedule(&yielder));
    const auto arrive_before_guard = [&](int tick) {
      if (tick % kInterval != 0)
        return;
      arrival_wanted.release();
      arrival_queued.acquire();
    };
    ticks_until_seen =
        tick_of(scheduler, &older, &yielder, arrive_before_guard, arrivals);
    finished.store(true);
    arrival_wanted.release();  // the outside thread stops, if it still waits
  });
  worker.join();
  outside.join();
  ASSERT_NE(ticks_until_seen, -1) << "the older entry starved for 1000 ticks";
  EXPECT_EQ(ticks_until_seen, 2 * kInterval)
      << "the first guard tick takes the arrival, the second the own oldest";
}

TEST(WorkStealing, AnIdleWorkerTakesFromTheInjectorAtOnce) {
  WorkStealingScheduler scheduler;
  scheduler.start(1);
  testing::CloseAfter watchdog(scheduler);  // a stub that never finds its entry fails
  CloseOnExit close(scheduler);
  std::vector<Entry> entries(3);
  for (Entry& entry : entries)
    ASSERT_TRUE(scheduler.schedule(&entry));
  std::vector<TaskHeader*> order;
  std::jthread worker([&] {
    for (int i = 0; i < 3; ++i)
      order.push_back(scheduler.next_task(0));
  });
  worker.join();
  // The first comes from the injector; the rest of its batch went into the
  // worker's deque and come back newest first.
  EXPECT_EQ(order, (std::vector<TaskHeader*>{&entries[0], &entries[2], &entries[1]}));
  EXPECT_EQ(scheduler.parks(), 0U) << "the worker slept with work in the injector";
}

// 300 schedules from a worker into a deque of 256: the older half moves to
// the injector. Nothing is lost: the drain after close returns all 300.
TEST(WorkStealing, AFullDequeOverflowsIntoTheInjectorAndTheDrainGetsEverything) {
  WorkStealingScheduler scheduler;
  scheduler.start(1);
  testing::CloseAfter watchdog(scheduler);  // a stub that never finds its entry fails
  Entry kick;
  std::vector<Entry> entries(300);
  ASSERT_TRUE(scheduler.schedule(&kick));
  std::jthread worker([&] {
    EXPECT_EQ(scheduler.next_task(0), &kick);
    for (Entry& entry : entries)
      EXPECT_TRUE(scheduler.schedule(&entry));
  });
  worker.join();
  scheduler.close();
  std::set<TaskHeader*> drained;
  while (TaskHeader* task = scheduler.drain())
    EXPECT_TRUE(drained.insert(task).second) << "drained twice";
  EXPECT_EQ(drained.size(), entries.size());
}

TEST(WorkStealing, CloseWakesEveryParkedWorkerAndRefusesFurtherSchedules) {
  WorkStealingScheduler scheduler;
  scheduler.start(3);
  testing::CloseAfter watchdog(scheduler);  // a stub that never finds its entry fails
  std::vector<std::jthread> workers;
  std::atomic<int> stopped{0};
  for (std::size_t w = 0; w < 3; ++w)
    workers.emplace_back([&, w] {
      EXPECT_EQ(scheduler.next_task(w), nullptr);
      stopped.fetch_add(1);
    });
  ASSERT_TRUE(eventually([&] {
    return scheduler.parks_of(0) > 0 && scheduler.parks_of(1) > 0 &&
           scheduler.parks_of(2) > 0;
  })) << "idle workers did not park";
  EXPECT_EQ(scheduler.idle().awake(), 0U);
  EXPECT_EQ(scheduler.idle().searching(), 0U);
  scheduler.close();
  for (auto& worker : workers)
    worker.join();
  EXPECT_EQ(stopped.load(), 3);
  Entry late;
  EXPECT_FALSE(scheduler.schedule(&late));
  EXPECT_EQ(scheduler.drain(), nullptr);
}

// Both workers asleep; each round one entry comes from outside, is taken
// by whichever worker was woken, and both go back to sleep. A lost wake-up
// leaves the entry untaken and the bounded wait fails the round.
TEST(WorkStealing, EachScheduleFromOutsideWakesASleepingWorker) {
  WorkStealingScheduler scheduler;
  scheduler.start(2);
  testing::CloseAfter watchdog(scheduler, 20s);  // 2,000 rounds, under a sanitizer too
  const int rounds = 2000 / testing::kStressScale;
  std::vector<Entry> entries(static_cast<std::size_t>(rounds));
  std::atomic<int> taken{0};
  std::vector<std::jthread> workers;
  for (std::size_t w = 0; w < 2; ++w)
    workers.emplace_back([&, w] {
      while (scheduler.next_task(w) != nullptr)
        taken.fetch_add(1);
    });
  CloseOnExit close(scheduler);
  for (int round = 0; round < rounds; ++round) {
    ASSERT_TRUE(eventually([&] { return scheduler.idle().awake() == 0; }))
        << "round " << round << ": the workers did not go back to sleep";
    ASSERT_TRUE(scheduler.schedule(&entries[static_cast<std::size_t>(round)]));
    ASSERT_TRUE(eventually([&] { return taken.load() == round + 1; }))
        << "round " << round << ": the entry was never taken: a lost wake-up";
  }
}

TEST(IdleWorkers, AtMostHalfTheWorkersSearch) {
  IdleWorkers idle(4);
  EXPECT_TRUE(idle.try_start_searching());
  EXPECT_TRUE(idle.try_start_searching());
  EXPECT_FALSE(idle.try_start_searching()) << "a third searcher of four workers";
  EXPECT_FALSE(idle.stop_searching()) << "one searcher is left";
  EXPECT_TRUE(idle.stop_searching()) << "the last searcher must hand the search on";
  IdleWorkers alone(1);
  EXPECT_TRUE(alone.try_start_searching())
      << "a single worker may still search the injector";
}

TEST(IdleWorkers, ASleeperIsWokenOnlyWhenNobodySearches) {
  IdleWorkers idle(2);
  idle.to_parked(1, false);
  EXPECT_EQ(idle.awake(), 1U);
  ASSERT_TRUE(idle.try_start_searching());  // worker 0 searches
  EXPECT_EQ(idle.worker_to_wake(), std::nullopt)
      << "woken although a searcher will find it";
  EXPECT_TRUE(idle.stop_searching());
  EXPECT_EQ(idle.worker_to_wake(), std::optional<std::size_t>{1});
  EXPECT_EQ(idle.awake(), 2U);
  EXPECT_EQ(idle.searching(), 1U) << "the woken worker counts as a searcher";
  EXPECT_EQ(idle.worker_to_wake(), std::nullopt) << "a second wake for the same work";
}

TEST(IdleWorkers, AllAwakeMeansNobodyToWake) {
  IdleWorkers idle(3);
  EXPECT_EQ(idle.worker_to_wake(), std::nullopt);
  idle.to_parked(2, false);
  idle.to_parked(0, false);
  EXPECT_EQ(idle.worker_to_wake(), std::optional<std::size_t>{0})
      << "the last to sleep first";
}

}  // namespace
}  // namespace art
