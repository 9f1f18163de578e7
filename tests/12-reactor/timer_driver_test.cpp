// The timer driver and the timer futures, on a fake clock: every time is
// origin + something the test chose, and nothing fires unless the test calls
// fire_due. The races between a fire and a cancel are forced by wakers that
// stop inside the racy step until the other thread has acted.
#include "art/timer_driver.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "art/allocation_counter.hpp"
#include "art/await.hpp"
#include "art/block_on.hpp"
#include "art/budget.hpp"
#include "art/sleep.hpp"
#include "art/spawn_fiber.hpp"
#include "art/task.hpp"
#include "art/yield_now.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::CountingWaker;
using testing::eventually;
using testing::Immediately;
using testing::PendingForever;

const Clock::time_point kOrigin = Clock::time_point{} + 1h;
Clock::time_point at(Clock::duration since_origin) { return kOrigin + since_origin; }

// ---------------------------------------------------------------- the driver

TEST(TimerDriver, AWakerIsWokenOnceWhenDueAndNotBefore) {
  TimerDriver driver(kOrigin);
  CountingWaker counter;
  const Waker waker = counter.waker();
  ASSERT_TRUE(driver.register_timer(at(10ms), waker).has_value());
  EXPECT_EQ(driver.fire_due(at(9ms)), 0U);
  EXPECT_EQ(driver.fire_due(at(9999us)), 0U);
  EXPECT_EQ(counter.wakes(), 0);
  EXPECT_EQ(driver.fire_due(at(10ms)), 1U);
  EXPECT_EQ(counter.wakes(), 1);
  EXPECT_EQ(driver.fire_due(at(1h)), 0U);
  EXPECT_EQ(counter.wakes(), 1);
  EXPECT_EQ(driver.pending(), 0U);
}

TEST(TimerDriver, ADeadlineBetweenMillisecondsIsRoundedUp) {
  TimerDriver driver(kOrigin);
  CountingWaker counter;
  const Waker waker = counter.waker();
  ASSERT_TRUE(driver.register_timer(at(10300us), waker).has_value());
  EXPECT_EQ(driver.fire_due(at(10900us)), 0U) << "fired before its deadline";
  EXPECT_EQ(driver.fire_due(at(11ms)), 1U);
}

TEST(TimerDriver, ATimerCancelledBeforeItsDeadlineIsNeverWoken) {
  TimerDriver driver(kOrigin);
  CountingWaker counter;
  const Waker waker = counter.waker();
  const std::optional<TimerId> id = driver.register_timer(at(10ms), waker);
  ASSERT_TRUE(id.has_value());
  EXPECT_TRUE(driver.cancel(*id));
  EXPECT_EQ(driver.pending(), 0U);
  EXPECT_EQ(driver.fire_due(at(1h)), 0U);
  EXPECT_EQ(counter.wakes(), 0);
  EXPECT_FALSE(driver.cancel(*id));
}

TEST(TimerDriver, ANewerWakerReplacesTheOldOne) {
  TimerDriver driver(kOrigin);
  CountingWaker first;
  CountingWaker second;
  const Waker first_waker = first.waker();
  const Waker second_waker = second.waker();
  const std::optional<TimerId> id = driver.register_timer(at(5ms), first_waker);
  ASSERT_TRUE(id.has_value());
  EXPECT_TRUE(driver.update_waker(*id, second_waker));
  driver.fire_due(at(5ms));
  EXPECT_EQ(first.wakes(), 0);
  EXPECT_EQ(second.wakes(), 1);
  EXPECT_FALSE(driver.update_waker(*id, first_waker)) << "a fired timer kept a waker";
}

