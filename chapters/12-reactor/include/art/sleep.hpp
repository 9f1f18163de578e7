// sleep.hpp: the timer futures: sleep, sleep_until, timeout and interval.
//
// All of them wait on a TimerDriver (timer_driver.hpp), the one the reactor
// drives (current_timer_driver()), or one given to their constructor, which
// must outlive them.
//
//   co_await art::sleep(50ms);                       // Ready 50 ms later
//   co_await art::sleep_until(deadline);
//   std::optional<int> n = co_await art::timeout(read_number(), 1s);
//   art::Interval every(art::interval(100ms));
//   for (;;) { co_await every.tick(); ... }           // every 100 ms
//
// Each is a leaf that spends a token of the poll's budget when it answers
// Ready (budget.hpp), so a loop over timers that are already due still gives
// its worker back. Each is a Future, so it works with co_await in a Task and
// with art::await in a fiber.
//
// A Sleep holds no link that the driver points at, only the TimerId of its
// entry in the driver's slab: it can be moved between polls. Its first poll
// registers the timer with the poll's waker; later polls replace the waker
// if it changed (the newest waker, as chapter 02's TimerFuture taught);
// destroying a Sleep that has not fired cancels its entry. A Sleep whose
// deadline has passed by the driver's clock is Ready on its first poll,
// without a turn of the reactor.
//
// timeout(future, duration) answers std::optional<T>: the future's value if
// it was ready first, nullopt if the time was up first (for a void future,
// a bool: true if it finished). The inner future is polled first, so a
// future that is ready when the time is up still wins; when the time is up
// the inner future is destroyed at once, not when the Timeout is (dropping
// a future is how cancellation works here, and whatever it holds, a socket,
// a buffer, should be let go). An optional rather than an exception: a
// timeout is an expected outcome that the caller must decide about, and the
// type says so.
//
// interval(period) ticks at start, start + period, start + 2 * period... A
// tick that was missed (the task was busy past the next one) is skipped:
// the next tick is the first one of the original schedule after the time
// the late tick was seen (tokio calls it MissedTickBehavior::Skip). Burst
// (fire every missed tick at once) pushes more work onto a program that is
// already late, the cause of the lateness; Delay (restart the schedule
// from the late tick) drifts it for ever. Skip keeps the phase (a tick on
// every whole second stays on whole seconds) and sheds what is missed.
#pragma once

#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "art/budget.hpp"
#include "art/context.hpp"
#include "art/future.hpp"
#include "art/poll.hpp"
#include "art/timer_driver.hpp"

namespace art {

// ANCHOR: sleep
class [[nodiscard]] Sleep {
 public:
  using Output = void;

  Sleep(TimerDriver& driver, Clock::time_point deadline)
      : driver_(&driver), deadline_(deadline) {}
  Sleep(Sleep&& other) noexcept;
  Sleep& operator=(Sleep&& other) noexcept;
  ~Sleep() { cancel(); }

  Poll<void> poll(Context& cx);

  Clock::time_point deadline() const { return deadline_; }
  TimerDriver& driver() const { return *driver_; }

 private:
  bool reached_deadline(Context& cx);  // registers or updates; true if fired
  void cancel() noexcept;

  TimerDriver* driver_;
  Clock::time_point deadline_;
  std::optional<TimerId> timer_;  // the entry, while one is registered
  bool fired_ = false;
};

inline Sleep sleep_until(TimerDriver& driver, Clock::time_point deadline) {
  return Sleep(driver, deadline);
}
// Now + duration, or the clock's end of time for a duration that would
// overflow it (a "forever" passed as duration::max()).
inline Clock::time_point deadline_after(Clock::duration duration) {
  const Clock::time_point now = Clock::now();
  if (duration > Clock::time_point::max() - now)
    return Clock::time_point::max();
  return now + duration;
}

inline Sleep sleep(TimerDriver& driver, Clock::duration duration) {
  return Sleep(driver, deadline_after(duration));
}
inline Sleep sleep_until(Clock::time_point deadline) {
  return Sleep(current_timer_driver(), deadline);
}
inline Sleep sleep(Clock::duration duration) {
  return sleep(current_timer_driver(), duration);
}
// ANCHOR_END: sleep

// ANCHOR: timeout
// std::optional<T> of the inner future's output; bool for a void future.
template <class T>
using TimeoutOutput = std::conditional_t<std::is_void_v<T>, bool, std::optional<T>>;

template <Future F>
class [[nodiscard]] Timeout {
 public:
  using Output = TimeoutOutput<typename F::Output>;

