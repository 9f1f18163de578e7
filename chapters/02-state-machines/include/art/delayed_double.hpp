// delayed_double.hpp: an async function, desugared by hand.
//
// With the coroutines of chapter 03, this function would read:
//
//     Task<int> delayed_double(ManualFuture<int> input, Clock::duration delay) {
//       int x = co_await input;        // suspension point 1
//       co_await TimerFuture(delay);   // suspension point 2
//       co_return 2 * x;
//     }
//
// A future cannot block at an await, so the function must be able to stop
// there and pick up again on the next poll. DelayedDouble is that function
// turned inside out: one state per suspension point, the futures being
// awaited kept alive between polls, and `x`, the one local variable that
// lives across an await, promoted to a member. This is exactly the object
// a C++ compiler builds for a coroutine (its "frame"); chapter 03 compares
// the two sizes.
#pragma once

#include <optional>

#include "art/context.hpp"
#include "art/manual_future.hpp"
#include "art/poll.hpp"
#include "art/timer_future.hpp"

namespace art {

// ANCHOR: delayed_double
class DelayedDouble {
 public:
  using Output = int;
  enum class State { AwaitingInput, Sleeping, Done };

  DelayedDouble(ManualFuture<int> input, Clock::duration delay)
      : input_(std::move(input)), delay_(delay) {}

  Poll<int> poll(Context& cx);
  State state() const { return state_; }
  // What the machine still holds: each awaited future lives only in its state.
  bool holds_input() const { return input_.has_value(); }
  bool holds_timer() const { return timer_.has_value(); }

 private:
  State state_ = State::AwaitingInput;
  std::optional<ManualFuture<int>> input_;  // live in AwaitingInput
  std::optional<TimerFuture> timer_;        // live in Sleeping
  Clock::duration delay_;                   // an argument, kept until it is used
  int x_ = 0;                               // a local that lives across an await
};
// ANCHOR_END: delayed_double

}  // namespace art
