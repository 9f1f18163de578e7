// timer_future.hpp: a future that is ready once a duration has passed.
//
// TimerFuture is the first future in this book that waits for something
// outside itself, so it shows the whole contract at work: on each poll it
// checks whether the deadline has passed; if not, it leaves the newest waker
// where the timer thread will find it and answers Pending. The timer thread
// wakes that waker at the deadline, and the next poll answers Ready.
//
// "Newest" matters. The same future may be polled with different wakers over
// its life (a task that moves between executors or threads gets a new one),
// and only the waker from the latest poll is sure to reach whoever polls it
// now. Keeping the first one is a classic bug: the wake goes to the wrong
// place, and the future is never polled again.
//
// From chapter 11 on it is a leaf that spends the poll's budget: a timer
// that is already due (a zero delay, a loop that is behind its schedule)
// would otherwise answer Ready for ever without giving its worker back.
#pragma once

#include <memory>

#include "art/context.hpp"
#include "art/poll.hpp"
#include "art/timer_thread.hpp"

namespace art {

// ANCHOR: timer_future
class TimerFuture {
 public:
  using Output = void;

  explicit TimerFuture(Clock::duration delay)
      : deadline_(Clock::now() + delay), state_(std::make_shared<TimerState>()) {}

  Poll<void> poll(Context& cx);

 private:
  Clock::time_point deadline_;
  std::shared_ptr<TimerState> state_;  // shared (weakly) with the timer thread
  bool scheduled_ = false;
};
// ANCHOR_END: timer_future

}  // namespace art
