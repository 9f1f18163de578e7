// Races forced at their racy step. These tests link ch07-hooked, where the
// task state word calls the calling thread's hook before each operation on
// it, and the shared queue's mutex before each lock (interleaving_hook.hpp).
// A test stops one thread before its k-th operation, lets another thread act
// there, lets the first go on, and checks the outcome; then it does the same
// with k+1, until the stopped thread ends before its k-th operation. So a
// wake that keeps the answer it computed before its compare-and-swap failed,
// or a worker that unlocks between "the queue is empty" and its sleep, fails
// here at that step, every run, not once in twenty thousand.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>
#include <utility>

#include <gtest/gtest.h>

#include "art/interleaving_hook.hpp"
#include "art/shared_queue_scheduler.hpp"
#include "art/task_state_word.hpp"
#include "test_support.hpp"
#include "test_thread.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::Entry;
using testing::eventually;
using testing::run_on_another_thread;

using Word = TaskStateWord;
constexpr std::uint64_t R = Word::kRunning;
constexpr std::uint64_t N = Word::kNotified;
constexpr std::uint64_t J = Word::kJoinInterest;
constexpr std::uint64_t refs(std::uint64_t n) { return n * Word::kOneReference; }

// Stops the thread that installed it before that thread's `step`-th hooked
// operation (counting from the installation), runs `meanwhile` there, then
// takes itself out: the thread goes on from where it stopped. reached() may
// be asked from another thread.
class StopAtStep {
 public:
  StopAtStep(int step, std::function<void()> meanwhile)
      : step_(step), meanwhile_(std::move(meanwhile)) {}
  StopAtStep(const StopAtStep&) = delete;
  StopAtStep& operator=(const StopAtStep&) = delete;
  ~StopAtStep() { uninstall(); }  // however the test ends

  void install() { interleaving::installed = {&StopAtStep::before_operation, this}; }
  static void uninstall() { interleaving::installed = {}; }
  bool reached() const { return reached_.load(); }

 private:
  static void before_operation(void* context) {
    auto* self = static_cast<StopAtStep*>(context);
    if (++self->seen_ != self->step_)
      return;
    uninstall();
    self->reached_.store(true);
    self->meanwhile_();
  }

  int step_;
  int seen_ = 0;  // only the stopped thread counts
  std::atomic<bool> reached_{false};
  std::function<void()> meanwhile_;
};

// Exercise 7.2. update() reads the word, computes the next one, and
// compare-and-swaps; when another thread changed the word in between, the
// swap fails and the lambda runs again on the new word. Here a second wake
// lands at every step of a first one: before its read, and between its read
// and its swap (which then fails, and the retry finds the task queued). A
// lambda that set its answer to "queue it" on the first run and does not
// reset it on the retry tells both wakes to queue the task: two entries.
TEST(Ex7_2_WakeByRef, ASecondWakeAtEveryStepOfAWakeMakesExactlyOneEntry) {
  for (int step = 1;; ++step) {
    Word word(J | refs(2));  // idle
    bool second_queues = false;
    StopAtStep stop(step, [&] {
      run_on_another_thread([&] { second_queues = word.to_notified_by_ref(); });
    });
    stop.install();
    const bool first_queues = word.to_notified_by_ref();
    StopAtStep::uninstall();
    if (!stop.reached()) {
      ASSERT_GT(step, 1) << "a wake made no operation on the task's state";
      return;  // the wake took fewer steps: every one was tried
    }
    EXPECT_EQ(int{first_queues} + int{second_queues}, 1)
        << "a second wake before step " << step << " of the first: the first said "
        << (first_queues ? "queue" : "don't queue") << ", the second "
        << (second_queues ? "queue" : "don't queue") << " (one entry, exactly)";
    EXPECT_EQ(word.load().bits, N | J | refs(3))
        << "after a second wake before step " << step;
    if (::testing::Test::HasFailure())
      return;
  }
}

