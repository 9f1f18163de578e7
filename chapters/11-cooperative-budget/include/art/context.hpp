// context.hpp: what a future is given when it is polled.
//
// For now a Context only carries the Waker of whoever polls. It is a class of
// its own, not a bare Waker parameter, so that later chapters can hand more to
// a poll without changing every future's signature: chapter 11 adds the
// cooperative budget here.
#pragma once

#include "art/waker.hpp"

namespace art {

// ANCHOR: context
class Context {
 public:
  explicit Context(const Waker& waker) : waker_(waker) {}
  // A Context only refers to its waker: one made from a temporary would
  // dangle as soon as the statement ends (`Context cx(noop_waker());`).
  // Keep the waker in a variable that outlives the Context.
  explicit Context(Waker&&) = delete;

  // The waker to keep (by copying it) if the poll returns Pending.
  const Waker& waker() const { return waker_; }

 private:
  const Waker& waker_;
};
// ANCHOR_END: context

}  // namespace art