TEST(TimerDriver, ADeadlinePassedByTheDriversClockIsNotRegistered) {
  TimerDriver driver(kOrigin);
  driver.fire_due(at(50ms));
  EXPECT_EQ(driver.now(), at(50ms));
  const Waker waker = noop_waker();
  EXPECT_EQ(driver.register_timer(at(30ms), waker), std::nullopt);
  EXPECT_EQ(driver.register_timer(at(50ms), waker), std::nullopt);
  EXPECT_TRUE(driver.register_timer(at(50500us), waker).has_value());
  EXPECT_EQ(driver.pending(), 1U);
}

TEST(TimerDriver, NextTimeoutRoundsUpAndIsMinusOneWithoutTimers) {
  TimerDriver driver(kOrigin);
  EXPECT_EQ(driver.next_timeout(at(0ms)), -1);
  const Waker waker = noop_waker();
  const std::optional<TimerId> id = driver.register_timer(at(10ms), waker);
  EXPECT_EQ(driver.next_timeout(at(0ms)), 10);
  EXPECT_EQ(driver.next_timeout(at(2500us)), 8) << "7.5 ms must round up";
  EXPECT_EQ(driver.next_timeout(at(10ms)), 0);
  EXPECT_EQ(driver.next_timeout(at(11ms)), 0);
  driver.cancel(*id);
  ASSERT_TRUE(driver.register_timer(at(10200us), waker).has_value());
  EXPECT_EQ(driver.next_timeout(at(0ms)), 11) << "a deadline rounds up to whole ms";
  // A far timer's slot starts before it: the reactor wakes early, never late.
  TimerDriver far(kOrigin);
  ASSERT_TRUE(far.register_timer(at(5s), waker).has_value());
  EXPECT_EQ(far.next_timeout(at(0ms)), 4096);
  far.fire_due(at(4096ms));
  EXPECT_EQ(far.pending(), 1U);
  EXPECT_LE(far.next_timeout(at(4096ms)), 5000 - 4096);
}

TEST(TimerDriver, TheWakeCallbackRunsOnlyWhenAnEarlierSlotArrives) {
  TimerDriver driver(kOrigin);
  int calls = 0;
  driver.set_wake_callback([&] { ++calls; });
  const Waker waker = noop_waker();
  ASSERT_TRUE(driver.register_timer(at(50ms), waker));
  EXPECT_EQ(calls, 1) << "the first timer: nothing was reported before";
  ASSERT_TRUE(driver.register_timer(at(60ms), waker));
  EXPECT_EQ(calls, 1) << "a later timer does not concern the reactor";
  EXPECT_EQ(driver.next_timeout(at(0ms)), 50);
  ASSERT_TRUE(driver.register_timer(at(50ms), waker));
  EXPECT_EQ(calls, 1) << "as early as reported is not earlier";
  ASSERT_TRUE(driver.register_timer(at(40ms), waker));
  EXPECT_EQ(calls, 2);
  ASSERT_TRUE(driver.register_timer(at(45ms), waker));
  EXPECT_EQ(calls, 2) << "the reactor is already woken for 40 ms";
  driver.fire_due(at(60ms));
  EXPECT_EQ(driver.next_timeout(at(60ms)), -1);
  ASSERT_TRUE(driver.register_timer(at(1h), waker));
  EXPECT_EQ(calls, 3) << "the reactor sleeps without a timeout: any timer is earlier";
}

// A waker that stops inside its wake or its drop, when told to, until the
// test lets it go on: the other thread acts while it waits there.
class StoppingWaker {
 public:
  Waker waker() { return Waker(RawWaker{this, &kVTable}); }
  void stop_in_next_drop() { stop_in_drop_ = true; }
  void stop_in_next_wake() { stop_in_wake_ = true; }
  bool wait_until_stopped() {
    return eventually([&] { return stopped_.load(std::memory_order_acquire); });
  }
  void go_on() { go_on_.store(true, std::memory_order_release); }
  int wakes() const { return wakes_.load(); }

