// context.hpp: what a future is given when it is polled.
//
// A Context carries the Waker of whoever polls, and, from chapter 11, the
// poll's cooperative budget (budget.hpp). It is a class of its own, not a
// bare Waker parameter, so that a poll can be handed more without changing
// every future's signature. Both are only lent: the Context refers to them,
// and they belong to whoever polls.
#pragma once

#include "art/waker.hpp"

namespace art {

class Budget;

// ANCHOR: context
class Context {
 public:
  // No budget: the futures polled with it never run out of tokens.
  explicit Context(const Waker& waker) : waker_(waker) {}
  Context(const Waker& waker, Budget& budget) : waker_(waker), budget_(&budget) {}
  // A Context only refers to its waker: one made from a temporary would
  // dangle as soon as the statement ends (`Context cx(noop_waker());`).
  // Keep the waker in a variable that outlives the Context.
  explicit Context(Waker&&) = delete;
  Context(Waker&&, Budget&) = delete;

  // The waker to keep (by copying it) if the poll returns Pending.
  const Waker& waker() const { return waker_; }
  // The tokens left for this poll, or nullptr: unconstrained.
  Budget* budget() const { return budget_; }
  // This Context with `budget` in its place; everything else is kept.
  Context with_budget(Budget* budget) const {
    Context copy(*this);
    copy.budget_ = budget;
    return copy;
  }

 private:
  const Waker& waker_;
  Budget* budget_ = nullptr;
};
// ANCHOR_END: context

}  // namespace art