// The same with the poll's end on the other thread: a wake of a running task
// is stopped at each of its steps while to_idle runs. The wake first saw the
// task running (no entry of its own); if the poll ended before the wake's
// swap, the retry finds the task idle and must now queue it.
TEST(Ex7_2_WakeByRef, APollEndingAtEveryStepOfAWakeLeavesExactlyOneEntry) {
  for (int step = 1;; ++step) {
    Word word(R | J | refs(3));  // polled, on the reference of its entry
    Word::ToIdle poll_end = Word::ToIdle::cancel;
    StopAtStep stop(step,
                    [&] { run_on_another_thread([&] { poll_end = word.to_idle(); }); });
    stop.install();
    const bool wake_queues = word.to_notified_by_ref();
    StopAtStep::uninstall();
    if (!stop.reached()) {
      ASSERT_GT(step, 1) << "a wake made no operation on the task's state";
      return;
    }
    const bool poll_requeues = poll_end == Word::ToIdle::requeue;
    EXPECT_EQ(int{wake_queues} + int{poll_requeues}, 1)
        << "the poll ended before step " << step << " of the wake: the wake said "
        << (wake_queues ? "queue" : "don't queue") << ", the poll's end "
        << (poll_requeues ? "requeue" : "idle") << " (one entry, exactly)";
    // The poll's entry reference goes back with a requeue; otherwise the
    // caller of to_idle drops it later, and the wake took a new one.
    EXPECT_EQ(word.load().bits, N | J | refs(wake_queues ? 4 : 3))
        << "after the poll ended before step " << step << " of the wake";
    if (::testing::Test::HasFailure())
      return;
  }
}

// Closes a scheduler once `limit` has passed, unless the test ended first,
// and says whether it had to. A test that drives next_task by hand declares
// one before its worker thread (destroyed after it is joined): a worker that
// would sleep for ever with a task queued then gets nullptr, and the test
// fails by its assertions instead of hanging.
class CloseAfter {
 public:
  CloseAfter(Scheduler& scheduler, std::chrono::milliseconds limit)
      : watchdog_([this, &scheduler, limit](const std::stop_token& stop) {
          std::mutex mutex;
          std::condition_variable_any ended;
          std::unique_lock lock(mutex);
          if (!ended.wait_for(lock, stop, limit, [] { return false; }) &&
              !stop.stop_requested()) {
            fired_.store(true);
            scheduler.close();
          }
        }) {}
  bool fired() const { return fired_.load(); }

 private:
  std::atomic<bool> fired_{false};  // before watchdog_: set up before it starts
  std::jthread watchdog_;           // asked to stop, and joined, when the test ends
};

// Exercise 7.4. A worker calls next_task on an empty queue, and a schedule()
// on another thread lands just before the worker's k-th lock of the
// scheduler's mutex, for k = 1, 2, ... until the worker goes to sleep before
// its k-th lock (then the test schedules the entry itself, which must wake
// it). A next_task that checks the queue under the lock, unlocks, and locks
// again to wait has its gap at the second lock: the schedule() finds no
// counted sleeper and notifies nobody, and the worker sleeps with the entry
// queued until the watchdog closes the scheduler. The stub, which never
// sleeps, takes one lock after another and fails the bound.
TEST(Ex7_4_Parking, AScheduleJustBeforeEachLockOfASleepingWorkerWakesIt) {
  constexpr int kMostLocksBeforeSleeping = 16;
  for (int step = 1;; ++step) {
    ASSERT_LE(step, kMostLocksBeforeSleeping)
        << "the worker took " << kMostLocksBeforeSleeping
        << " locks on an empty queue and never went to sleep";
    SharedQueueScheduler scheduler;
    scheduler.start(1);
    Entry entry;
    std::atomic<bool> claimed{
        false};  // the entry is scheduled once, by whoever claims it
    auto schedule_the_entry = [&] {
      if (!claimed.exchange(true))
        run_on_another_thread([&] { EXPECT_TRUE(scheduler.schedule(&entry)); });
    };
    StopAtStep stop(step, schedule_the_entry);
    std::atomic<TaskHeader*> taken{nullptr};
    bool watchdog_fired = false;
    bool asleep_before_the_step = false;
    {
      const CloseAfter watchdog(scheduler, 2s);
      testing::TestThread worker([&] {
        stop.install();
        taken.store(scheduler.next_task(0));
        StopAtStep::uninstall();
      });
      ASSERT_TRUE(eventually([&] { return stop.reached() || scheduler.parks() > 0; }))
          << "the worker neither locked the scheduler " << step
          << " times nor went to sleep";
      asleep_before_the_step = !stop.reached();
      if (asleep_before_the_step)
        schedule_the_entry();  // the ordinary way: it must wake the sleeper
      worker.join();
      watchdog_fired = watchdog.fired();
    }
    EXPECT_FALSE(watchdog_fired)
        << "a schedule() just before lock " << step
        << " of the worker was lost: the worker "
        << "slept with the task queued until the watchdog closed the scheduler";
    EXPECT_EQ(taken.load(), &entry)
        << "scheduled just before lock " << step << " of the worker";
    if (::testing::Test::HasFailure())
      return;
    if (asleep_before_the_step) {
      ASSERT_GT(step, 1) << "the worker went to sleep without taking the lock";
      return;  // it slept before its step-th lock: every lock before was tried
    }
  }
}

}  // namespace
}  // namespace art
