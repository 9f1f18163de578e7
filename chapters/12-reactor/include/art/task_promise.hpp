// task_promise.hpp: the promise type behind every Task<T>.
//
// For each coroutine the compiler creates a promise object inside the
// coroutine frame and asks it how to behave:
//
//   initial_suspend   suspend_always: a Task is lazy and runs nothing until
//                     it is first polled (a future does no work unpolled)
//   final_suspend     suspend_always: keep the frame after the end, so that
//                     Task::poll can read the result; ~Task frees it
//   await_transform   every co_await goes through FutureAwaiter, so a Task
//                     can await any Future (and only futures)
//   return_value      where co_return puts the result
//   operator new      where the frame's memory comes from (the FramePool)
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "art/frame_pool.hpp"
#include "art/future.hpp"
#include "art/future_awaiter.hpp"

namespace art {

template <class T>
class Task;

// ANCHOR: promise_base
class PromiseBase : public TaskState {
 public:
  std::suspend_always initial_suspend() noexcept { return {}; }
  std::suspend_always final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { exception_ = std::current_exception(); }

  template <class F>
  requires Future<std::remove_cvref_t<F>> FutureAwaiter<F> await_transform(F&& future) {
    return FutureAwaiter<F>(std::forward<F>(future), *this);
  }

  // NOLINTNEXTLINE(misc-new-delete-overloads): the sized delete below is its match
  static void* operator new(std::size_t size) { return FramePool::allocate(size); }
  static void operator delete(void* frame, std::size_t size) noexcept {
    FramePool::deallocate(frame, size);
  }

  void rethrow_if_failed() const {
    if (exception_)
      std::rethrow_exception(exception_);
  }

 private:
  std::exception_ptr exception_;
};
// ANCHOR_END: promise_base

// ANCHOR: promise
template <class T>
class Promise : public PromiseBase {
 public:
  Task<T> get_return_object();
  void return_value(T value) { value_.emplace(std::move(value)); }
  T take_value() { return std::move(*value_); }

 private:
  std::optional<T> value_;
};

template <>
class Promise<void> : public PromiseBase {
 public:
  Task<void> get_return_object();
  void return_void() {}
};
// ANCHOR_END: promise

}  // namespace art
