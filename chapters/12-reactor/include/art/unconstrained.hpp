// unconstrained.hpp: opting a future out of the cooperative budget.
//
//     co_await art::unconstrained(rx.recv());   // never forced to yield
//
// The contract of unconstrained(f): no leaf inside `f` is ever refused, and
// none spends a token of the task's; leaves polled beside it, outside the
// wrapper, spend as before. However many ready leaves `f` runs through in
// one poll, the task's bucket comes out of it as it went in. Everything
// else the poll lends (the waker above all) reaches `f` as it is: a leaf
// inside that waits must still be woken.
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
    Context free = cx.with_budget(nullptr);  // no budget at all; the same waker
    return inner_.poll(free);
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
