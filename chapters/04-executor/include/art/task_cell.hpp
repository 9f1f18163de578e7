// task_cell.hpp: a spawned future, its output and its joiner, in one object.
//
// Spawning `f` allocates one TaskCell<F> on the heap. It is three layers:
//
//   TaskHeader     what the executor needs: references, state, run links
//   TaskOutput<T>  what the JoinHandle<T> needs: the result and the waker of
//                  whoever awaits it. It knows T but not F, so a
//                  JoinHandle<int> can point at any task that returns int.
//   TaskCell<F>    the future itself, destroyed as soon as it is finished
//                  (or cancelled), while the output waits for the join.
//
// Keeping the result and the joiner's waker inside the task means a join
// needs no lookup: there is no global map from task ids to results or
// wakers, and nothing to clean up when a handle is dropped.
#pragma once

#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "art/poll.hpp"
#include "art/task_header.hpp"

namespace art {

// What a join of a task gets when the executor shut down before it finished.
class TaskCancelled : public std::runtime_error {
 public:
  TaskCancelled()
      : std::runtime_error("task cancelled: its executor shut down before it finished") {}
};

// ANCHOR: task_output
template <class T>
class TaskOutput : public TaskHeader {
 public:
  using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

  // For the JoinHandle: the result, once is_done(). Rethrows the task's error.
  T take_output();
  void set_joiner(const Waker& waker) {
    if (!joiner_.will_wake(waker))
      joiner_ = waker;
  }

 protected:
  using TaskHeader::TaskHeader;

  void store_value(Stored value) { value_.emplace(std::move(value)); }
  void store_error(std::exception_ptr error) { error_ = std::move(error); }
  void notify_joiner() final {
    if (joiner_)
      std::move(joiner_).wake();
  }

 private:
  std::optional<Stored> value_;
  std::exception_ptr error_;
  Waker joiner_;
};
// ANCHOR_END: task_output

template <class T>
T TaskOutput<T>::take_output() {
  if (error_)  // moved out: the joiner's thread, not the last releaser's, ends up freeing it
    std::rethrow_exception(std::exchange(error_, nullptr));
  if (!value_)
    throw TaskCancelled();
  if constexpr (!std::is_void_v<T>)
    return std::move(*value_);
}

// ANCHOR: task_cell
template <class F>
class TaskCell final : public TaskOutput<typename F::Output> {
  using Output = typename F::Output;

 public:
  TaskCell(F future, std::shared_ptr<ExecutorCore> executor)
      : TaskOutput<Output>(std::move(executor)), future_(std::move(future)) {}

  bool poll_future(Context& cx) final {
    try {
      auto result = future_->poll(cx);
      if (result.is_pending())
        return false;
      if constexpr (std::is_void_v<Output>) {
        this->store_value(std::monostate{});
      } else {
        this->store_value(std::move(result).value());
      }
    } catch (...) {
      this->store_error(std::current_exception());  // rethrown by the join
    }
    future_.reset();  // release what the future holds now, not at the join
    return true;
  }

  void drop_future() noexcept final { future_.reset(); }

 private:
  std::optional<F> future_;
};
// ANCHOR_END: task_cell

}  // namespace art
