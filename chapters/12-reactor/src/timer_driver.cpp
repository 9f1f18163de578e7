#include "art/timer_driver.hpp"

#include <algorithm>
#include <climits>
#include <utility>

namespace art {

namespace {
using Milliseconds = std::chrono::milliseconds;
}  // namespace

TimerDriver::TimerDriver(Clock::time_point origin) : origin_(origin) {}

void TimerDriver::set_wake_callback(std::function<void()> callback) {
  wake_callback_ = std::move(callback);
}

// ANCHOR: ticks
// A deadline is rounded up to the next whole millisecond, and a time given
// to fire_due down: a timer fires at its deadline or after it, never before.
std::uint64_t TimerDriver::tick_at_or_after(Clock::time_point time) const {
  if (time <= origin_)
    return 0;
  return static_cast<std::uint64_t>(
      std::chrono::ceil<Milliseconds>(time - origin_).count());
}

std::uint64_t TimerDriver::tick_at_or_before(Clock::time_point time) const {
  if (time <= origin_)
    return 0;
  return static_cast<std::uint64_t>(
      std::chrono::floor<Milliseconds>(time - origin_).count());
}
// ANCHOR_END: ticks

Clock::time_point TimerDriver::time_of(std::uint64_t tick) const {
  return origin_ + Milliseconds(static_cast<Milliseconds::rep>(tick));
}

// ANCHOR: register_timer
std::optional<TimerId> TimerDriver::register_timer(Clock::time_point deadline,
                                                   const Waker& waker) {
  bool earlier_than_reported = false;
  TimerId id;
  {
    std::lock_guard lock(mutex_);
    if (tick_at_or_after(deadline) <= wheel_.elapsed())
      return std::nullopt;  // passed already by the driver's clock: Ready now
    // The waker table grows with the wheel's slab, before the insert, so
    // that a failed allocation leaves no entry without its waker.
    if (wakers_.size() <= wheel_.capacity())
      wakers_.resize(wheel_.capacity() + 1);
    id = wheel_.insert(tick_at_or_after(deadline));
    wakers_[id.index] = waker;  // a clone: a reference count, no task code
    const std::uint64_t earliest = *wheel_.next_expiration();
    if (earliest < reported_) {
      reported_ = earliest;  // once per new earliest slot, not per timer
      earlier_than_reported = true;
    }
  }
  if (earlier_than_reported && wake_callback_)
    wake_callback_();  // the reactor sleeps too long: it must look again
  return id;
}
// ANCHOR_END: register_timer

// ANCHOR: update_and_cancel
bool TimerDriver::update_waker(TimerId id, const Waker& waker) {
  Waker replaced;  // dropped after unlocking
  {
    std::lock_guard lock(mutex_);
    if (!wheel_.contains(id))
      return false;  // fired: fire_due took (and woke) the waker
    Waker& kept = wakers_[id.index];
    if (!kept.will_wake(waker))
      replaced = std::exchange(kept, waker);
  }
  return true;
}

bool TimerDriver::cancel(TimerId id) {
  Waker dropped;  // dropped after unlocking
  {
    std::lock_guard lock(mutex_);
    if (!wheel_.cancel(id))
      return false;  // fired or cancelled already: the entry is not ours
    dropped = std::move(wakers_[id.index]);
  }
  return true;
}
// ANCHOR_END: update_and_cancel

// ANCHOR: next_timeout
int TimerDriver::next_timeout(Clock::time_point now) {
  std::optional<std::uint64_t> earliest;
  {
    std::lock_guard lock(mutex_);
    earliest = wheel_.next_expiration();
    reported_ = earliest.value_or(kNothingReported);
  }
  if (!earliest)
    return -1;
  const Clock::time_point when = time_of(*earliest);
  if (when <= now)
    return 0;
  const auto wait = std::chrono::ceil<Milliseconds>(when - now).count();
  return static_cast<int>(std::min<Milliseconds::rep>(wait, INT_MAX));
}
// ANCHOR_END: next_timeout

// ANCHOR: fire_due
std::size_t TimerDriver::fire_due(Clock::time_point now) {
  const std::uint64_t tick = tick_at_or_before(now);
  std::size_t woken = 0;
  for (;;) {
    std::array<Waker, kFireBatch> batch;
    const std::size_t taken = fire_batch(tick, batch);
    for (std::size_t i = 0; i < taken; ++i)
      std::move(batch[i]).wake();  // unlocked: a wake runs the waker's code
    woken += taken;
    if (taken < kFireBatch)
      return woken;
  }
}

// Removes up to a batch of due timers from the wheel and takes their wakers:
// from here on a cancel finds them gone.
std::size_t TimerDriver::fire_batch(std::uint64_t tick,
                                    std::array<Waker, kFireBatch>& batch) {
  std::lock_guard lock(mutex_);
  std::size_t taken = 0;
  while (taken < kFireBatch) {
    const std::optional<TimerId> id = wheel_.pop_expired(tick);
    if (!id)
      break;
    batch[taken++] = std::move(wakers_[id->index]);
  }
  return taken;
}
// ANCHOR_END: fire_due

Clock::time_point TimerDriver::now() const {
  std::lock_guard lock(mutex_);
  return time_of(wheel_.elapsed());
}

std::size_t TimerDriver::pending() const {
  std::lock_guard lock(mutex_);
  return wheel_.size();
}

std::size_t TimerDriver::slab_size() const {
  std::lock_guard lock(mutex_);
  return wheel_.capacity();
}

}  // namespace art
