// The schedule explorer at work. The Chase-Lev deque and the task state word
// run under thousands of interleavings with both strategies, and must hold
// their invariants in every one. Then the same tests run against bugs
// planted here (never in the chapter's code), and the explorer must find
// each within its budget: if it stops finding them, these tests fail.
//
// Suites are named Explore*: fiber switches, which ThreadSanitizer cannot
// follow, so the tsan preset skips them (CMakePresets.json).
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "art/chase_lev_deque.hpp"
#include "art/schedule_explorer.hpp"
#include "art/task_state_word.hpp"

namespace art {
namespace {

using explore::Options;
using explore::Outcome;
using explore::require;
using explore::Schedule;
using explore::Strategy;

constexpr std::array kStrategies = {Strategy::random, Strategy::pct};
constexpr int kSchedules = 20000;  // per strategy, for code that must pass
constexpr int kBudget = 20000;     // per strategy, to find a planted bug

Options options_for(Strategy strategy, int schedules, int steps_estimate) {
  Options options;
  options.strategy = strategy;
  options.schedules = schedules;
  options.pct_steps = steps_estimate;
  return options;
}

// Every schedule passes. Prints how long they took (a figure for the book,
// never a pass/fail criterion).
template <class Test>
void expect_every_schedule_passes(int schedules, int steps_estimate, const Test& test) {
  for (Strategy strategy : kStrategies) {
    const auto start = std::chrono::steady_clock::now();
    const Outcome outcome =
        explore::explore(options_for(strategy, schedules, steps_estimate), test);
    const std::chrono::duration<double, std::milli> took =
        std::chrono::steady_clock::now() - start;
    if (outcome.failure) {
      ADD_FAILURE() << outcome.failure->describe();
      continue;
    }
    EXPECT_EQ(outcome.schedules, schedules);
    std::printf("%d %s schedules passed in %.0f ms\n", outcome.schedules,
                explore::to_string(strategy), took.count());
  }
}

// A planted bug: both strategies must find it within the budget.
template <class Test>
void expect_found(const char* bug, int budget, int steps_estimate, const Test& test) {
  for (Strategy strategy : kStrategies) {
    const Outcome outcome =
        explore::explore(options_for(strategy, budget, steps_estimate), test);
    ASSERT_TRUE(outcome.failure)
        << "the " << explore::to_string(strategy) << " strategy missed " << bug << " in "
        << budget << " schedules";
    std::printf("%s: %s found it after %d schedules:\n  %s\n", bug,
                explore::to_string(strategy), outcome.schedules,
                outcome.failure->describe().c_str());
  }
}

// ---------------------------------------------------------------------------
// The deque: one owner pushing and popping, two thieves stealing.

struct Item {
  int taken = 0;  // how many times a pop or a steal returned it
};

template <std::size_t Capacity>
using ExploredDeque = ChaseLevDeque<Item, Capacity, explore::Atomic>;

// ANCHOR: planted_steal
// Planted bug: the thief claims its entry by a plain store of top instead of
// a compare-and-swap. Two thieves that read the same top both take it.
template <std::size_t Capacity>
class StealWithoutCas : public ExploredDeque<Capacity> {
 public:
  typename ExploredDeque<Capacity>::Stolen steal() {
    const std::int64_t top = this->top_.load(std::memory_order_acquire);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    const std::int64_t bottom = this->bottom_.load(std::memory_order_acquire);
    if (top >= bottom)
      return {};
    Item* item = this->slot(top).load(std::memory_order_relaxed);
    this->top_.store(top + 1, std::memory_order_seq_cst);  // BUG: not a CAS
    return {item, false};
  }
};
// ANCHOR_END: planted_steal

// Planted bug: the owner takes the last entry as it takes any other, without
// racing the thieves for it through top.
template <std::size_t Capacity>
class PopWithoutLastRace : public ExploredDeque<Capacity> {
 public:
  Item* pop() {
    const std::int64_t bottom = this->bottom_.load(std::memory_order_relaxed) - 1;
    this->bottom_.store(bottom, std::memory_order_release);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    const std::int64_t top = this->top_.load(std::memory_order_relaxed);
    if (top > bottom) {
      this->bottom_.store(bottom + 1, std::memory_order_release);
      return nullptr;
    }
    return this->slot(bottom).load(std::memory_order_relaxed);  // BUG: top == bottom too
  }
};

// What the owner and thieves took, checked once every thread has ended.
template <class Deque>
struct DequeRun {
  Deque deque;
  std::vector<Item> items;
  std::vector<bool> pushed;

