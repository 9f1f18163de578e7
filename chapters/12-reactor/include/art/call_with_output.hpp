// call_with_output.hpp: call a function with what a Ready poll carries.
//
// Combinators hand a finished future's output to a user function: fn(value),
// or fn() when the future produces nothing. Writing that `if constexpr`
// once here keeps map and then about their own idea.
#pragma once

#include <functional>
#include <type_traits>
#include <utility>

#include "art/poll.hpp"

namespace art {

namespace detail {
template <class Fn, class T>
struct CallResult {
  using type = std::invoke_result_t<Fn, T>;
};
template <class Fn>
struct CallResult<Fn, void> {
  using type = std::invoke_result_t<Fn>;
};
}  // namespace detail

// The type fn returns when called with a T (with nothing, for void).
template <class Fn, class T>
using CallResult = typename detail::CallResult<Fn, T>::type;

// ANCHOR: call_with_output
template <class Fn, class T>
CallResult<Fn&, T> call_with_output(Fn& fn, Poll<T>&& ready) {
  if constexpr (std::is_void_v<T>) {
    return std::invoke(fn);
  } else {
    return std::invoke(fn, std::move(ready).value());
  }
}
// ANCHOR_END: call_with_output

}  // namespace art
