// task_cell.hpp: a spawned future, its output and its joiner, in one object.
//
// Spawning `f` builds one TaskCell<F> in a slot of the executor's TaskSlab
// (chapter 04 allocated it with new). It is three layers:
//
//   TaskHeader     what the executor needs: references, state, run links
//   TaskOutput<T>  what the JoinHandle<T> needs: the result and the waker of
//                  whoever awaits it. It knows T but not F, so a
//                  JoinHandle<int> can point at any task that returns int.
//   TaskCell<F>    the future itself, destroyed as soon as it is finished
//                  (or cancelled), while the output waits for the join.
//
// A slot has room for TaskSlab::kSlotBytes, aligned to 16. A future too big
// for that, or aligned more strictly, is boxed: the cell then holds a
// Boxed<F>, a pointer to the future in a block of the FramePool, placed
// where the future's alignment allows. A coroutine Task is one pointer, so
// it always fits; its frame comes from the FramePool through the promise.
//
// Keeping the result and the joiner's waker inside the task means a join
// needs no lookup: there is no global map from task ids to results or
// wakers, and nothing to clean up when a handle is dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "art/frame_pool.hpp"
#include "art/poll.hpp"
#include "art/task_header.hpp"
#include "art/task_slab.hpp"

namespace art {

// What the join of a task gets when it was cancelled before it finished:
// by Executor::abort, or by the executor's shutdown.
class TaskCancelled : public std::runtime_error {
 public:
  TaskCancelled()
      : std::runtime_error(
            "task cancelled before it finished (aborted, or its executor shut down)") {}
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
  TaskCell(F future, ExecutorCore* executor, TaskId id)
      : TaskOutput<Output>(executor, id), future_(std::move(future)) {}

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

// ANCHOR: boxed
// A future moved into a FramePool block, for futures too big for a slot or
// aligned more strictly than one.
template <class F>
class Boxed {
 public:
  using Output = typename F::Output;

  explicit Boxed(F future) {
    void* block = FramePool::allocate(kBlockBytes);
    future_ = emplace(block, future);
    if constexpr (kSlack > 0)
      block_ = block;
  }
  Boxed(Boxed&& other) noexcept
      : future_(std::exchange(other.future_, nullptr)), block_(other.block_) {}
  Boxed& operator=(Boxed&&) = delete;
  ~Boxed() {
    if (future_ != nullptr) {
      future_->~F();
      FramePool::deallocate(block(), kBlockBytes);
    }
  }

  Poll<Output> poll(Context& cx) { return future_->poll(cx); }
  // ANCHOR_END: boxed

  // ANCHOR: boxed_storage
 private:
  // A pool block has the allocator's alignment. A future that needs more
  // gets a block with room to move up to the next multiple of its own.
  static constexpr std::size_t kSlack = alignof(F) > FramePool::kAlignment
                                            ? alignof(F) - FramePool::kAlignment
                                            : 0;
  static constexpr std::size_t kBlockBytes = sizeof(F) + kSlack;

  // If the move throws, the block goes back before the exception leaves.
  static F* emplace(void* block, F& future) {
    const std::size_t past = reinterpret_cast<std::uintptr_t>(block) % alignof(F);
    void* place = static_cast<std::byte*>(block) + (past == 0 ? 0 : alignof(F) - past);
    try {
      return new (place) F(std::move(future));
    } catch (...) {
      FramePool::deallocate(block, kBlockBytes);
      throw;
    }
  }

  // Where the block starts is worth storing only when the future moved up.
  struct AtTheFuture {};
  using BlockStart = std::conditional_t<(kSlack > 0), void*, AtTheFuture>;
  void* block() const {
    if constexpr (kSlack > 0)
      return block_;
    else
      return future_;
  }

  F* future_ = nullptr;
  [[no_unique_address]] BlockStart block_{};
};
// ANCHOR_END: boxed_storage

// ANCHOR: slot_future
// The future as stored in a task slot: itself if it fits and its alignment
// allows, boxed otherwise.
template <class F>
inline constexpr bool kFitsInASlot = sizeof(TaskCell<F>) <= TaskSlab::kSlotBytes &&
                                     alignof(TaskCell<F>) <= TaskSlab::kSlotAlignment;

template <class F>
using SlotFuture = std::conditional_t<kFitsInASlot<F>, F, Boxed<F>>;
// ANCHOR_END: slot_future

}  // namespace art
