// map.hpp: map(future, fn) is a future of fn applied to the future's output.
//
// The smallest combinator: a future that wraps another, forwards every poll
// (and with it the waker) and transforms the value on the way out. It waits
// for nothing itself, so it never needs a waker of its own: the inner future
// already arranged the wake-up when it answered Pending.
#pragma once

#include <type_traits>
#include <utility>

#include "art/call_with_output.hpp"
#include "art/context.hpp"
#include "art/future.hpp"
#include "art/poll.hpp"

namespace art {

// ANCHOR: map
template <Future F, class Fn>
class Map {
 public:
  using Output = CallResult<Fn&, typename F::Output>;

  Map(F inner, Fn fn) : inner_(std::move(inner)), fn_(std::move(fn)) {}

  Poll<Output> poll(Context& cx) {
    auto result = inner_.poll(cx);
    if (result.is_pending())
      return pending;
    return apply([&] { return call_with_output(fn_, std::move(result)); });
  }
  // ANCHOR_END: map

 private:
  // ANCHOR: map_apply
  template <class Call>
  static Poll<Output> apply(Call call) {
    if constexpr (std::is_void_v<Output>) {
      call();
      return ready;
    } else {
      return call();
    }
  }

  F inner_;
  Fn fn_;
};

template <Future F, class Fn>
Map<F, Fn> map(F future, Fn fn) {
  return Map<F, Fn>(std::move(future), std::move(fn));
}
// ANCHOR_END: map_apply

}  // namespace art
