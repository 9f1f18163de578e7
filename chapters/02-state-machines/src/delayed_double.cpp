#include "art/delayed_double.hpp"

#include <stdexcept>

namespace art {

// ANCHOR: delayed_double_poll
Poll<int> DelayedDouble::poll(Context& cx) {
  // EXERCISE 2.4: run the function from the state it stopped in to its next await
  // HINT: one poll runs from the state it stopped in to the next real wait; answer
  // Pending only when something polled in this call answered Pending; each
  // awaited future lives exactly as long as its state
  // HINT 2: the timer is created when the input arrives, not before (its
  // deadline counts from then), and it must be polled in that same call, or
  // nobody holds our waker; a state that is left releases its future
  // HINT 3: a switch whose first case falls into the second; the third
  // case is an error
  switch (state_) {
    case State::AwaitingInput: {
      auto input = input_->poll(cx);
      if (input.is_pending())
        return pending;
      x_ = input.value();
      input_.reset();
      timer_.emplace(delay_);
      state_ = State::Sleeping;
      [[fallthrough]];  // poll the new timer now, so it registers our waker
    }
    case State::Sleeping: {
      if (timer_->poll(cx).is_pending())
        return pending;
      timer_.reset();
      state_ = State::Done;
      return 2 * x_;
    }
    case State::Done:
      break;
  }
  throw std::logic_error("DelayedDouble polled after it returned Ready");
  // END EXERCISE
}
// ANCHOR_END: delayed_double_poll

}  // namespace art