 private:
  void stop_here() {
    stopped_.store(true, std::memory_order_release);
    eventually([&] { return go_on_.load(std::memory_order_acquire); });
  }
  static RawWaker clone(void* data) { return RawWaker{data, &kVTable}; }
  static void wake(void* data) {
    auto* self = static_cast<StoppingWaker*>(data);
    self->wakes_.fetch_add(1);
    if (self->stop_in_wake_.exchange(false))
      self->stop_here();
  }
  static void drop(void* data) noexcept {
    auto* self = static_cast<StoppingWaker*>(data);
    if (self->stop_in_drop_.exchange(false))
      self->stop_here();
  }
  static constexpr WakerVTable kVTable{clone, wake, wake, drop};

  std::atomic<bool> stop_in_wake_{false};
  std::atomic<bool> stop_in_drop_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<bool> go_on_{false};
  std::atomic<int> wakes_{0};
};

// Two fresh timers get two different entries: an entry freed twice would
// be on the free list twice and handed out to both.
void expect_entries_freed_once(TimerDriver& driver) {
  const Waker waker = noop_waker();
  const std::optional<TimerId> a = driver.register_timer(driver.now() + 1h, waker);
  const std::optional<TimerId> b = driver.register_timer(driver.now() + 1h, waker);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->index, b->index);
  EXPECT_EQ(driver.slab_size(), 2U);
}

TEST(TimerDriverRace, ACancelWhileTheFireWakesNeitherLosesNorDoublesTheWake) {
  TimerDriver driver(kOrigin);
  StoppingWaker stopping;
  std::optional<TimerId> id;
  {
    const Waker waker = stopping.waker();
    id = driver.register_timer(at(10ms), waker);
  }
  ASSERT_TRUE(id.has_value());
  stopping.stop_in_next_wake();
  std::thread reactor([&] { driver.fire_due(at(10ms)); });
  // The fire has taken the waker out and is waking it, unlocked: cancel now.
  ASSERT_TRUE(stopping.wait_until_stopped());
  EXPECT_FALSE(driver.cancel(*id)) << "cancelled a timer that was firing";
  stopping.go_on();
  reactor.join();
  EXPECT_EQ(stopping.wakes(), 1);
  EXPECT_EQ(driver.pending(), 0U);
  expect_entries_freed_once(driver);
}

TEST(TimerDriverRace, AFireWhileTheCancelDropsTheWakerWakesNothing) {
  TimerDriver driver(kOrigin);
  StoppingWaker stopping;
  std::optional<TimerId> id;
  {
    const Waker waker = stopping.waker();
    id = driver.register_timer(at(10ms), waker);
  }
  ASSERT_TRUE(id.has_value());
  stopping.stop_in_next_drop();
  bool cancelled = false;
  std::thread dropper([&] { cancelled = driver.cancel(*id); });
  // The cancel has taken the waker out and is dropping it, unlocked: fire.
  ASSERT_TRUE(stopping.wait_until_stopped());
  EXPECT_EQ(driver.fire_due(at(10ms)), 0U) << "fired a cancelled timer";
  stopping.go_on();
  dropper.join();
  EXPECT_TRUE(cancelled);
  EXPECT_EQ(stopping.wakes(), 0);
  EXPECT_EQ(driver.pending(), 0U);
  expect_entries_freed_once(driver);
}

// Asks the driver something from another thread and waits for
// the answer: only a driver whose lock is free answers (within 5 s). Called from
// inside a wake, a drop or the wake callback, it tells whether the driver
// runs them holding its lock (where a task's code that comes back to the
// driver, as a dropped task cancelling its timers does, would deadlock).
class LockProbe {
 public:
  explicit LockProbe(TimerDriver& driver) : driver_(driver) {}
  ~LockProbe() {
    for (std::thread& thread : threads_)
      thread.join();
  }
  void probe() {
    auto answered = std::make_shared<std::atomic<bool>>(false);
    threads_.emplace_back([this, answered] {
      static_cast<void>(driver_.pending());
      answered->store(true);
    });
    ++probes_;
    if (eventually([&] { return answered->load(); }))
      ++answered_in_time_;
  }
  int probes() const { return probes_; }
  int answered_in_time() const { return answered_in_time_; }

