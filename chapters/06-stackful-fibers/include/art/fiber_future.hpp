// fiber_future.hpp: an ordinary function, run as a future on its own stack.
//
//     auto handle = art::spawn_fiber([&] {
//       int x = art::await(input);          // may suspend the whole stack
//       art::await(art::TimerFuture(10ms));
//       return 2 * x;
//     });
//
// FiberFuture<T> models Future, so the executor runs it like any other task:
// each poll resumes the fiber (FiberContext::resume) and answers Pending if
// it suspended, Ready if the function returned. The function's result or
// exception is kept in a small FiberState next to the fiber; an exception is
// caught on the fiber's own stack and rethrown by the poll, on the
// executor's stack: it never crosses a context switch.
//
// The fiber's stack comes from a StackPool. The FiberState comes from the
// FramePool: both are reused, so a warmed-up program spawns fiber tasks
// without a system call or a global allocation. Destroying a FiberFuture
// whose fiber is suspended cancels it: the fiber is resumed once more, its
// art::await throws FiberCancelled, and its stack unwinds normally, running
// every destructor on it, before the stack goes back to the pool.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include <boost/context/fiber.hpp>

#include "art/context.hpp"
#include "art/fiber_context.hpp"
#include "art/frame_pool.hpp"
#include "art/poll.hpp"
#include "art/stack_pool.hpp"

namespace art {

// ANCHOR: fiber_state
template <class T>
struct FiberState : FiberContext {
  using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
  std::optional<Stored> value;
  std::exception_ptr error;
  bool finished = false;
};
// ANCHOR_END: fiber_state

// ANCHOR: fiber_future
template <class T>
class FiberFuture {
  using State = FiberState<T>;

 public:
  using Output = T;

  template <class Fn>
  FiberFuture(Fn fn, StackPool& stacks);
  FiberFuture(FiberFuture&& other) noexcept
      : state_(std::exchange(other.state_, nullptr)), fiber_(std::move(other.fiber_)) {}
  FiberFuture& operator=(FiberFuture&&) = delete;
  ~FiberFuture();

  Poll<T> poll(Context& cx);

 private:
  State* state_;
  boost::context::fiber fiber_;
};
// ANCHOR_END: fiber_future

// ANCHOR: fiber_entry
template <class T>
template <class Fn>
FiberFuture<T>::FiberFuture(Fn fn, StackPool& stacks)
    : state_(new (FramePool::allocate(sizeof(State))) State()) {
  auto entry = [state = state_, fn = std::move(fn)](boost::context::fiber&& caller) mutable {
    state->started_from(std::move(caller));
    if (state->cancelled()) {  // destroyed before its first poll: never run fn
      state->finished = true;
      return state->finished_to();
    }
    try {
      if constexpr (std::is_void_v<T>) {
        std::invoke(fn);
      } else {
        state->value.emplace(std::invoke(fn));
      }
    } catch (...) {  // FiberCancelled too: it ends the fiber like any error
      state->error = std::current_exception();
    }
    state->finished = true;
    return state->finished_to();  // switch back for the last time
  };
  // ANCHOR_END: fiber_entry
  // ANCHOR: fiber_entry_stack
  try {
    fiber_ = boost::context::fiber(std::allocator_arg, stacks.allocator(state_->sanitizer()),
                                   std::move(entry));
  } catch (...) {
    state_->~State();
    FramePool::deallocate(state_, sizeof(State));
    throw;
  }
}
// ANCHOR_END: fiber_entry_stack

// ANCHOR: fiber_poll
template <class T>
Poll<T> FiberFuture<T>::poll(Context& cx) {
  if (state_ == nullptr || state_->finished)
    throw std::logic_error("FiberFuture polled after it returned Ready");
  state_->resume(fiber_, &cx);
  if (!state_->finished)
    return pending;  // suspended inside art::await
  if (state_->error)
    std::rethrow_exception(state_->error);  // on the executor's stack
  if constexpr (std::is_void_v<T>) {
    return ready;
  } else {
    return std::move(*state_->value);
  }
}
// ANCHOR_END: fiber_poll

template <class T>
FiberFuture<T>::~FiberFuture() {
  if (state_ == nullptr)
    return;  // moved from
  // A suspended fiber unwinds through FiberCancelled; one never polled
  // starts and ends at once. Either way it ends through our own switches,
  // not through Boost's forced unwinding (which the sanitizers cannot see).
  if (!state_->finished)
    state_->cancel(fiber_);
  state_->~State();
  FramePool::deallocate(state_, sizeof(State));
}

}  // namespace art
