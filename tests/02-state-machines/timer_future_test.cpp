#include "art/timer_future.hpp"

#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/block_on.hpp"
#include "counting_waker.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::CountingWaker;

// Waits (bounded) until `counter` has seen a wake; timers fire on another thread.
bool wait_for_wake(const CountingWaker& counter, Clock::duration limit = 5s) {
  const auto deadline = Clock::now() + limit;
  while (counter.total_wakes() == 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  return counter.total_wakes() > 0;
}

TEST(Ex2_1_Timer, ReadyOnlyAfterTheDelay) {
  const auto start = Clock::now();
  block_on(TimerFuture(50ms));
  EXPECT_GE(Clock::now() - start, 50ms);  // never early; how late depends on the machine
}

TEST(Ex2_1_Timer, PendingFirstThenWokenByTheTimerThread) {
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  TimerFuture timer(20ms);
  ASSERT_TRUE(timer.poll(cx).is_pending());
  ASSERT_TRUE(wait_for_wake(counter)) << "the timer thread never woke the stored waker";
  EXPECT_TRUE(timer.poll(cx).is_ready());
}

TEST(Ex2_1_Timer, OnlyTheNewestWakerIsWoken) {
  CountingWaker first;
  CountingWaker second;
  TimerFuture timer(30ms);
  {
    const Waker waker = first.waker();
    Context cx(waker);
    ASSERT_TRUE(timer.poll(cx).is_pending());
  }
  const Waker waker = second.waker();
  Context cx(waker);
  ASSERT_TRUE(timer.poll(cx).is_pending());
  ASSERT_TRUE(wait_for_wake(second)) << "the newest waker was not woken";
  EXPECT_EQ(first.total_wakes(), 0) << "a stale waker was woken";
  EXPECT_EQ(first.references(), 0) << "the replaced waker must be dropped";
}

TEST(Ex2_1_Timer, ExpiredDeadlineIsReadyWithoutWaking) {
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  TimerFuture timer(0ms);
  EXPECT_TRUE(timer.poll(cx).is_ready());
  EXPECT_EQ(counter.references(), 1) << "a ready timer keeps no waker";
}

TEST(Ex2_1_Timer, DroppingAnUnfinishedTimerIsSafe) {
  CountingWaker counter;
  {
    const Waker waker = counter.waker();
    Context cx(waker);
    TimerFuture timer(10ms);
    ASSERT_TRUE(timer.poll(cx).is_pending());
  }  // dropped before its deadline; the timer thread still has an entry for it
  EXPECT_EQ(counter.references(), 0) << "the dropped timer must release its waker";
  block_on(TimerFuture(40ms));          // let the dropped deadline pass on the timer thread
  EXPECT_EQ(counter.total_wakes(), 0);  // (AddressSanitizer checks the memory side)
}

TEST(TimerThread, EveryTimerFiresExactlyOnce) {
  std::vector<CountingWaker> counters(3);
  std::vector<TimerFuture> timers;
  for (auto delay : {30ms, 10ms, 20ms})
    timers.emplace_back(delay);
  for (std::size_t i = 0; i < timers.size(); ++i) {
    const Waker waker = counters[i].waker();
    Context cx(waker);
    ASSERT_TRUE(timers[i].poll(cx).is_pending());
  }
  for (auto& counter : counters)
    ASSERT_TRUE(wait_for_wake(counter));
  block_on(TimerFuture(20ms));  // time for a wrong second firing to show up
  for (auto& counter : counters) {
    EXPECT_EQ(counter.total_wakes(), 1);
    EXPECT_EQ(counter.references(), 0) << "fired timers hand their waker's reference to wake()";
  }
}

TEST(TimerThread, SchedulingWhileTheThreadWaitsIsSafe) {
  // The thread sleeps until the first deadline while new, earlier timers
  // arrive and grow its heap. (A reference into the heap held across that
  // wait was a use-after-free; the AddressSanitizer build catches it.)
  CountingWaker late_counter;
  const Waker late_waker = late_counter.waker();
  Context late_cx(late_waker);
  TimerFuture late(200ms);
  ASSERT_TRUE(late.poll(late_cx).is_pending());
  std::this_thread::sleep_for(20ms);
  std::vector<CountingWaker> counters(64);
  std::vector<TimerFuture> timers;
  for (std::size_t i = 0; i < counters.size(); ++i)
    timers.emplace_back(10ms + i * 1ms);
  for (std::size_t i = 0; i < counters.size(); ++i) {
    const Waker waker = counters[i].waker();
    Context cx(waker);
    ASSERT_TRUE(timers[i].poll(cx).is_pending());
  }
  for (auto& counter : counters)
    ASSERT_TRUE(wait_for_wake(counter));
  ASSERT_TRUE(wait_for_wake(late_counter));
}

}  // namespace
}  // namespace art
