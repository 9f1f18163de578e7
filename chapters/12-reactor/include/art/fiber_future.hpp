// fiber_future.hpp: an ordinary function, run as a future on its own stack.
//
//     auto handle = art::spawn_fiber([&] {
//       int x = art::await(input);          // may suspend the whole stack
//       art::await(art::sleep(10ms));
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
// The fiber is created, and takes its stack from a StackPool, at the first
// poll: until then the function waits in the FiberState, so a thousand
// queued fiber tasks hold no stack. The FiberState comes from the FramePool
// (or, for an over-aligned result, from the aligned operator new). Stacks
// and states are reused, so a warmed-up program spawns fiber tasks without
// a system call or a global allocation. Destroying a FiberFuture whose
// fiber is suspended cancels it: the fiber is resumed once more, its
// art::await throws FiberCancelled, and its stack unwinds normally, running
// every destructor on it, before the stack goes back to the pool. One never
// polled has no fiber yet: it just destroys the function.
#pragma once

#include <cstddef>
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

  // At the first poll: creates the fiber, which takes its stack now.
  virtual boost::context::fiber start() = 0;
  // Destroys this state (and the function, if it never ran); frees its memory.
  virtual void release() noexcept = 0;

 protected:
  ~FiberState() = default;
};
// ANCHOR_END: fiber_state

// ANCHOR: fiber_state_memory
namespace detail {

// A FramePool block is aligned to FramePool::kAlignment and no more. A state
// that needs more (a result declared alignas(64), say) gets its memory from
// the aligned operator new instead.

template <class State>
void* allocate_state() {
  if constexpr (alignof(State) > FramePool::kAlignment)
    return ::operator new (sizeof(State), std::align_val_t{alignof(State)});
  else
    return FramePool::allocate(sizeof(State));
}

template <class State>
void deallocate_state(void* memory) noexcept {
  if constexpr (alignof(State) > FramePool::kAlignment)
    ::operator delete (memory, std::align_val_t{alignof(State)});
  else
    FramePool::deallocate(memory, sizeof(State));
}

}  // namespace detail
// ANCHOR_END: fiber_state_memory

// ANCHOR: fiber_state_for
// The state of a fiber task running Fn. The function waits in fn_ until the
// fiber starts, and runs from there.
template <class T, class Fn>
class FiberStateFor final : public FiberState<T> {
 public:
  static FiberStateFor* create(Fn fn, StackPool& stacks);
  boost::context::fiber start() override;
  void release() noexcept override;

 private:
  FiberStateFor(Fn fn, StackPool& stacks) : fn_(std::move(fn)), stacks_(&stacks) {}
  ~FiberStateFor() = default;
  void run() noexcept;  // on the fiber's stack

  std::optional<Fn> fn_;
  StackPool* stacks_;
};
// ANCHOR_END: fiber_state_for

// ANCHOR: fiber_future
template <class T>
class FiberFuture {
  using State = FiberState<T>;

 public:
  using Output = T;

  template <class Fn>
  FiberFuture(Fn fn, StackPool& stacks)
      : state_(FiberStateFor<T, Fn>::create(std::move(fn), stacks)) {}
  FiberFuture(FiberFuture&& other) noexcept
      : state_(std::exchange(other.state_, nullptr)), fiber_(std::move(other.fiber_)) {}
  FiberFuture& operator=(FiberFuture&&) = delete;
  ~FiberFuture();

  Poll<T> poll(Context& cx);

 private:
  State* state_;
  boost::context::fiber fiber_;  // empty before the first poll and after the end
};
// ANCHOR_END: fiber_future

template <class T, class Fn>
FiberStateFor<T, Fn>* FiberStateFor<T, Fn>::create(Fn fn, StackPool& stacks) {
  void* memory = detail::allocate_state<FiberStateFor>();
  try {
    return new (memory) FiberStateFor(std::move(fn), stacks);
  } catch (...) {  // Fn's move constructor threw
    detail::deallocate_state<FiberStateFor>(memory);
    throw;
  }
}

template <class T, class Fn>
void FiberStateFor<T, Fn>::release() noexcept {
  void* memory = this;
  this->~FiberStateFor();
  detail::deallocate_state<FiberStateFor>(memory);
}

// ANCHOR: fiber_entry
template <class T, class Fn>
boost::context::fiber FiberStateFor<T, Fn>::start() {
  // Boost takes the stack from the allocator and places the entry lambda
  // (one pointer, and the allocator) at its top. This throws std::bad_alloc
  // if no stack can be mapped; the function then stays here, unstarted.
  auto entry = [this](boost::context::fiber&& caller) {
    this->started_from(std::move(caller));
    run();
    this->finished = true;
    return this->finished_to();  // switch back for the last time
  };
  return boost::context::fiber(std::allocator_arg, stacks_->allocator(this->sanitizer()),
                               std::move(entry));
}

template <class T, class Fn>
void FiberStateFor<T, Fn>::run() noexcept {
  try {
    if constexpr (std::is_void_v<T>) {
      std::invoke(*fn_);
    } else {
      this->value.emplace(std::invoke(*fn_));
    }
  } catch (...) {  // FiberCancelled too: it ends the fiber like any error
    this->error = std::current_exception();
  }
  fn_.reset();  // its captures go as soon as it has returned, on its own stack
}
// ANCHOR_END: fiber_entry

// ANCHOR: fiber_poll
template <class T>
Poll<T> FiberFuture<T>::poll(Context& cx) {
  if (state_ == nullptr || state_->finished)
    throw std::logic_error("FiberFuture polled after it returned Ready");
  if (!fiber_)
    fiber_ = state_->start();  // the first poll: only now is a stack taken
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
  // A suspended fiber unwinds through FiberCancelled, through our own
  // switches, not through Boost's forced unwinding (which the sanitizers
  // cannot see). One never polled has no fiber and no stack to give back.
  if (fiber_ && !state_->finished) {
    if (state_->entered())
      state_->cancel(fiber_);
    else
      fiber_ = {};  // its first switch threw (an unfinished 6.1): Boost frees it
  }
  state_->release();
}

}  // namespace art
