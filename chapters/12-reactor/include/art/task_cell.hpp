// task_cell.hpp: a spawned future, its output and its joiner, in one object.
//
// As in chapter 06 a task is three layers (TaskHeader, TaskOutput<T>,
// TaskCell<F>) in one block of memory. Two things changed:
//
//   * The block comes from the FramePool, not from a slot of one executor's
//     slab: the pool has a cache per thread and sends a block freed on
//     another thread home to its owner, which is what tasks spawned on one
//     worker and freed on another need.
//
//   * The joiner's waker is shared by two threads, the JoinHandle's and the
//     completing worker's, with no lock. The JOIN_WAKER bit of the state
//     word says whose it is: clear, the joiner may write it; set, it is the
//     completer's to read, and the joiner must take it back (a successful
//     unset_join_waker) before writing it again. Whichever side finds the
//     task complete leaves the slot alone.
#pragma once

#include <cstddef>
#include <exception>
#include <new>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "art/frame_pool.hpp"
#include "art/poll.hpp"
#include "art/task_header.hpp"

namespace art {

// What the join of a task gets when it was cancelled before it finished:
// by JoinHandle::abort, or by the runtime's shutdown.
class TaskCancelled : public std::runtime_error {
 public:
  TaskCancelled()
      : std::runtime_error(
            "task cancelled before it finished (aborted, or its runtime shut down)") {}
};

// ANCHOR: task_output
template <class T>
class TaskOutput : public TaskHeader {
 public:
  using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

  // The JoinHandle's side of the joiner protocol: true if the output is
  // ready; otherwise `waker` is stored, and woken when the task completes.
  bool ready_or_register(const Waker& waker);
  // After unset_join_interest handed the slot back: drop the stored waker.
  void forget_joiner() { joiner_ = Waker(); }
  // For the JoinHandle, once complete: the result; rethrows the task's error.
  T take_output();
  // Whoever the state word makes its owner (see RuntimeCore::complete and
  // JoinHandle::detach) frees an output that nobody will take.
  void drop_output() noexcept final {
    value_.reset();
    error_ = nullptr;
  }

 protected:
  using TaskHeader::TaskHeader;

  void store_value(Stored value) { value_.emplace(std::move(value)); }
  void store_error(std::exception_ptr error) { error_ = std::move(error); }
  void wake_joiner() final { joiner_.wake_by_ref(); }

 private:
  bool store_joiner(const Waker& waker);

  std::optional<Stored> value_;
  std::exception_ptr error_;
  Waker joiner_;  // whose it is: the JOIN_WAKER bit
};
// ANCHOR_END: task_output

// ANCHOR: ready_or_register
template <class T>
bool TaskOutput<T>::ready_or_register(const Waker& waker) {
  const TaskStateWord::Snapshot now = this->state().load();
  if (now.complete())
    return true;
  if (now.join_waker()) {
    if (joiner_.will_wake(waker))
      return false;  // the same joiner, polled again
    if (!this->state().unset_join_waker())
      return true;  // completed: the completer may be reading the old waker
  }
  return store_joiner(waker);
}

template <class T>
bool TaskOutput<T>::store_joiner(const Waker& waker) {
  joiner_ = waker;  // the slot is ours: JOIN_WAKER is clear
  if (this->state().set_join_waker())
    return false;     // handed over: the completer wakes it
  joiner_ = Waker();  // completed first, and never looked at the slot
  return true;
}
// ANCHOR_END: ready_or_register

template <class T>
T TaskOutput<T>::take_output() {
  if (error_)  // moved out: freed on the joiner's thread, not the last releaser's
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
  // A new task in a block of its own. Three references: see TaskStateWord().
  static TaskCell* make(F future, RuntimeCore* runtime, TaskId id) {
    void* memory = allocate();
    try {
      return new (memory) TaskCell(std::move(future), runtime, id);
    } catch (...) {
      deallocate(memory);
      throw;
    }
  }

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
    future_.reset();  // what the future holds goes now, not at the join
    return true;
  }

  void drop_future() noexcept final { future_.reset(); }

 private:
  TaskCell(F future, RuntimeCore* runtime, TaskId id)
      : TaskOutput<Output>(runtime, id), future_(std::move(future)) {}

  void destroy() noexcept final {
    RuntimeCore* const runtime = &this->runtime();
    this->~TaskCell();
    deallocate(this);
    TaskHeader::task_freed(runtime);
  }

  // A cell aligned more strictly than the pool's blocks gets aligned new.
  static constexpr bool kPooled = alignof(TaskCell) <= FramePool::kAlignment;
  static void* allocate() {
    if constexpr (kPooled)
      return FramePool::allocate(sizeof(TaskCell));
    else
      return ::operator new (sizeof(TaskCell), std::align_val_t{alignof(TaskCell)});
  }
  static void deallocate(void* memory) noexcept {
    if constexpr (kPooled)
      FramePool::deallocate(memory, sizeof(TaskCell));
    else
      ::operator delete (memory, std::align_val_t{alignof(TaskCell)});
  }

  std::optional<F> future_;
};
// ANCHOR_END: task_cell

}  // namespace art