 private:
  TimerDriver& driver_;
  std::vector<std::thread> threads_;
  int probes_ = 0;
  int answered_in_time_ = 0;
};

// A waker that probes the driver's lock from its wake and its drop, when armed.
class ProbingWaker {
 public:
  explicit ProbingWaker(LockProbe& probe) : probe_(probe) {}
  Waker waker() { return Waker(RawWaker{this, &kVTable}); }
  void arm() { armed_ = true; }

 private:
  static RawWaker clone(void* data) { return RawWaker{data, &kVTable}; }
  static void wake(void* data) { static_cast<ProbingWaker*>(data)->maybe_probe(); }
  static void drop(void* data) noexcept {
    static_cast<ProbingWaker*>(data)->maybe_probe();
  }
  void maybe_probe() {
    if (std::exchange(armed_, false))
      probe_.probe();
  }
  static constexpr WakerVTable kVTable{clone, wake, wake, drop};
  LockProbe& probe_;
  bool armed_ = false;
};

TEST(TimerDriver, WakesDropsAndTheWakeCallbackRunWithoutTheDriversLock) {
  TimerDriver driver(kOrigin);
  LockProbe probe(driver);
  driver.set_wake_callback([&] { probe.probe(); });
  ProbingWaker fired(probe);
  ProbingWaker replaced(probe);
  ProbingWaker cancelled(probe);
  std::optional<TimerId> first;
  std::optional<TimerId> second;
  {
    const Waker fired_waker = fired.waker();
    const Waker replaced_waker = replaced.waker();
    const Waker cancelled_waker = cancelled.waker();
    first = driver.register_timer(at(10ms), replaced_waker);  // the callback
    second = driver.register_timer(at(20ms), cancelled_waker);
    ASSERT_TRUE(first && second);
    replaced.arm();
    EXPECT_TRUE(driver.update_waker(*first, fired_waker));  // drops `replaced`
  }
  cancelled.arm();
  EXPECT_TRUE(driver.cancel(*second));  // drops `cancelled`
  fired.arm();
  EXPECT_EQ(driver.fire_due(at(10ms)), 1U);  // wakes `fired`
  EXPECT_EQ(probe.probes(), 4);
  EXPECT_EQ(probe.answered_in_time(), 4) << "ran task code holding the driver's lock";
}

TEST(TimerDriverRace, ARegisterFromAnotherThreadWakesASleepingDriverThread) {
  // The reactor's loop in miniature, on the real clock: sleep for
  // next_timeout (or until the wake callback), then fire_due.
  TimerDriver driver;
  std::mutex mutex;
  std::condition_variable woken;
  bool wake_requested = false;
  bool stop = false;
  driver.set_wake_callback([&] {
    std::lock_guard lock(mutex);
    wake_requested = true;
    woken.notify_one();
  });
  std::thread reactor([&] {
    std::unique_lock lock(mutex);
    while (!stop) {
      const int timeout = driver.next_timeout(Clock::now());
      const auto ready = [&] { return wake_requested || stop; };
      if (timeout < 0)
        woken.wait(lock, ready);
      else
        woken.wait_for(lock, std::chrono::milliseconds(timeout), ready);
      wake_requested = false;
      lock.unlock();
      driver.fire_due(Clock::now());
      lock.lock();
    }
  });
  // The reactor first sleeps with no timeout at all: only the callback can
  // tell it about the sleep below, which block_on then waits for.
  const Clock::time_point start = Clock::now();
  block_on(sleep(driver, 20ms));
  EXPECT_GE(Clock::now() - start, 20ms) << "woken before its deadline";
  {
    std::lock_guard lock(mutex);
    stop = true;
    woken.notify_one();
  }
  reactor.join();
}

