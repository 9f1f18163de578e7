#include "art/timer_future.hpp"

#include <mutex>

namespace art {

// ANCHOR: timer_poll
Poll<void> TimerFuture::poll(Context& cx) {
  // EXERCISE 2.1: be Ready after the deadline; until then keep the newest waker
  // HINT: under state_->mutex: if fired (or Clock::now() >= deadline_) return
  // ready; otherwise replace state_->waker with cx.waker() unless it will_wake
  // the same task. Schedule with TimerThread::global() only on the first
  // Pending, outside the lock, and return pending
  {
    std::lock_guard lock(state_->mutex);
    if (state_->fired || Clock::now() >= deadline_) {
      state_->waker.reset();  // nothing left to wake: let go of it now
      return ready;
    }
    if (!state_->waker.will_wake(cx.waker())) {
      state_->waker = cx.waker();
    }
  }
  if (!scheduled_) {
    scheduled_ = true;
    TimerThread::global().schedule(deadline_, state_);
  }
  return pending;
  // END EXERCISE
}
// ANCHOR_END: timer_poll

}  // namespace art
