#include "art/delayed_double.hpp"

#include <stdexcept>

namespace art {

// ANCHOR: delayed_double_poll
Poll<int> DelayedDouble::poll(Context& cx) {
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
}
// ANCHOR_END: delayed_double_poll

}  // namespace art