TEST(TimerDriver, NoAllocationPerTimerOnceTheSlabHasGrown) {
  TimerDriver driver(kOrigin);
  const Waker waker = noop_waker();
  const auto round = [&] {
    for (int i = 0; i < 1000; ++i) {
      Sleep sleep(driver, driver.now() + 1h);
      Context cx(waker);
      EXPECT_TRUE(sleep.poll(cx).is_pending());
      if (i % 2 == 0)
        continue;  // destroyed pending: cancelled
      std::optional<TimerId> id = driver.register_timer(driver.now() + 1ms, waker);
      ASSERT_TRUE(id.has_value());
      driver.fire_due(driver.now() + 1ms);
      EXPECT_FALSE(driver.cancel(*id));
    }
  };
  round();  // warm-up: the slab and the waker table grow here
  const std::uint64_t before = global_allocations();
  for (int r = 0; r < 3; ++r)
    round();
  EXPECT_EQ(global_allocations() - before, 0U);
}

TEST(TimerDriver, CurrentTimerDriverSaysThatNoRuntimeDrivesTimersYet) {
  EXPECT_THROW(current_timer_driver(), std::logic_error);
  EXPECT_THROW(static_cast<void>(sleep(1ms)), std::logic_error);
}

// --------------------------------------------------------------- the futures

TEST(Sleep, IsReadyOnceTheDriverHasPassedItsDeadline) {
  TimerDriver driver(kOrigin);
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  Sleep sleep = sleep_until(driver, at(10ms));
  EXPECT_TRUE(sleep.poll(cx).is_pending());
  EXPECT_EQ(driver.pending(), 1U);
  driver.fire_due(at(9ms));
  EXPECT_EQ(counter.wakes(), 0);
  EXPECT_TRUE(sleep.poll(cx).is_pending());
  EXPECT_EQ(driver.pending(), 1U) << "a second poll registered again";
  driver.fire_due(at(10ms));
  EXPECT_EQ(counter.wakes(), 1);
  EXPECT_TRUE(sleep.poll(cx).is_ready());
}

TEST(Sleep, AlreadyPassedIsReadyOnTheFirstPoll) {
  TimerDriver driver(kOrigin);
  driver.fire_due(at(100ms));
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_TRUE(sleep_until(driver, at(50ms)).poll(cx).is_ready());
  EXPECT_EQ(driver.pending(), 0U);
}

TEST(Sleep, ADurationOfForeverNeitherOverflowsNorFires) {
  TimerDriver driver;  // the real clock's now as origin: sleep() reads it
  const Waker waker = noop_waker();
  Context cx(waker);
  Sleep forever = sleep(driver, Clock::duration::max());
  EXPECT_EQ(forever.deadline(), Clock::time_point::max());
  EXPECT_TRUE(forever.poll(cx).is_pending());
  EXPECT_GT(driver.next_timeout(Clock::now()), 0);
  EXPECT_EQ(driver.fire_due(Clock::now() + 24h * 365 * 10), 0U);
  EXPECT_TRUE(forever.poll(cx).is_pending());
}

TEST(Sleep, CanBeMovedBetweenPollsAndCancelsWhenDropped) {
  TimerDriver driver(kOrigin);
  CountingWaker first;
  CountingWaker second;
  const Waker first_waker = first.waker();
  const Waker second_waker = second.waker();
  Context first_cx(first_waker);
  Context second_cx(second_waker);
  std::optional<Sleep> original(sleep_until(driver, at(10ms)));
  EXPECT_TRUE(original->poll(first_cx).is_pending());
  Sleep moved = std::move(*original);
  original.reset();  // the moved-from Sleep has no timer to cancel
  EXPECT_EQ(driver.pending(), 1U);
  EXPECT_TRUE(moved.poll(second_cx).is_pending());
  driver.fire_due(at(10ms));
  EXPECT_EQ(first.wakes(), 0) << "kept the first waker, not the newest";
  EXPECT_EQ(second.wakes(), 1);
  EXPECT_TRUE(moved.poll(second_cx).is_ready());
  {
    Sleep dropped = sleep_until(driver, at(20ms));
    EXPECT_TRUE(dropped.poll(first_cx).is_pending());
    EXPECT_EQ(driver.pending(), 1U);
  }
  EXPECT_EQ(driver.pending(), 0U) << "a dropped Sleep left its timer behind";
}

