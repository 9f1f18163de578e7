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
  // EXERCISE 6.3: poll the future until it is ready, suspending the fiber in between
  // HINT: loop: if fiber->cancelled() throw FiberCancelled(); poll the
  // future with fiber->context(); Ready -> return its value (or just
  // return for void); Pending -> fiber->suspend() and poll again.
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
  // END EXERCISE
}
// ANCHOR_END: await

}  // namespace art
