// fiber_context.hpp: what a running fiber task knows about its own poll.
//
// A stackful task is an ordinary function running on its own stack. The
// executor still polls it like any future: a poll *switches* to the fiber's
// stack, the function runs until it has to wait, and then it switches back.
// The poll returns Pending; the next poll switches in again, and the
// function continues from inside the call that was waiting, however deep in
// ordinary (non-coroutine) calls that was.
//
// FiberContext is the fiber's side of that conversation:
//
//   cx         the Context of the poll running the fiber now; art::await
//              polls futures with it, so their wakers wake the fiber's task
//   caller     where to switch back to: the poll that resumed the fiber
//   cancelled  set when the task is destroyed while the fiber is suspended
//   poller_exception  the exception the poll itself was handling, if any,
//              so that art::await can tell whether the fiber is inside a
//              catch block of its own (see inside_own_catch_block)
//
// current() is the fiber running on this thread, if any, which is how
// art::await finds the fiber it is called from without being passed it.
#pragma once

#include <exception>
#include <stdexcept>

#include <boost/context/fiber.hpp>

#include "art/context.hpp"
#include "art/sanitizer_fiber.hpp"

namespace art {

// Thrown out of art::await when the fiber's task is destroyed while the
// fiber waits, so that its stack unwinds (destructors run) through ordinary
// exception handling. Let it propagate: a fiber that catches it and waits
// again is cancelled again at once.
class FiberCancelled : public std::runtime_error {
 public:
  FiberCancelled() : std::runtime_error("fiber task cancelled while it waited") {}
};

// ANCHOR: fiber_context
class FiberContext {
 public:
  static FiberContext* current();

  Context& context() const { return *cx_; }
  bool cancelled() const { return cancelled_; }
  bool entered() const { return entered_; }  // the first switch in has happened

  // True inside a catch block that the fiber entered itself. The C++
  // runtime keeps the exceptions being handled per thread, not per stack,
  // so a switch out of such a block would hand this fiber's exception to
  // whatever runs next on the thread: art::await refuses it.
  bool inside_own_catch_block() const;
  // True while an exception unwinds through the fiber's stack (art::await
  // from a destructor). The count of such exceptions is per thread too,
  // and a fiber that resumes on another worker would take it along.
  bool unwinding() const;

  // From inside the fiber: switch back to the poll that resumed it; returns
  // when the next poll resumes the fiber.
  void suspend();

  // From the poll: switch into the fiber until it suspends or ends.
  void resume(boost::context::fiber& fiber, Context* cx);
  void cancel(boost::context::fiber& fiber);  // resume it one last time, cancelled
  // ANCHOR_END: fiber_context

  // ANCHOR: fiber_context_rest
  // The fiber's entry function, at its start and at its end.
  void started_from(boost::context::fiber&& caller) {
    sanitizer_.arrived_in_fiber();
    entered_ = true;
    caller_ = std::move(caller);
  }
  boost::context::fiber finished_to() {
    sanitizer_.before_switch_out(true);
    return std::move(caller_);
  }

  SanitizerFiber& sanitizer() { return sanitizer_; }

 private:
  Context* cx_ = nullptr;
  std::exception_ptr poller_exception_;  // set only while the fiber runs
  int poller_uncaught_ = 0;              // std::uncaught_exceptions() of that poll
  boost::context::fiber caller_;
  bool cancelled_ = false;
  bool entered_ = false;
  SanitizerFiber sanitizer_;  // no-op unless built with ASan
};
// ANCHOR_END: fiber_context_rest

}  // namespace art
