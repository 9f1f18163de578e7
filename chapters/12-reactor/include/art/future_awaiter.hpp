// future_awaiter.hpp: what `co_await future` does inside a Task.
//
// C++20 lets a coroutine type decide what co_await means for it. For a Task
// it means "poll this future, with the Context of whoever is polling the
// task". The awaiter below does that in two places:
//
//   await_ready()   when the coroutine reaches the co_await, it polls the
//                   future once. Ready: the coroutine does not suspend at all.
//   poll_thunk()    Pending: the coroutine suspends and leaves this awaiter's
//                   address in its TaskState. The next Task::poll calls the
//                   thunk to poll the same future again, with the new
//                   Context, and resumes the coroutine only once it is Ready.
//
// So no awaited future is ever polled after it returned Ready, and every
// poll passes on the newest waker: the Rust model, with the coroutine as the
// state machine of chapter 02 written by the compiler.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "art/context.hpp"
#include "art/future.hpp"
#include "art/poll.hpp"

namespace art {

// ANCHOR: task_state
// What a suspended task is waiting for: an awaiter and how to poll it.
struct SuspendedOn {
  void* awaiter = nullptr;
  bool (*poll)(void* awaiter, Context& cx) noexcept = nullptr;  // true once ready
  explicit operator bool() const { return poll != nullptr; }
};

// The part of a Task's promise that its awaiters use.
struct TaskState {
  Context* cx = nullptr;     // the Context of the poll that is running the coroutine
  SuspendedOn suspended_on;  // set while the coroutine is suspended on a future
};
// ANCHOR_END: task_state

// ANCHOR: future_awaiter
template <class F>  // F is a reference for an lvalue future, a value for an rvalue
class FutureAwaiter {
  using Output = typename std::remove_cvref_t<F>::Output;

 public:
  FutureAwaiter(F&& future, TaskState& task)
      : future_(std::forward<F>(future)),  // moved in, or bound for an lvalue
        task_(task) {}

  bool await_ready() { return poll_once(*task_.cx); }
  void await_suspend(std::coroutine_handle<> /*suspended*/) {
    task_.suspended_on = SuspendedOn{this, &poll_thunk};
  }
  Output await_resume();

 private:
  bool poll_once(Context& cx);
  static bool poll_thunk(void* self, Context& cx) noexcept;

  F future_;
  TaskState& task_;
  std::optional<std::conditional_t<std::is_void_v<Output>, bool, Output>> value_;
  std::exception_ptr error_;  // thrown by a poll made outside the coroutine
};
// ANCHOR_END: future_awaiter

// ANCHOR: poll_once
template <class F>
bool FutureAwaiter<F>::poll_once(Context& cx) {
  auto result = future_.poll(cx);
  if (result.is_pending())
    return false;
  if constexpr (std::is_void_v<Output>) {
    value_.emplace(true);
  } else {
    value_.emplace(std::move(result).value());
  }
  return true;
}
// ANCHOR_END: poll_once

// ANCHOR: poll_thunk
template <class F>
bool FutureAwaiter<F>::poll_thunk(void* self, Context& cx) noexcept {
  auto* awaiter = static_cast<FutureAwaiter*>(self);
  try {
    return awaiter->poll_once(cx);
  } catch (...) {
    // This poll runs in Task::poll, outside the coroutine. Keep the error and
    // resume the coroutine, so that it comes out of the co_await expression,
    // where the coroutine can catch it.
    awaiter->error_ = std::current_exception();
    return true;
  }
}

template <class F>
auto FutureAwaiter<F>::await_resume() -> Output {
  if (error_)
    std::rethrow_exception(error_);
  if constexpr (!std::is_void_v<Output>)
    return std::move(*value_);
}
// ANCHOR_END: poll_thunk

}  // namespace art
