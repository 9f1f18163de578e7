#include "art/fiber_context.hpp"

#include <exception>
#include <utility>

namespace art {

namespace {

thread_local FiberContext* current_fiber = nullptr;

}  // namespace

FiberContext* FiberContext::current() { return current_fiber; }

// ANCHOR: own_catch_block
// Inside a handler, std::current_exception() is the exception it handles.
// The poll that resumed the fiber may itself run inside a handler (a
// block_on in a catch block): that one is not the fiber's, and it is the
// same before and after any switch, so only a difference counts.
bool FiberContext::inside_own_catch_block() const {
  return std::current_exception() != poller_exception_;
}
// ANCHOR_END: own_catch_block

// ANCHOR: switches
void FiberContext::resume(boost::context::fiber& fiber, Context* cx) {
  // Null unless the poll runs inside a catch block (block_on in a handler).
  poller_exception_ = std::current_exception();
  // EXERCISE 6.1: switch into the fiber until it suspends or ends
  // HINT: while the fiber runs, everything it calls must be able to find
  // it (the current fiber) and the Context of this poll; once it is back,
  // this thread must look exactly as it did before, even when fibers nest.
  // HINT 2: a boost::context::fiber is consumed by resuming it, and the
  // switch hands back what to resume next time (empty once the fiber ended).
  // ASan must be told before the thread leaves its stack and after it
  // returns (SanitizerFiber).
  // HINT 3: whatever you change for the fiber's sake before the switch,
  // change back after it; the switch itself hands back the one new thing
  // worth keeping.
  cx_ = cx;
  FiberContext* const previous = std::exchange(current_fiber, this);
  sanitizer_.before_switch_in();
  fiber = std::move(fiber).resume();
  sanitizer_.after_switch_back();
  current_fiber = previous;
  cx_ = nullptr;
  // END EXERCISE
  poller_exception_ = nullptr;  // not kept alive by a suspended fiber
}
// ANCHOR_END: switches

// ANCHOR: switches_back
void FiberContext::suspend() {
  // EXERCISE 6.2: switch from the fiber back to the poll that resumed it
  // HINT: suspending is the mirror of resuming: the fiber switches to the
  // poll that resumed it. When the switch returns, a later poll has resumed
  // the fiber, and the way back to that poll is new.
  // HINT 2: the context the fiber switches to is consumed, and the switch
  // gives back a context that must replace it, or the next suspend (or the
  // fiber's end) has nowhere to go. Tell the sanitizer on both sides.
  // HINT 3: one switch, framed by the two sanitizer calls of this side.
  sanitizer_.before_switch_out(false);
  caller_ = std::move(caller_).resume();
  sanitizer_.arrived_in_fiber();
  // END EXERCISE
}

void FiberContext::cancel(boost::context::fiber& fiber) {
  cancelled_ = true;
  resume(fiber, nullptr);  // art::await throws FiberCancelled in the fiber
}
// ANCHOR_END: switches_back

}  // namespace art