  explicit DequeRun(std::size_t count) : items(count), pushed(count, false) {}

  bool push(std::size_t i) { return pushed[i] = deque.push(&items[i]); }
  void take(Item* item) {
    if (item != nullptr)
      ++item->taken;
  }
  void pop() { take(deque.pop()); }
  void steal(int attempts) {
    for (int i = 0; i < attempts; ++i) {
      const auto stolen = deque.steal();
      take(stolen.item);
      stolen_items += stolen.item != nullptr ? 1 : 0;
      contended_answers += stolen.contended ? 1 : 0;
    }
  }
  int stolen_items = 0;
  int contended_answers = 0;

  // After run(): the owner drains the rest (outside the exploration, so no
  // switch points), then every pushed item was taken once, and no other.
  void check() {
    while (Item* item = deque.pop())
      take(item);
    for (std::size_t i = 0; i < items.size(); ++i) {
      require(items[i].taken <= 1, "an item was taken twice");
      require(!pushed[i] || items[i].taken == 1, "a pushed item was lost");
      require(pushed[i] || items[i].taken == 0, "an item never pushed was taken");
    }
    require(deque.size_hint() == 0, "the drained deque is not empty");
  }
};

// ANCHOR: deque_test
template <class Deque>
void owner_and_two_thieves(Schedule& schedule) {
  DequeRun<Deque> run(5);
  schedule.thread([&] {  // the owner
    run.push(0);
    run.push(1);
    run.push(2);
    run.pop();
    run.push(3);
    run.pop();
    run.push(4);
  });
  schedule.thread([&] { run.steal(2); });  // two thieves
  schedule.thread([&] { run.steal(2); });
  schedule.run();
  run.check();
}
// ANCHOR_END: deque_test

// One entry: the owner's pop and the thieves' steals race for it.
template <class Deque>
void last_element_race(Schedule& schedule) {
  DequeRun<Deque> run(2);
  schedule.thread([&] {
    run.push(0);
    run.pop();
    run.push(1);  // after the race, the deque works on
    run.pop();
  });
  schedule.thread([&] { run.steal(1); });
  schedule.thread([&] { run.steal(1); });
  schedule.run();
  run.check();
}

// A ring of two: pushes that find it full are refused (and must lose
// nothing), and the indices wrap round, so a thief may read a slot that the
// owner is about to reuse.
template <class Deque>
void full_ring(Schedule& schedule) {
  DequeRun<Deque> run(6);
  schedule.thread([&] {
    run.push(0);
    run.push(1);
    run.push(2);  // refused unless a thief made room
    run.pop();
    run.push(3);
    run.push(4);
    run.pop();
    run.push(5);
  });
  schedule.thread([&] { run.steal(2); });
  schedule.thread([&] { run.steal(2); });
  schedule.run();
  run.check();
}

// Exercises 9.1 and 9.2 under the explorer. Every schedule must pass, and
// over all of them a correct deque gives every answer it can give: the
// owner wins the last item in some schedules and a thief in others; thieves
// take items; and a thief whose claim lost says so (contended), which is
// how a searcher knows that the victim may still hold entries.
struct Answers {
  int owner_won_the_last = 0;
  int a_thief_won_the_last = 0;
  int stolen = 0;
  int contended = 0;
};

template <class Deque>
void last_item_race_answers(Schedule& schedule, Answers& answers) {
  DequeRun<Deque> run(1);
  Item* popped = nullptr;
  schedule.thread([&] {
    run.push(0);
    popped = run.deque.pop();
    run.take(popped);
  });
  schedule.thread([&] { run.steal(1); });
  schedule.run();
  run.check();
  answers.owner_won_the_last += popped != nullptr ? 1 : 0;
  answers.a_thief_won_the_last += run.stolen_items;
}

TEST(ExploreDequePop, TheLastItemGoesToTheOwnerInSomeSchedulesAndToTheThiefInOthers) {
  Answers answers;
  expect_every_schedule_passes(kSchedules, 20, [&answers](Schedule& schedule) {
    last_item_race_answers<ExploredDeque<4>>(schedule, answers);
  });
  EXPECT_GT(answers.owner_won_the_last, 0) << "the owner's pop never took the last item";
  EXPECT_GT(answers.a_thief_won_the_last, 0) << "the thief never took the last item";
}

TEST(ExploreDequeSteal, ThievesTakeItemsAndALostClaimIsReportedAsContended) {
  Answers answers;
  expect_every_schedule_passes(kSchedules, 60, [&answers](Schedule& schedule) {
    DequeRun<ExploredDeque<4>> run(3);
    schedule.thread([&] {
      run.push(0);
      run.push(1);
      run.push(2);
    });
    schedule.thread([&] { run.steal(2); });  // two thieves for three items
    schedule.thread([&] { run.steal(2); });
    schedule.run();
    run.check();
    answers.stolen += run.stolen_items;
    answers.contended += run.contended_answers;
  });
  EXPECT_GT(answers.stolen, 0) << "no thief ever took an item";
  EXPECT_GT(answers.contended, 0)
      << "no thief ever said its claim was lost: a lost claim was answered as empty";
}

TEST(ExploreDeque, EveryItemIsTakenOnceWithAnOwnerAndTwoThieves) {
  expect_every_schedule_passes(kSchedules, 60, owner_and_two_thieves<ExploredDeque<4>>);
}

TEST(ExploreDeque, TheLastItemGoesToTheOwnerOrOneThief) {
  expect_every_schedule_passes(kSchedules, 40, last_element_race<ExploredDeque<4>>);
}

TEST(ExploreDeque, AFullRingRefusesPushesAndLosesNothing) {
  expect_every_schedule_passes(kSchedules, 70, full_ring<ExploredDeque<2>>);
}

// ---------------------------------------------------------------------------
// The task state word: two wakers race a worker's poll, and a second worker
// takes whatever entry the wakes queue.

// ANCHOR: planted_wake
// Planted bugs in a wake by reference: the real one (task_state_word.cpp)
// with one of its two safeguards left out.
enum class WakeBug {
  skips_notified_check,  // a task already queued gets a second queue entry
  keeps_stale_answer,    // exercise 7.2's trap: the answer is not reset when
                         // update() runs the lambda again after a lost CAS
};

template <WakeBug kBug>
class PlantedWake : public TaskStateWord {
 public:
  using TaskStateWord::TaskStateWord;
  bool to_notified_by_ref() {
    bool queue = false;
    update([&queue](Snapshot now, std::uint64_t& next) {
      if (kBug != WakeBug::keeps_stale_answer)
        queue = false;
      const bool queued = kBug != WakeBug::skips_notified_check && now.notified();
      if (now.complete() || queued)
        return false;
      next = now.bits | kNotified;
      if (!now.running()) {
        next += kOneReference;
        queue = true;
      }
      return true;
    });
    return queue;
  }
};
using WakeWithoutNotifiedCheck = PlantedWake<WakeBug::skips_notified_check>;
using WakeThatKeepsAStaleAnswer = PlantedWake<WakeBug::keeps_stale_answer>;
// ANCHOR_END: planted_wake

// Planted bug: a poll's end that clears NOTIFIED with RUNNING, so a wake
// that came during the poll is forgotten.
class PollEndThatDropsAWake : public TaskStateWord {
 public:
  using TaskStateWord::TaskStateWord;
  ToIdle to_idle() {
    update([](Snapshot now, std::uint64_t& next) {
      next = now.bits & ~(kRunning | kNotified);  // BUG: NOTIFIED must stay
      return true;
    });
    return ToIdle::idle;
  }
};

// ANCHOR: task_model
// One task as the runtime sees it: its state word, its entries in a run
// queue (a locked queue: its operations are not switch points), and what
// its polls saw. It starts idle, with one reference: the runtime's.
template <class Word>
struct TaskModel {
  Word word{TaskStateWord::kOneReference};
  int entries = 0;   // queue entries for this task
  int polling = 0;   // polls running now
  int messages = 0;  // sent by wakers, each before its wake
  int seen = 0;      // messages the last poll read

