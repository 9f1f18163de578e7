// then.hpp: then(first, fn) runs first, then the future fn makes of its output.
//
// Sequencing is where a future first needs states of its own: before the
// first future is done there is no second one to poll, and after it is done
// the first one should be gone. The states are the alternatives of a
// std::variant, so only the live future takes up room, and a move to the
// next state destroys the previous one:
//
//     RunningFirst --first Ready, fn(value)--> RunningSecond --Ready--> Done
//
// This is the shape every async function has, one state per await; chapter
// 03's coroutines are the compiler writing it for us.
#pragma once

#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "art/call_with_output.hpp"
#include "art/context.hpp"
#include "art/future.hpp"
#include "art/poll.hpp"

namespace art {

// ANCHOR: then
template <Future First, class Fn>
class Then {
 public:
  using Second = CallResult<Fn&, typename First::Output>;
  static_assert(Future<Second>, "then's function must return a future");
  using Output = typename Second::Output;

  Then(First first, Fn fn)
      : state_(std::in_place_index<0>, std::move(first)),  // starts in RunningFirst
        fn_(std::move(fn)) {}

  Poll<Output> poll(Context& cx) {
    if (auto* first = std::get_if<0>(&state_)) {
      auto result = first->poll(cx);
      if (result.is_pending())
        return pending;
      // Calls fn (the first future still alive), then replaces the first with its result.
      state_.template emplace<1>(call_with_output(fn_, std::move(result)));
    }
    auto* second = std::get_if<1>(&state_);
    if (second == nullptr)
      throw std::logic_error("then() polled after it returned Ready");
    auto result = second->poll(cx);
    if (result.is_ready())
      state_.template emplace<2>();
    return result;
  }
  // ANCHOR_END: then

 private:
  // ANCHOR: then_state
  std::variant<First, Second, std::monostate> state_;  // running first, second, done
  Fn fn_;
  // ANCHOR_END: then_state
};

template <Future First, class Fn>
Then<First, Fn> then(First first, Fn fn) {
  return Then<First, Fn>(std::move(first), std::move(fn));
}

}  // namespace art
