// task.hpp: Task<T>, a C++20 coroutine that is itself a Future.
//
//     Task<int> delayed_double(ManualFuture<int> input, Clock::duration delay) {
//       int x = co_await input;
//       co_await art::sleep(delay);
//       co_return 2 * x;
//     }
//
// The compiler turns this body into a state machine much like chapter 02's
// DelayedDouble: one resume point per co_await, and the locals that live
// across them (x, the awaited futures) kept in a heap-allocated frame.
// Task<T> is the handle to that frame, and it models the Future concept, so
// block_on, map, race and join_all from the earlier chapters take a Task as
// they take any future.
//
// Polling a Task (Task::poll):
//   1. If the coroutine is suspended on a future, poll that future again
//      with the caller's Context. Pending: answer Pending, resume nothing.
//   2. Otherwise (first poll, or the awaited future is now Ready) resume the
//      coroutine. It runs until it finishes or reaches a co_await whose
//      future is Pending.
//   3. Finished: rethrow its exception or hand out its value.
//
// Destroying a Task destroys its frame: the locals, the awaiter and the
// future it was suspended on are all destroyed, in reverse order, as if the
// function had been abandoned at that co_await. That is cancellation.
#pragma once

#include <coroutine>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "art/context.hpp"
#include "art/poll.hpp"
#include "art/task_promise.hpp"

namespace art {

// ANCHOR: task
template <class T = void>
class [[nodiscard]] Task {
 public:
  using Output = T;
  using promise_type = Promise<T>;

  explicit Task(std::coroutine_handle<promise_type> handle) : handle_(handle) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (handle_)
        handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  ~Task() {
    if (handle_)
      handle_.destroy();
  }

  Poll<T> poll(Context& cx);

 private:
  std::coroutine_handle<promise_type> handle_;
};
// ANCHOR_END: task

// ANCHOR: task_poll
template <class T>
Poll<T> Task<T>::poll(Context& cx) {
  if (!handle_ || handle_.done())
    throw std::logic_error("Task polled after it returned Ready");
  promise_type& promise = handle_.promise();
  const SuspendedOn awaited = promise.suspended_on;
  if (awaited && !awaited.poll(awaited.awaiter, cx)) {
    return pending;
  }
  promise.suspended_on = {};
  promise.cx = &cx;
  handle_.resume();
  promise.cx = nullptr;
  if (!handle_.done())
    return pending;
  promise.rethrow_if_failed();
  if constexpr (std::is_void_v<T>) {
    return ready;
  } else {
    return promise.take_value();
  }
}
// ANCHOR_END: task_poll

template <class T>
Task<T> Promise<T>::get_return_object() {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}

inline Task<void> Promise<void>::get_return_object() {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}

}  // namespace art