  void wake() {
    ++messages;
    if (word.to_notified_by_ref())
      queue();
  }
  void queue() {
    ++entries;
    require(entries == 1, "a second queue entry for one task");
  }
  // ANCHOR_END: task_model

  // ANCHOR: task_poll
  // A worker: takes the entry, polls the task, ends the poll.
  bool run_once() {
    if (entries == 0)
      return false;
    --entries;
    require(word.to_running() == TaskStateWord::ToRunning::run,
            "a queue entry for a task that was not idle and notified");
    require(polling++ == 0, "polled twice at once");
    seen = messages;          // the poll reads what the wakers sent
    explore::switch_point();  // and takes a while
    --polling;
    if (word.to_idle() == TaskStateWord::ToIdle::requeue)
      queue();  // the same entry, with the same reference
    else
      require(!word.release(), "a poll dropped the runtime's reference");
    return true;
  }
  // ANCHOR_END: task_poll
};

// ANCHOR: task_test
template <class Word>
void wakes_race_polls(Schedule& schedule) {
  TaskModel<Word> task;
  auto waker = [&] {
    task.wake();
    task.wake();
  };
  auto worker = [&] {
    for (int i = 0; i < 3; ++i) {
      if (!task.run_once())
        explore::switch_point();  // nothing queued yet: let others run
    }
  };
  schedule.thread(waker);
  schedule.thread(waker);
  schedule.thread(worker);
  schedule.thread(worker);
  schedule.run();
  while (task.run_once()) {  // a last worker polls whatever is still queued
  }
  require(task.seen == task.messages, "a wake was lost: no poll saw its message");
  const TaskStateWord::Snapshot end = task.word.load();
  require(end.idle() && !end.notified(), "the task is not idle at the end");
  require(end.references() == 1, "references leaked, or too many released");
}
// ANCHOR_END: task_test

TEST(ExploreTaskState, WakesRacingPollsAreNeverLostAndNeverPollTwice) {
  expect_every_schedule_passes(kSchedules, 50, wakes_race_polls<TaskStateWord>);
}

// ---------------------------------------------------------------------------
// Planted bugs: the explorer must find each.

TEST(ExplorePlantedBug, AStealWithoutCompareAndSwapIsFound) {
  expect_found("a steal without its compare-and-swap", kBudget, 60,
               owner_and_two_thieves<StealWithoutCas<4>>);
}

TEST(ExplorePlantedBug, APopThatForgetsTheLastItemRaceIsFound) {
  expect_found("a pop that forgets the last-element race", kBudget, 40,
               last_element_race<PopWithoutLastRace<4>>);
}

TEST(ExplorePlantedBug, AWakeThatSkipsTheNotifiedCheckIsFound) {
  expect_found("a wake that skips the NOTIFIED check", kBudget, 50,
               wakes_race_polls<WakeWithoutNotifiedCheck>);
}

TEST(ExplorePlantedBug, AWakeThatKeepsAStaleAnswerAfterALostCasIsFound) {
  expect_found("a wake that keeps a stale answer after a lost compare-and-swap", kBudget,
               50, wakes_race_polls<WakeThatKeepsAStaleAnswer>);
}

TEST(ExplorePlantedBug, APollEndThatDropsAWakeIsFound) {
  expect_found("a poll's end that drops a wake", kBudget, 50,
               wakes_race_polls<PollEndThatDropsAWake>);
}

// ---------------------------------------------------------------------------
// The explorer itself.

// ANCHOR: lost_update
// Two threads increment a counter with a load and a store: the textbook
// lost update, found when both load before either stores.
void racy_increments(Schedule& schedule) {
  explore::Atomic<int> counter{0};
  auto increment = [&] { counter.store(counter.load() + 1); };
  schedule.thread(increment);
  schedule.thread(increment);
  schedule.run();
  require(counter.load() == 2, "an increment was lost");
}
// ANCHOR_END: lost_update

TEST(ExploreExplorer, FindsTheLostUpdateOfTwoIncrements) {
  expect_found("a lost update", 1000, 4, racy_increments);
}

TEST(ExploreExplorer, RandomSchedulesReachEveryInterleavingOfTwoThreads) {
  // Two threads of two atomic operations each interleave them in six ways:
  // aabb abab abba baab baba bbaa.
  std::vector<std::string> seen;
  const Outcome outcome =
      explore::explore(options_for(Strategy::random, 300, 6), [&](Schedule& schedule) {
        explore::Atomic<int> x{0};
        std::string order;  // appended to right after each operation
        auto two_operations = [&](char name) {
          return [&, name] {
            x.fetch_add(1);
            order += name;
            x.fetch_add(1);
            order += name;
          };
        };
        schedule.thread(two_operations('a'));
        schedule.thread(two_operations('b'));
        schedule.run();
        if (std::find(seen.begin(), seen.end(), order) == seen.end())
          seen.push_back(order);
      });
  EXPECT_FALSE(outcome.failure);
  EXPECT_EQ(seen.size(), 6U);
}

TEST(ExploreExplorer, AThreadThatSpinsIsReportedAsALivelock) {
  Options options = options_for(Strategy::random, 10, 10);
  options.max_steps = 500;
  const Outcome outcome = explore::explore(options, [](Schedule& schedule) {
    explore::Atomic<bool> flag{false};
    schedule.thread([&] {
      while (!flag.load()) {  // nobody ever sets it
      }
    });
    schedule.run();
  });
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->schedule, 0);
  EXPECT_NE(outcome.failure->what.find("no end after 500 steps"), std::string::npos)
      << outcome.failure->what;
  EXPECT_NE(outcome.failure->describe().find("ART_EXPLORE_SEED=1 ART_EXPLORE_SCHEDULE=0"),
            std::string::npos)
      << outcome.failure->describe();
}

TEST(ExploreExplorer, AnExceptionInAThreadFailsTheScheduleAndUnwindsTheOthers) {
  int unwound = 0;
  struct Guard {
    int* count;
    ~Guard() { ++*count; }
  };
  const Outcome outcome =
      explore::explore(options_for(Strategy::random, 10, 10), [&](Schedule& schedule) {
        explore::Atomic<int> x{0};
        schedule.thread([&] {
          const Guard guard{&unwound};
          for (int i = 0; i < 100; ++i)
            x.fetch_add(1);
        });
        schedule.thread([&] {
          x.load();
          throw std::runtime_error("boom");
        });
        schedule.run();
      });
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->what, "thread 1: boom");
  EXPECT_EQ(unwound, 1) << "the other thread's stack was not unwound";
}

