// race.hpp: race(a, b) finishes with whichever future is ready first.
//
// The output says who won: a std::variant whose index 0 holds a's value and
// index 1 holds b's (std::monostate for a void future). The loser is
// destroyed as soon as the winner is known, not when the race itself is
// destroyed: dropping a future is how cancellation works in a poll-based
// design, and whatever the loser holds (a timer registration, a socket, a
// buffer) should be released at once.
//
// race is biased: a is polled first, so if both are ready on the same poll,
// a wins. tokio's select! picks a random branch first by default to avoid
// starving the second one, and offers `biased;` for this ordered behaviour.
#pragma once

#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "art/context.hpp"
#include "art/future.hpp"
#include "art/poll.hpp"

namespace art {

// The value a void future contributes to a variant.
template <class T>
using ValueOrMonostate = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// ANCHOR: race
template <Future A, Future B>
class Race {
 public:
  using ValueA = ValueOrMonostate<typename A::Output>;
  using ValueB = ValueOrMonostate<typename B::Output>;
  using Output = std::variant<ValueA, ValueB>;

  Race(A a, B b) : a_(std::move(a)), b_(std::move(b)) {}

  Poll<Output> poll(Context& cx);

  bool finished() const { return !a_ && !b_; }

 private:
  template <std::size_t Index, class Result>
  Output finish(Result result);

  std::optional<A> a_;  // both engaged until the race is decided
  std::optional<B> b_;
};
// ANCHOR_END: race

// ANCHOR: race_poll
template <Future A, Future B>
auto Race<A, B>::poll(Context& cx) -> Poll<Output> {
  if (finished())
    throw std::logic_error("race polled after it returned Ready");
  if (auto result = a_->poll(cx); result.is_ready())
    return finish<0>(std::move(result));
  if (auto result = b_->poll(cx); result.is_ready())
    return finish<1>(std::move(result));
  return pending;
}
// ANCHOR_END: race_poll

template <Future A, Future B>
template <std::size_t Index, class Result>
auto Race<A, B>::finish(Result result) -> Output {
  a_.reset();  // the loser (and the spent winner) are destroyed now
  b_.reset();
  if constexpr (std::is_same_v<Result, Poll<void>>) {
    return Output(std::in_place_index<Index>);
  } else {
    return Output(std::in_place_index<Index>, std::move(result).value());
  }
}

template <Future A, Future B>
Race<A, B> race(A a, B b) {
  return Race<A, B>(std::move(a), std::move(b));
}

}  // namespace art