TEST(Sleep, WorksWithCoAwaitInATask) {
  TimerDriver driver(kOrigin);
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  auto task = [](TimerDriver& timers) -> Task<int> {
    co_await sleep_until(timers, at(10ms));
    co_await sleep_until(timers, at(5ms));  // passed already: no suspension
    co_return 7;
  }(driver);
  EXPECT_TRUE(task.poll(cx).is_pending());
  driver.fire_due(at(10ms));
  EXPECT_EQ(counter.wakes(), 1);
  Poll<int> result = task.poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value(), 7);
}

TEST(SleepBudget, ASecondReadySleepInAPollOfOneTokenIsPendingAndWakes) {
  TimerDriver driver(kOrigin);
  Sleep a = sleep_until(driver, at(5ms));
  Sleep b = sleep_until(driver, at(5ms));
  {
    const Waker waker = noop_waker();
    Context cx(waker);
    ASSERT_TRUE(a.poll(cx).is_pending());
    ASSERT_TRUE(b.poll(cx).is_pending());
  }
  driver.fire_due(at(5ms));
  CountingWaker counter;
  const Waker waker = counter.waker();
  Budget budget(1);
  Context cx(waker, budget);
  EXPECT_TRUE(a.poll(cx).is_ready());
  EXPECT_TRUE(b.poll(cx).is_pending()) << "ready without a token";
  EXPECT_EQ(counter.wakes(), 1) << "refused without waking its task";
  Budget next(1);
  Context next_cx(waker, next);
  EXPECT_TRUE(b.poll(next_cx).is_ready()) << "the refusal lost the fire";
  EXPECT_EQ(next.remaining(), 0U);
}

TEST(SleepBudget, AWaitingSleepGivesItsTokenBack) {
  TimerDriver driver(kOrigin);
  const Waker waker = noop_waker();
  Budget budget(3);
  Context cx(waker, budget);
  Sleep sleep = sleep_until(driver, at(5ms));
  EXPECT_TRUE(sleep.poll(cx).is_pending());
  EXPECT_EQ(budget.remaining(), 3U);
}

// Ready with `value` on its second poll; counts its destruction.
class ReadyOnSecondPoll {
 public:
  using Output = int;
  ReadyOnSecondPoll(int value, std::shared_ptr<std::atomic<int>> destroyed)
      : value_(value), lifetime_(std::move(destroyed)) {}
  Poll<int> poll(Context& /*cx*/) {
    if (++polls_ < 2)
      return pending;
    return value_;
  }

 private:
  int value_;
  int polls_ = 0;
  testing::Lifetime lifetime_;
};

TEST(Timeout, TheInnerFutureReadyFirstGivesItsValueAndFreesTheTimer) {
  TimerDriver driver(kOrigin);
  const Waker waker = noop_waker();
  Context cx(waker);
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  auto timed = timeout_at(driver, ReadyOnSecondPoll(42, destroyed), at(10ms));
  EXPECT_TRUE(timed.poll(cx).is_pending());
  EXPECT_EQ(driver.pending(), 1U);
  Poll<std::optional<int>> result = timed.poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value(), 42);
  EXPECT_EQ(destroyed->load(), 1);
  EXPECT_EQ(driver.pending(), 0U) << "the timer outlived the timeout's answer";
  EXPECT_THROW(timed.poll(cx), std::logic_error);
}

