#include "art/sleep.hpp"

namespace art {

Sleep::Sleep(Sleep&& other) noexcept
    : driver_(other.driver_),
      deadline_(other.deadline_),
      timer_(std::exchange(other.timer_, std::nullopt)),
      fired_(other.fired_) {}

Sleep& Sleep::operator=(Sleep&& other) noexcept {
  if (this != &other) {
    cancel();  // the entry this Sleep had is not needed any more
    driver_ = other.driver_;
    deadline_ = other.deadline_;
    timer_ = std::exchange(other.timer_, std::nullopt);
    fired_ = other.fired_;
  }
  return *this;
}

void Sleep::cancel() noexcept {
  if (timer_)
    driver_->cancel(*std::exchange(timer_, std::nullopt));
}

// ANCHOR: sleep_poll
Poll<void> Sleep::poll(Context& cx) {
  TokenGuard token = take_token(cx);
  if (!token)
    return pending;  // the budget is spent: its refusal woke the task
  if (!reached_deadline(cx))
    return pending;  // the driver keeps the newest waker
  token.made_progress();
  return ready;
}

bool Sleep::reached_deadline(Context& cx) {
  if (fired_)
    return true;
  if (!timer_) {
    timer_ = driver_->register_timer(deadline_, cx.waker());
    fired_ = !timer_;  // not registered: the deadline had passed already
  } else if (!driver_->update_waker(*timer_, cx.waker())) {
    timer_.reset();  // fired: the entry is freed, and may serve another timer
    fired_ = true;
  }
  return fired_;
}
// ANCHOR_END: sleep_poll

// ANCHOR: interval_poll
Interval::Interval(TimerDriver& driver, Clock::time_point start, Clock::duration period)
    : period_(period), sleep_(driver, start) {
  if (period <= Clock::duration::zero())
    throw std::invalid_argument(
        "art::interval: the period must be longer than zero (for a loop that "
        "runs as often as it can, use art::yield_now)");
}

Poll<Clock::time_point> IntervalTick::poll(Context& cx) {
  return interval_->poll_tick(cx);
}

Poll<Clock::time_point> Interval::poll_tick(Context& cx) {
  if (sleep_.poll(cx).is_pending())
    return pending;  // the sleep spent the token, or gave it back
  const Clock::time_point tick = sleep_.deadline();
  sleep_ = Sleep(sleep_.driver(), next_after(tick));
  return tick;
}

// The next tick of the schedule after the driver's clock: ticks missed
// while nobody was waiting are skipped, and the phase is kept.
Clock::time_point Interval::next_after(Clock::time_point tick) const {
  const Clock::time_point now = sleep_.driver().now();
  Clock::time_point next = tick + period_;
  if (next <= now)
    next += ((now - next) / period_ + 1) * period_;
  return next;
}
// ANCHOR_END: interval_poll

}  // namespace art
