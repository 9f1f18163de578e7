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

bool FiberContext::unwinding() const {
  return std::uncaught_exceptions() != poller_uncaught_;
}
// ANCHOR_END: own_catch_block

// ANCHOR: switches
void FiberContext::resume(boost::context::fiber& fiber, Context* cx) {
  // Null unless the poll runs inside a catch block (block_on in a handler).
  poller_exception_ = std::current_exception();
  poller_uncaught_ = std::uncaught_exceptions();
  cx_ = cx;
  FiberContext* const previous = std::exchange(current_fiber, this);
  sanitizer_.before_switch_in();
  fiber = std::move(fiber).resume();
  sanitizer_.after_switch_back();
  current_fiber = previous;
  cx_ = nullptr;
  poller_exception_ = nullptr;  // not kept alive by a suspended fiber
}
// ANCHOR_END: switches

// ANCHOR: switches_back
void FiberContext::suspend() {
  sanitizer_.before_switch_out(false);
  caller_ = std::move(caller_).resume();
  sanitizer_.arrived_in_fiber();
}

void FiberContext::cancel(boost::context::fiber& fiber) {
  cancelled_ = true;
  resume(fiber, nullptr);  // art::await throws FiberCancelled in the fiber
}
// ANCHOR_END: switches_back

}  // namespace art