TEST(Timeout, TimeUpFirstDestroysTheInnerFutureAtOnce) {
  TimerDriver driver(kOrigin);
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  auto timed = timeout_at(driver, PendingForever(destroyed), at(10ms));
  EXPECT_TRUE(timed.poll(cx).is_pending());
  driver.fire_due(at(10ms));
  EXPECT_EQ(counter.wakes(), 1);
  EXPECT_EQ(destroyed->load(), 0);
  Poll<std::optional<int>> result = timed.poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value(), std::nullopt);
  EXPECT_EQ(destroyed->load(), 1) << "the inner future outlived the timeout";
}

TEST(Timeout, AnInnerFutureReadyWhenTheTimeIsUpStillWins) {
  TimerDriver driver(kOrigin);
  driver.fire_due(at(1s));
  const Waker waker = noop_waker();
  Context cx(waker);
  Poll<std::optional<int>> result = timeout_at(driver, Immediately(3), at(10ms)).poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value(), 3);
}

// Pending for ever, keeping no waker; void.
struct PendingVoid {
  using Output = void;
  Poll<void> poll(Context& /*cx*/) { return pending; }
};

TEST(Timeout, AVoidFutureAnswersWhetherItFinished) {
  TimerDriver driver(kOrigin);
  const Waker waker = noop_waker();
  Context cx(waker);
  auto finishes = timeout_at(driver, yield_now(), at(10ms));
  EXPECT_TRUE(finishes.poll(cx).is_pending());
  Poll<bool> finished = finishes.poll(cx);
  ASSERT_TRUE(finished.is_ready());
  EXPECT_TRUE(finished.value());
  auto never = timeout_at(driver, PendingVoid{}, at(10ms));
  EXPECT_TRUE(never.poll(cx).is_pending());
  driver.fire_due(at(10ms));
  Poll<bool> timed_out = never.poll(cx);
  ASSERT_TRUE(timed_out.is_ready());
  EXPECT_FALSE(timed_out.value());
}

// Spends a token on every poll (as a loop over ready items would) and stays
// Pending.
struct EmptiesTheBudget {
  using Output = int;
  Poll<int> poll(Context& cx) {
    TokenGuard token = take_token(cx);
    if (token)
      token.made_progress();
    return pending;
  }
};

TEST(TimeoutBudget, TheTimeIsUpEvenIfTheInnerFutureSpendsEveryToken) {
  TimerDriver driver(kOrigin);
  auto timed = timeout_at(driver, EmptiesTheBudget{}, at(10ms));
  const Waker waker = noop_waker();
  {
    Budget budget(1);
    Context cx(waker, budget);
    EXPECT_TRUE(timed.poll(cx).is_pending());
  }
  driver.fire_due(at(10ms));
  Budget budget(1);
  Context cx(waker, budget);
  Poll<std::optional<int>> result = timed.poll(cx);
  ASSERT_TRUE(result.is_ready()) << "the inner future's spending hid the time-up";
  EXPECT_EQ(result.value(), std::nullopt);
}

TEST(TimeoutBudget, TimeUpWithAnEmptyBucketIsPendingAndWakes) {
  TimerDriver driver(kOrigin);
  driver.fire_due(at(1s));
  CountingWaker counter;
  const Waker waker = counter.waker();
  Budget budget(1);
  Context cx(waker, budget);
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  auto timed = timeout_at(driver, PendingForever(destroyed), at(10ms));
  EXPECT_TRUE(sleep_until(driver, at(5ms)).poll(cx).is_ready());  // the token
  EXPECT_TRUE(timed.poll(cx).is_pending());
  EXPECT_EQ(counter.wakes(), 1);
  EXPECT_EQ(destroyed->load(), 0) << "answered Pending but dropped the inner future";
}

