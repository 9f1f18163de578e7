// countdown_future.hpp: a future that needs several polls.
//
// CountdownFuture(n) answers Pending n times and Ready on poll n + 1. It does
// no real waiting: each time it answers Pending it wakes its own waker first,
// saying "poll me again straight away". That is the smallest honest future:
// it keeps the contract (whoever gets Pending will be woken) and shows that a
// wake may come before the Pending it belongs to, which block_on must not
// lose. Chapter 04 uses the same trick for yield_now().
#pragma once

#include "art/context.hpp"
#include "art/poll.hpp"

namespace art {

// ANCHOR: countdown
class CountdownFuture {
 public:
  using Output = void;

  explicit CountdownFuture(int pending_polls) : remaining_(pending_polls) {}

  Poll<void> poll(Context& cx);

  int remaining() const { return remaining_; }

 private:
  int remaining_;
};
// ANCHOR_END: countdown

}  // namespace art
