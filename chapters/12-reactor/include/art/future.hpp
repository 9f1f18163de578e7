// future.hpp: what counts as a future.
//
// A future is any type that names its result type `Output` and has
// `Poll<Output> poll(Context&)`. It is a concept, not a base class: block_on
// and, later, the executor are templates over the future's type, so polling a
// future is a direct (inlinable) call. Type erasure comes only where a
// runtime must store futures of different types side by side (chapter 04).
//
// The contract every future keeps:
//   * poll never blocks; it does a bit of work and answers Ready or Pending.
//   * Before answering Pending it arranges for cx.waker() (or a copy of it)
//     to be woken when polling again can make progress. A future that
//     returns Pending without that arrangement is never polled again.
//   * After answering Ready it is not polled again.
#pragma once

#include <concepts>

#include "art/context.hpp"
#include "art/poll.hpp"

namespace art {

// ANCHOR: concept
template <class F>
concept Future = requires(F& future, Context& cx) {
  typename F::Output;
  { future.poll(cx) } -> std::same_as<Poll<typename F::Output>>;
};
// ANCHOR_END: concept

}  // namespace art
