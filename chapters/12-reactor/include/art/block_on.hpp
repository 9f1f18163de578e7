// block_on.hpp: the smallest possible executor.
//
// block_on(future) drives one future to completion on the calling thread:
// poll it; if it is Pending, park the thread until its waker is woken; poll
// again. It is how synchronous code (main, a test) enters the async world, and
// every later runtime keeps a block_on for exactly that.
//
// Two properties matter and both are tested:
//   * It never spins. Between two polls the thread sleeps in Parker::park(),
//     so a future that waits a second costs two polls, not millions.
//   * It never loses a wake-up. The waker may fire before park() is reached
//     (even inside poll itself); the parker's token makes park() return at
//     once in that case.
#pragma once

#include <stdexcept>
#include <type_traits>
#include <utility>

#include "art/context.hpp"
#include "art/future.hpp"
#include "art/log.hpp"
#include "art/parker.hpp"
#include "art/runtime_core.hpp"

namespace art {

// ANCHOR: block_on
template <class F>
requires Future<std::remove_cvref_t<F>>
auto block_on(F&& future) -> typename std::remove_cvref_t<F>::Output {
  using Output = typename std::remove_cvref_t<F>::Output;
  if (RuntimeCore::current() != nullptr)  // from chapter 07 on
    throw std::logic_error(
        "art::block_on called on a runtime's worker: it would park the worker, and "
        "with it every task queued behind; await the future instead");
  Parker parker;
  const Waker waker = parker.waker();
  Context cx(waker);
  for (int polls = 1;; ++polls) {
    auto result = future.poll(cx);
    if (result.is_ready()) {
      logger().debug("block_on: poll #{} -> Ready", polls);
      if constexpr (!std::is_void_v<Output>) {
        return std::move(result).value();
      } else {
        return;
      }
    }
    logger().debug("block_on: poll #{} -> Pending, parking", polls);
    parker.park();
    logger().debug("block_on: unparked");
  }
}
// ANCHOR_END: block_on

}  // namespace art