TEST(ExploreExplorer, AFailingScheduleReplaysAloneWithTheSameInterleaving) {
  for (Strategy strategy : kStrategies) {
    const Options options = options_for(strategy, kBudget, 60);
    const Outcome found =
        explore::explore(options, owner_and_two_thieves<StealWithoutCas<4>>);
    ASSERT_TRUE(found.failure);
    Options replay = options;
    replay.only_schedule = found.failure->schedule;
    const Outcome again =
        explore::explore(replay, owner_and_two_thieves<StealWithoutCas<4>>);
    ASSERT_TRUE(again.failure);
    EXPECT_EQ(again.schedules, 1);
    EXPECT_EQ(again.failure->what, found.failure->what);
    EXPECT_EQ(again.failure->trace, found.failure->trace);
  }
}

TEST(ExploreExplorer, ATestThatNeverRunsItsThreadsFails) {
  const Outcome outcome =
      explore::explore(options_for(Strategy::random, 10, 10),
                       [](Schedule& schedule) { schedule.thread([] {}); });
  ASSERT_TRUE(outcome.failure);
  EXPECT_NE(outcome.failure->what.find("never called Schedule::run()"),
            std::string::npos);
}

TEST(ExploreExplorer, BadOptionsAndBadEnvironmentAreRefusedWithAMessage) {
  Options options = options_for(Strategy::pct, 10, 10);
  options.pct_depth = 0;
  EXPECT_THROW(explore::explore(options, racy_increments), std::invalid_argument);
  ::setenv("ART_EXPLORE_SEED", "seven", 1);
  try {
    explore::explore(options_for(Strategy::random, 10, 10), racy_increments);
    ADD_FAILURE() << "a seed that is not a number was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("ART_EXPLORE_SEED"), std::string::npos)
        << e.what();
  }
  ::unsetenv("ART_EXPLORE_SEED");
}

TEST(ExploreExplorer, OutsideAnExplorationTheAtomicIsAPlainAtomic) {
  explore::Atomic<int> x{1};
  EXPECT_EQ(x.fetch_add(2), 1);
  int expected = 3;
  EXPECT_TRUE(x.compare_exchange_strong(expected, 7));
  EXPECT_EQ(x.exchange(9), 7);
  EXPECT_EQ(x.load(), 9);
}

}  // namespace
}  // namespace art
