// The task state machine: wakes from other threads, repeated wakes, wakes
// during the task's own poll, and wakes after it finished.
#include <atomic>
#include <exception>
#include <latch>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/block_on.hpp"
#include "art/executor.hpp"
#include "art/manual_future.hpp"
#include "art/task.hpp"
#include "art/yield_now.hpp"
#include "probe_future.hpp"
#include "test_futures.hpp"
#include "test_thread.hpp"

namespace art {
namespace {

using testing::Probe;
using testing::ProbeFuture;
using testing::run_on_another_thread;
using testing::WakesItselfWhilePolled;
using testing::WokenByOtherThreadsWhilePolled;

Task<int> add_one(ManualFuture<int> input) { co_return 1 + co_await input; }

// A wake inside a poll that throws (a stub reached, say) ends the task with
// that exception, where only a join sees it. Joined here, a task that threw
// fails the test with its own message, not with a poll count further on.
template <class T>
void rethrow_if_it_threw(JoinHandle<T>& handle) {
  if (handle.is_finished())
    (void)art::block_on(handle);
}

TEST(Ex4_1_Wake, WakeFromAnotherThreadRunsTheTask) {
  Executor executor;
  auto [input, completer] = make_manual_future<int>();
  auto handle = executor.spawn(add_one(std::move(input)));
  EXPECT_EQ(executor.run_until_stalled(), 1U);  // waiting for the other thread
  // Joined before the run: a wake that failed there fails the test here,
  // instead of leaving run() to sleep for ever.
  run_on_another_thread(
      [completer = std::move(completer)]() mutable { completer.complete(41); });
  executor.run();  // the wake arrived through the channel
  EXPECT_TRUE(handle.is_finished());
  EXPECT_EQ(executor.live_tasks(), 0U);
}

TEST(Ex4_1_Wake, ManyWakesOfAnIdleTaskEnqueueItOnce) {
  Executor executor;
  auto probe = std::make_shared<Probe>();
  auto handle = executor.spawn(ProbeFuture(probe));
  executor.run_until_stalled();
  ASSERT_EQ(probe->polls, 1);
  // Five wakes while idle: the first enqueues, the other four find it scheduled.
  for (int i = 0; i < 5; ++i)
    probe->waker.wake_by_ref();
  executor.run_until_stalled();
  EXPECT_EQ(probe->polls, 2);
  EXPECT_EQ(executor.metrics().polls, 2U);
}

TEST(Ex4_1_Wake, WakeAfterTheTaskFinishedIsIgnored) {
  Executor executor;
  auto probe = std::make_shared<Probe>();
  auto handle = executor.spawn(ProbeFuture(probe));
  executor.run_until_stalled();
  Waker kept = probe->waker;  // a reference that outlives the task's future
  probe->complete(7);
  executor.run_until_stalled();
  ASSERT_TRUE(handle.is_finished());
  kept.wake_by_ref();
  executor.run_until_stalled();
  EXPECT_EQ(probe->polls, 2);
  EXPECT_EQ(executor.metrics().polls, 2U);
}

TEST(Ex4_1_Wake, ConcurrentWakesOfAnIdleTaskQueueItOnce) {
  Executor executor;
  auto probe = std::make_shared<Probe>();
  auto handle = executor.spawn(ProbeFuture(probe));
  executor.run_until_stalled();
  Waker waker = probe->waker;
  std::latch start(4);
  std::mutex error_mutex;
  std::exception_ptr error;  // a wake that threw, rethrown on the test's thread
  {
    std::vector<std::jthread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, waker] {
        start.arrive_and_wait();  // all four race for the idle -> scheduled step
        try {
          for (int i = 0; i < 1000; ++i)
            waker.wake_by_ref();
        } catch (...) {
          const std::lock_guard lock(error_mutex);
          error = std::current_exception();
        }
      });
  }
  if (error)
    std::rethrow_exception(error);
  executor.run_until_stalled();
  EXPECT_EQ(probe->polls, 2);  // however many wakes, one queue entry
}

TEST(Ex4_2_Notified, WakesFromOtherThreadsDuringThePollRequeueItOnce) {
  Executor executor;
  auto polls = std::make_shared<std::atomic<int>>(0);
  // Four threads wake the task while it runs (running -> notified), and the
  // poll returns only after all four did: none of those wakes may be lost,
  // and together they are worth one more poll, not four.
  EXPECT_EQ(executor.block_on(WokenByOtherThreadsWhilePolled(polls, 4)), 2);
  EXPECT_EQ(executor.metrics().polls, 2U);
}

