// unconstrained.hpp: opting a future out of the cooperative budget.
//
//     co_await art::unconstrained(rx.recv());   // never forced to yield
//
// unconstrained(f) is a future that polls `f` with the Context it was given,
// minus the budget: every leaf inside `f` then proceeds without a token, and
// spends none of the task's. Leaves polled beside it, outside the wrapper,
// still spend as before. The waker, and anything else the Context carries,
// passes through unchanged.
//
// It is for code that yields on its own terms (a loop that must drain a
// queue in one go, a benchmark of the budget's cost) and for showing what a
// task without a budget does to its neighbours, which is what chapter 11's
// demo and starvation experiment do. A task that is unconstrained and never
// waits holds its worker again; the budget cannot help it.
#pragma once

#include <type_traits>
#include <utility>

#include "art/context.hpp"
#include "art/future.hpp"
#include "art/poll.hpp"

namespace art {

// ANCHOR: unconstrained
template <Future F>
class Unconstrained {
 public:
  using Output = typename F::Output;

  explicit Unconstrained(F inner) : inner_(std::move(inner)) {}

  Poll<Output> poll(Context& cx) {
    // EXERCISE 11.3: poll the inner future with no budget, and nothing else changed
    // HINT: the budget reaches a leaf only through the Context it is
    // polled with, and a Context without one is unconstrained. Whatever
    // else the Context carries (the waker above all) must reach the inner
    // future as it is, and the task's own budget must come out untouched.
    // HINT 2: the Context can make a copy of itself with another budget.
    Context free = cx.with_budget(nullptr);
    return inner_.poll(free);
    // END EXERCISE
  }

 private:
  F inner_;
};

template <class F>
requires Future<std::decay_t<F>> Unconstrained<std::decay_t<F>> unconstrained(
    F&& future) {
  return Unconstrained<std::decay_t<F>>(std::forward<F>(future));
}
// ANCHOR_END: unconstrained

}  // namespace art