TEST(Interval, TicksOnScheduleAndSkipsMissedTicksKeepingThePhase) {
  TimerDriver driver(kOrigin);
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  Interval every(driver, at(0ms), 10ms);
  const auto tick = [&]() -> std::optional<Clock::time_point> {
    Poll<Clock::time_point> result = every.tick().poll(cx);
    if (result.is_pending())
      return std::nullopt;
    return result.value();
  };
  EXPECT_EQ(tick(), at(0ms)) << "the first tick is at the start";
  EXPECT_EQ(tick(), std::nullopt);
  driver.fire_due(at(10ms));
  EXPECT_EQ(tick(), at(10ms));
  // Busy until 35 ms: the ticks of 20 and 30 ms are missed.
  driver.fire_due(at(35ms));
  EXPECT_EQ(tick(), at(20ms)) << "the late tick is delivered once";
  EXPECT_EQ(tick(), std::nullopt) << "a missed tick came in a burst";
  driver.fire_due(at(39ms));
  EXPECT_EQ(tick(), std::nullopt);
  driver.fire_due(at(40ms));
  EXPECT_EQ(tick(), at(40ms)) << "the schedule's phase was lost";
}

TEST(Interval, AZeroPeriodIsRefused) {
  TimerDriver driver(kOrigin);
  EXPECT_THROW(Interval(driver, at(0ms), 0ms), std::invalid_argument);
  EXPECT_THROW(Interval(driver, at(0ms), -1ms), std::invalid_argument);
}

TEST(IntervalBudget, ASecondReadyTickInAPollOfOneTokenIsPendingAndWakes) {
  TimerDriver driver(kOrigin);
  Interval every(driver, at(0ms), 10ms);
  CountingWaker counter;
  const Waker waker = counter.waker();
  Budget budget(1);
  Context cx(waker, budget);
  EXPECT_TRUE(sleep_until(driver, at(0ms)).poll(cx).is_ready());  // the token
  EXPECT_TRUE(every.tick().poll(cx).is_pending());
  EXPECT_EQ(counter.wakes(), 1);
  Budget next(1);
  Context next_cx(waker, next);
  Poll<Clock::time_point> result = every.tick().poll(next_cx);
  ASSERT_TRUE(result.is_ready()) << "the refused tick was lost";
  EXPECT_EQ(result.value(), at(0ms));
}

// ------------------------------------------- on a runtime, driven by the test

// Waits until `count` timers are registered: the task has reached its wait.
bool until_pending(const TimerDriver& driver, std::size_t count) {
  return eventually([&] { return driver.pending() == count; });
}

TEST(TimerRuntime, ATaskOnAWorkerWaitsForTheFireFromAnotherThread) {
  TimerDriver driver(kOrigin);
  testing::HybridRuntime rr(2);
  auto handle = rr.runtime.spawn([](TimerDriver& timers) -> Task<int> {
    co_await sleep_until(timers, at(10ms));
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    std::optional<int> timed_out =
        co_await timeout_at(timers, PendingForever(destroyed), at(20ms));
    co_return timed_out.has_value() ? -1 : destroyed->load();
  }(driver));
  ASSERT_TRUE(until_pending(driver, 1));
  driver.fire_due(at(10ms));
  ASSERT_TRUE(until_pending(driver, 1));  // the timeout's timer, this time
  driver.fire_due(at(20ms));
  EXPECT_EQ(block_on(handle), 1) << "the inner future was not dropped at the time-up";
  EXPECT_EQ(driver.pending(), 0U);
}

TEST(FiberTimer, AFiberAwaitsASleepAndATimeout) {
  TimerDriver driver(kOrigin);
  testing::HybridRuntime rr(2);
  auto handle = rr.runtime.spawn(fiber([&driver] {
    art::await(sleep_until(driver, at(10ms)));
    auto destroyed = std::make_shared<std::atomic<int>>(0);
    const std::optional<int> timed_out =
        art::await(timeout_at(driver, PendingForever(destroyed), at(20ms)));
    return timed_out.has_value() ? -1 : destroyed->load();
  }));
  ASSERT_TRUE(until_pending(driver, 1));
  driver.fire_due(at(10ms));
  ASSERT_TRUE(until_pending(driver, 1));
  driver.fire_due(at(20ms));
  EXPECT_EQ(block_on(handle), 1);
}

}  // namespace
}  // namespace art