TEST(Ex4_2_Notified, WakeDuringItsOwnPollPollsItOnceMore) {
  Executor executor;
  auto polls = std::make_shared<int>(0);
  auto handle = executor.spawn(WakesItselfWhilePolled(polls, 1));
  EXPECT_EQ(executor.run_until_stalled(), 0U);  // the wake was not lost
  rethrow_if_it_threw(handle);
  EXPECT_EQ(*polls, 2);
}

TEST(Ex4_2_Notified, TwoWakesDuringAPollRequeueOnce) {
  Executor executor;
  auto polls = std::make_shared<int>(0);
  auto handle = executor.spawn(WakesItselfWhilePolled(polls, 2));
  executor.run_until_stalled();
  rethrow_if_it_threw(handle);
  EXPECT_EQ(*polls, 2);
  EXPECT_EQ(executor.metrics().polls, 2U);
}

Task<void> take_turns(std::string* log, char name, int turns) {
  for (int i = 0; i < turns; ++i) {
    *log += name;
    co_await yield_now();
  }
}

TEST(Ex4_2_Notified, YieldNowLetsTheOtherTasksRun) {
  Executor executor;
  std::string log;
  auto a = executor.spawn(take_turns(&log, 'a', 3));
  auto b = executor.spawn(take_turns(&log, 'b', 3));
  executor.run_until_stalled();
  rethrow_if_it_threw(a);
  rethrow_if_it_threw(b);
  EXPECT_EQ(log, "ababab");
  EXPECT_TRUE(a.is_finished() && b.is_finished());
}

// Logs its name at every poll, so that a second queue entry shows in the
// order of the log; keeps its newest waker where the test and the other
// tasks can reach it; Ready at poll `ready_at`. At poll `wake_at` it wakes
// `other` (another task, never itself: a wake during the task's own poll
// is 4.2's part of the state machine).
class Logs {
 public:
  using Output = int;
  Logs(std::string* log, char name, Waker* own_waker, int ready_at, int wake_at = 0,
       Waker* other = nullptr)
      : log_(log),
        name_(name),
        own_waker_(own_waker),
        ready_at_(ready_at),
        wake_at_(wake_at),
        other_(other) {}
  Poll<int> poll(Context& cx) {
    ++polls_;
    *log_ += name_;
    if (polls_ == wake_at_)
      other_->wake_by_ref();
    if (polls_ == ready_at_)
      return 0;
    *own_waker_ = cx.waker();
    return pending;
  }

 private:
  std::string* log_;
  char name_;
  Waker* own_waker_;
  int ready_at_;
  int wake_at_;
  Waker* other_;
  int polls_ = 0;
};

// a, b and c are idle. The test wakes a, b, a again and c: the second wake
// finds a already scheduled and must leave it at its one entry. b's second
// poll then wakes a, idle again by then, which queues a behind c. A second
// entry for a, left between b and c, would poll a before c: "abac".
TEST(Ex4_1_Wake, WakingAScheduledTaskDoesNotQueueItTwice) {
  std::string log;
  Waker a_waker;
  Waker b_waker;
  Waker c_waker;
  Executor executor;
  auto a = executor.spawn(Logs(&log, 'a', &a_waker, 3));
  auto b = executor.spawn(Logs(&log, 'b', &b_waker, 2, 2, &a_waker));
  auto c = executor.spawn(Logs(&log, 'c', &c_waker, 2));
  executor.run_until_stalled();  // each polled once, idle, its waker kept
  ASSERT_EQ(log, "abc");
  log.clear();
  a_waker.wake_by_ref();  // idle -> scheduled
  b_waker.wake_by_ref();
  a_waker.wake_by_ref();  // already scheduled: nothing to do
  c_waker.wake_by_ref();
  executor.run_until_stalled();
  rethrow_if_it_threw(a);
  rethrow_if_it_threw(b);
  EXPECT_EQ(log, "abca") << "a second entry for a gives \"abac\"";
  EXPECT_EQ(executor.live_tasks(), 0U);
}

}  // namespace
}  // namespace art
