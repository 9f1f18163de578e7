#include "art/timer_future.hpp"

#include <mutex>

#include "art/budget.hpp"

namespace art {

// ANCHOR: timer_poll
Poll<void> TimerFuture::poll(Context& cx) {
  TokenGuard token = take_token(cx);
  if (!token)
    return pending;  // the budget is spent: its refusal woke the task
  {
    std::lock_guard lock(state_->mutex);
    if (state_->fired || Clock::now() >= deadline_) {
      state_->waker.reset();  // nothing left to wake: let go of it now
      token.made_progress();
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
}
// ANCHOR_END: timer_poll

}  // namespace art
