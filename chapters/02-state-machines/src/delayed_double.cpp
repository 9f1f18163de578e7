#include "art/delayed_double.hpp"

#include <stdexcept>

namespace art {

// ANCHOR: delayed_double_poll
Poll<int> DelayedDouble::poll(Context& cx) {
  // EXERCISE 2.4: run the function from the state it stopped in to its next await
  // HINT: a switch on state_. AwaitingInput: poll input_; Pending -> return
  // pending; Ready -> keep the value in x_, destroy input_, create timer_ and
  // fall through to Sleeping. Sleeping: poll timer_; Ready -> destroy it,
  // state_ = Done, return 2 * x_. Done: throw std::logic_error
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
