#include "art/timer_future.hpp"

#include <mutex>

namespace art {

// ANCHOR: timer_poll
Poll<void> TimerFuture::poll(Context& cx) {
  // EXERCISE 2.1: be Ready after the deadline; until then keep the newest waker
  // HINT: check the event and store the waker atomically (under the state's mutex,
  // which fire() also takes); the newest waker must be the one woken
  // HINT 2: the deadline may already have passed before the timer thread
  // ever heard of this timer; Waker::will_wake saves a clone when the waker
  // is the same; a ready timer keeps no waker; never hold the state's mutex
  // while you call into the timer thread
  // HINT 3: a locked block with an early Ready, then a one-time step outside
  // the lock, then Pending
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
