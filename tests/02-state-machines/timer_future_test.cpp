#include "art/timer_future.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>

#include "art/block_on.hpp"
#include "art/log.hpp"
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

TEST(Ex2_1_Timer, RepollWithTheSameWakerDoesNotCloneIt) {
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  TimerFuture timer(10s);
  for (int poll = 0; poll < 3; ++poll)
    ASSERT_TRUE(timer.poll(cx).is_pending());
  EXPECT_EQ(counter.clones, 1) << "a waker that will_wake the stored one is not cloned again";
  EXPECT_EQ(counter.references(), 2) << "ours and the one the timer keeps";
}

// Counts the timer thread's firings through the `art` logger: the only place
// where a second entry for the same timer would show.
class FiringCounter : public spdlog::sinks::base_sink<std::mutex> {
 public:
  int firings() {
    std::lock_guard lock(mutex_);
    return firings_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    const std::string_view text(message.payload.data(), message.payload.size());
    if (text.find("deadline reached") != std::string_view::npos)
      ++firings_;
  }
  void flush_() override {}

 private:
  int firings_ = 0;
};

// Adds the counter to the logger for the length of a test.
struct ListenToTheTimerThread {
  std::shared_ptr<FiringCounter> counter = std::make_shared<FiringCounter>();
  spdlog::level::level_enum level = logger().level();
  ListenToTheTimerThread() {
    logger().sinks().push_back(counter);
    logger().set_level(spdlog::level::debug);
  }
  ~ListenToTheTimerThread() {
    logger().set_level(level);
    logger().sinks().pop_back();
  }
};

TEST(Ex2_1_Timer, SchedulesItselfOnceHoweverOftenPolled) {
  // Each poll before the deadline must not add an entry to the timer thread:
  // a second entry costs a heap slot and a firing for nothing.
  CountingWaker counter;
  TimerFuture timer(20ms);
  {
    const ListenToTheTimerThread listen;
    const Waker waker = counter.waker();
    Context cx(waker);
    for (int poll = 0; poll < 3; ++poll)
      ASSERT_TRUE(timer.poll(cx).is_pending());
    ASSERT_TRUE(wait_for_wake(counter));
    // A later timer fires after every entry of ours (the heap is ordered by
    // deadline), so once it is done, any duplicate firing has happened.
    block_on(TimerFuture(5ms));
    EXPECT_EQ(listen.counter->firings(), 2) << "our timer once, and the one block_on waited for";
  }
  EXPECT_EQ(counter.total_wakes(), 1);
}

// A waker whose clone waits until the timer thread has fired (or 300 ms have
// passed). A poll that stores the waker under the timer's mutex holds the
// timer thread off while it clones, so the firing finds the new waker. A poll
// that checks under the lock and stores outside it lets the firing run during
// the clone: the firing takes the old waker, and the new one is never woken.
struct CloneWaitsForTheFiring {
  std::shared_ptr<FiringCounter> firings;
  std::atomic<int> wakes{0};
  std::atomic<bool> hold_clones{false};

  Waker waker() { return Waker(RawWaker{this, &vtable}); }

  static CloneWaitsForTheFiring& self(void* data) {
    return *static_cast<CloneWaitsForTheFiring*>(data);
  }
  static RawWaker clone(void* data) {
    if (self(data).hold_clones) {
      const auto limit = Clock::now() + 300ms;
      while (self(data).firings->firings() == 0 && Clock::now() < limit)
        std::this_thread::sleep_for(1ms);
    }
    return RawWaker{data, &vtable};
  }
  static void wake(void* data) { ++self(data).wakes; }
  static void wake_by_ref(void* data) { ++self(data).wakes; }
  static void drop(void* /*data*/) noexcept {}
  static constexpr WakerVTable vtable{clone, wake, wake_by_ref, drop};
};

TEST(Ex2_1_Timer, FiringWhileTheNewWakerIsStoredIsNotLost) {
  const ListenToTheTimerThread listen;
  CountingWaker first;
  CloneWaitsForTheFiring second{listen.counter};
  TimerFuture timer(20ms);
  {
    const Waker waker = first.waker();
    Context cx(waker);
    ASSERT_TRUE(timer.poll(cx).is_pending());  // schedules the timer
  }
  const Waker waker = second.waker();
  Context cx(waker);
  second.hold_clones = true;  // the deadline passes while the poll stores this waker
  ASSERT_TRUE(timer.poll(cx).is_pending());
  second.hold_clones = false;
  const auto limit = Clock::now() + 5s;
  while (second.wakes == 0 && Clock::now() < limit)
    std::this_thread::sleep_for(1ms);
  EXPECT_EQ(second.wakes, 1) << "the firing took the old waker: check and store under one lock";
}

TEST(TimerThread, EveryTimerFiresExactlyOnce) {
  std::vector<CountingWaker> counters(3);
  std::vector<TimerFuture> timers;
  // Deadlines far enough out that a slow (sanitized, loaded) machine still
  // polls all three before the first one passes, and out of order, so the
  // thread's heap must sort them.
  for (auto delay : {300ms, 100ms, 200ms})
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
