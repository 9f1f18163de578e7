// The work-stealing scheduler with a driver, step by step: a fake driver
// whose turns the test controls, and worker threads that call next_task,
// so that each test puts its event or interrupt exactly where the bug it
// guards against would lose a task or miscount a worker.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/driver.hpp"
#include "art/work_stealing_scheduler.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::CloseAfter;
using testing::Entry;

// A driver whose first blocking turn waits until the test lets it go on and
// then wakes what the test gave it, from the turning worker's thread, as a
// turn's events do. Every other blocking turn waits for interrupt(), for at
// most five seconds (a lost wake fails a test, it does not hang it).
class ScriptedDriver final : public testing::FakeDriverBase {
 public:
  explicit ScriptedDriver(WorkStealingScheduler& scheduler) : scheduler_(scheduler) {}

  void turn(bool may_block) override {
    std::unique_lock lock(mutex_);
    if (!may_block)
      return;
    ++turns_;
    changed_.notify_all();
    if (turns_ == 1 && !events_.empty()) {
      changed_.wait_for(lock, 5s, [this] { return go_on_; });
      for (TaskHeader* task : events_)
        EXPECT_TRUE(scheduler_.schedule(task));
      return;
    }
    (void)wait_for_interrupt(lock, 5s);
  }

  // What the first blocking turn wakes, once go_on() is called.
  void wake_in_first_turn(std::vector<TaskHeader*> tasks) { events_ = std::move(tasks); }
  void go_on() {
    const std::lock_guard lock(mutex_);
    go_on_ = true;
    changed_.notify_all();
  }
  bool wait_for_turns(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] { return turns_ >= count; });
  }

 private:
  WorkStealingScheduler& scheduler_;
  std::vector<TaskHeader*> events_;
  int turns_ = 0;
  bool go_on_ = false;
};

// The only worker sleeps in the driver, and the turn returns with nothing
// woken (an interrupt meant for an earlier holder, or a timer armed
// elsewhere). The worker is still listed as a sleeper, so it must sleep
// again as it is, counted asleep: back from the park as if woken, it would
// announce its sleep a second time and the counts would wrap.
TEST(DrivenScheduler, ATurnThatWokeNothingLeavesTheWorkerCountedAsleep) {
  WorkStealingScheduler scheduler;
  ScriptedDriver driver(scheduler);
  ASSERT_TRUE(scheduler.drive(driver));
  scheduler.start(1);
  CloseAfter watchdog(scheduler);
  std::jthread worker([&] { EXPECT_EQ(scheduler.next_task(0), nullptr); });
  ASSERT_TRUE(driver.wait_for_turns(1)) << "the idle worker never slept in the driver";
  driver.interrupt();  // the turn returns, and woke nothing
  ASSERT_TRUE(driver.wait_for_turns(2)) << "the worker did not go back to the driver";
  EXPECT_EQ(scheduler.idle().awake(), 0U);
  EXPECT_EQ(scheduler.idle().searching(), 0U);
  scheduler.close();
}

// Four workers announce their sleep; one sleeps in the driver, whose turn
// then wakes two tasks. The turning worker runs one of them, and the other
// waits in the injector: only the wake that publishing the turn's batch
// makes gets a sleeper to it (the others stay asleep on their condition
// variables, and a share of two entries among four workers is one).
TEST(DrivenScheduler, ATurnThatWokeTwoTasksWakesASecondWorker) {
  constexpr std::size_t kWorkers = 4;
  WorkStealingScheduler scheduler;
  ScriptedDriver driver(scheduler);
  Entry first;
  Entry second;
  driver.wake_in_first_turn({&first, &second});
  ASSERT_TRUE(scheduler.drive(driver));
  scheduler.start(kWorkers);
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<TaskHeader*> ran;
  std::vector<std::jthread> workers;
  for (std::size_t w = 0; w < kWorkers; ++w)
    workers.emplace_back([&, w] {
      if (TaskHeader* task = scheduler.next_task(w)) {
        const std::lock_guard lock(mutex);
        ran.push_back(task);
        changed.notify_all();
      }
    });
  ASSERT_TRUE(driver.wait_for_turns(1));
  ASSERT_TRUE(testing::eventually([&] { return scheduler.idle().awake() == 0; }, 5s))
      << "the workers never all announced their sleep";
  driver.go_on();  // the events arrive with every worker asleep
  {
    std::unique_lock lock(mutex);
    EXPECT_TRUE(changed.wait_for(lock, 3s, [&] { return ran.size() == 2; }))
        << "only " << ran.size() << " of the turn's two tasks were taken: the other "
        << "waits in the injector while three workers sleep";
  }
  scheduler.close();  // the workers with no task return
}

// The fairness guard's tick takes the injector's oldest entry, one only.
// A share would move the rest of the injector into the deque, on top of
// the worker's own entries, and the newest of those would run next.
TEST(DrivenScheduler, TheFairnessGuardTakesOneInjectedEntryNotAShare) {
  WorkStealingScheduler scheduler;
  scheduler.start(1);
  CloseAfter watchdog(scheduler);
  Entry kick;
  Entry yielder;
  Entry own;
  std::vector<Entry> outside(3);
  ASSERT_TRUE(scheduler.schedule(&kick));
  std::vector<TaskHeader*> after_guard;
  std::jthread worker([&] {
    ASSERT_EQ(scheduler.next_task(0), &kick);  // tick 1; binds this thread as worker 0
    ASSERT_TRUE(scheduler.schedule(&yielder));
    for (int tick = 2; tick < 61; ++tick) {
      ASSERT_EQ(scheduler.next_task(0), &yielder);
      ASSERT_TRUE(scheduler.schedule(&yielder));
    }
    ASSERT_TRUE(scheduler.schedule(&own));  // the deque: yielder, own
    std::thread([&] {                       // from outside: the injector
      for (Entry& entry : outside)
        EXPECT_TRUE(scheduler.schedule(&entry));
    })
        .join();
    for (int tick = 61; tick < 64; ++tick)
      after_guard.push_back(scheduler.next_task(0));
  });
  worker.join();
  // Tick 61 is the guard's, the injector first; then the deque, newest first.
  EXPECT_EQ(after_guard, (std::vector<TaskHeader*>{&outside[0], &own, &yielder}));
  scheduler.close();
}

}  // namespace
}  // namespace art
