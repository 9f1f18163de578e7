// await.hpp: waiting for a future from inside a fiber task.
//
//     int handler(Connection& connection) {        // an ordinary function
//       auto request = art::await(connection.read());
//       ...
//     }
//
// art::await(future) polls the future with the fiber's Context. Ready: it
// returns the value, having never left the fiber. Pending: the future has
// kept the waker, so the fiber switches back to the executor (its task's
// poll answers Pending); when the waker fires, the task is polled, the fiber
// is switched back in, and art::await polls the future again.
//
// Unlike co_await, art::await is a plain function call: it works in any
// function at any depth of ordinary calls, as long as a fiber task is at the
// bottom of the stack. Called anywhere else it throws std::logic_error.
//
// Except inside a catch block: like co_await, which C++20 forbids in a
// handler, art::await there throws std::logic_error, before it polls. The
// exceptions being handled are per thread, not per fiber, and a fiber that
// switched away inside its handler would find another fiber's exception
// there when it came back (`throw;` would rethrow that one). Leave the
// catch block first, keeping the exception in a std::exception_ptr if it is
// still needed, and wait after it.
#pragma once

#include <stdexcept>
#include <type_traits>
#include <utility>

#include "art/fiber_context.hpp"
#include "art/future.hpp"

namespace art {

// ANCHOR: await
template <class F>
requires Future<std::remove_cvref_t<F>>
auto await(F&& future) -> typename std::remove_cvref_t<F>::Output {
  FiberContext* fiber = FiberContext::current();
  if (fiber == nullptr)
    throw std::logic_error("art::await called outside a fiber task");
  if (fiber->inside_own_catch_block())
    throw std::logic_error(
        "art::await called inside a catch block: a fiber must not "
        "switch while it handles an exception (C++20 forbids co_await "
        "there for the same reason); leave the catch block first, "
        "keeping the exception in a std::exception_ptr if needed, "
        "then wait");
  if (fiber->unwinding())
    throw std::logic_error(
        "art::await called while an exception unwinds the fiber's stack (in a "
        "destructor): the thread's count of uncaught exceptions would move to "
        "whichever worker resumes the fiber; do the waiting before the throw");
  for (;;) {
    if (fiber->cancelled())
      throw FiberCancelled();
    auto result = future.poll(fiber->context());
    if (result.is_ready()) {
      if constexpr (!std::is_void_v<typename std::remove_cvref_t<F>::Output>)
        return std::move(result).value();
      else
        return;
    }
    fiber->suspend();  // back to the executor until the waker fires
  }
}
// ANCHOR_END: await

}  // namespace art