  Timeout(F inner, Sleep deadline)
      : inner_(std::move(inner)), sleep_(std::move(deadline)) {}

  Poll<Output> poll(Context& cx);

 private:
  Output finished(Poll<typename F::Output> result);
  void finish();
  Poll<void> poll_deadline(Context& cx, bool inner_spent_the_budget);

  std::optional<F> inner_;  // engaged until the timeout answers Ready
  Sleep sleep_;
};
// ANCHOR_END: timeout

// ANCHOR: timeout_poll
template <Future F>
auto Timeout<F>::poll(Context& cx) -> Poll<Output> {
  if (!inner_)
    throw std::logic_error("art::timeout polled after it returned Ready");
  const bool had_budget = cx.budget() == nullptr || cx.budget()->remaining() > 0;
  if (auto result = inner_->poll(cx); result.is_ready())
    return finished(std::move(result));
  const bool spent =
      had_budget && cx.budget() != nullptr && cx.budget()->remaining() == 0;
  if (poll_deadline(cx, spent).is_pending())
    return pending;
  finish();  // the time is up: the inner future is dropped now
  if constexpr (std::is_void_v<typename F::Output>)
    return Output(false);
  else
    return Output(std::nullopt);
}

// If the inner future spent the last token, the deadline is looked at
// without the budget: an inner future that empties the bucket on every poll
// would otherwise keep the time from ever being up.
template <Future F>
Poll<void> Timeout<F>::poll_deadline(Context& cx, bool inner_spent_the_budget) {
  if (!inner_spent_the_budget)
    return sleep_.poll(cx);
  Context unbudgeted = cx.with_budget(nullptr);
  return sleep_.poll(unbudgeted);
}
// ANCHOR_END: timeout_poll

template <Future F>
auto Timeout<F>::finished(Poll<typename F::Output> result) -> Output {
  if constexpr (std::is_void_v<typename F::Output>) {
    finish();
    return true;
  } else {
    Output value(std::move(result).value());
    finish();
    return value;
  }
}

// The inner future and the timer's entry are let go as soon as the answer
// is known, not when the Timeout is destroyed.
template <Future F>
void Timeout<F>::finish() {
  inner_.reset();
  sleep_ = Sleep(sleep_.driver(), sleep_.deadline());  // cancels the entry
}

template <Future F>
Timeout<F> timeout_at(TimerDriver& driver, F inner, Clock::time_point deadline) {
  return Timeout<F>(std::move(inner), Sleep(driver, deadline));
}
template <Future F>
Timeout<F> timeout(TimerDriver& driver, F inner, Clock::duration duration) {
  return timeout_at(driver, std::move(inner), deadline_after(duration));
}
template <Future F>
Timeout<F> timeout(F inner, Clock::duration duration) {
  return timeout(current_timer_driver(), std::move(inner), duration);
}

// ANCHOR: interval
class Interval;

// One tick of an Interval: Ready with the time the tick was scheduled for.
// Refers to its Interval, which must stay where it is until the tick is done.
class [[nodiscard]] IntervalTick {
 public:
  using Output = Clock::time_point;
  explicit IntervalTick(Interval& interval) : interval_(&interval) {}
  Poll<Clock::time_point> poll(Context& cx);

 private:
  Interval* interval_;
};

class Interval {
 public:
  // Ticks at `start`, then every `period`; a zero or negative period is
  // refused.
  Interval(TimerDriver& driver, Clock::time_point start, Clock::duration period);

  IntervalTick tick() { return IntervalTick(*this); }
  Clock::duration period() const { return period_; }

 private:
  friend class IntervalTick;
  Poll<Clock::time_point> poll_tick(Context& cx);
  Clock::time_point next_after(Clock::time_point tick) const;

  Clock::duration period_;
  Sleep sleep_;  // until the next tick
};

inline Interval interval(TimerDriver& driver, Clock::duration period) {
  return Interval(driver, Clock::now(), period);
}
inline Interval interval(Clock::duration period) {
  return interval(current_timer_driver(), period);
}
// ANCHOR_END: interval

}  // namespace art
