// join_handle.hpp: a future for a spawned task's result.
//
// spawn() returns a JoinHandle<T>. Awaiting it (or polling it) gives the
// task's value once the task is done, rethrows the exception the task ended
// with, and throws TaskCancelled if the executor shut down first. The handle
// holds one reference to the task, so the result outlives the future that
// produced it; dropping the handle without joining detaches the task, which
// then runs to the end unobserved.
//
// In this chapter a task is joined on its executor's thread: from another
// task or from Executor::block_on. Polling a handle from another thread
// before the task is done is refused with an error rather than racing on the
// joiner's waker; chapter 07 makes the handle thread-safe.
#pragma once

#include <stdexcept>
#include <utility>

#include "art/context.hpp"
#include "art/poll.hpp"
#include "art/task_cell.hpp"

namespace art {

// ANCHOR: join_handle
// ANCHOR: join_handle_owner
template <class T>
class [[nodiscard]] JoinHandle {
 public:
  using Output = T;

  explicit JoinHandle(TaskOutput<T>* task) : task_(task) {}
  JoinHandle(JoinHandle&& other) noexcept : task_(std::exchange(other.task_, nullptr)) {}
  JoinHandle& operator=(JoinHandle&& other) noexcept {
    if (this != &other) {
      if (task_)
        task_->release();  // detach from the task this handle named before
      task_ = std::exchange(other.task_, nullptr);
    }
    return *this;
  }
  ~JoinHandle() {
    if (task_)
      task_->release();  // detach
  }
  // ANCHOR_END: join_handle_owner

  // ANCHOR: join_handle_poll
  bool is_finished() const { return task_ == nullptr || task_->is_done(); }

  Poll<T> poll(Context& cx) {
    if (task_ == nullptr)
      throw std::logic_error("JoinHandle polled after it returned Ready");
    if (task_->is_done())
      return take();
    if (!task_->runs_on_current_thread())
      throw std::logic_error(
          "JoinHandle polled outside its executor before the task finished");
    task_->set_joiner(cx.waker());
    return pending;
  }
  // ANCHOR_END: join_handle_poll

 private:
  // ANCHOR: join_handle_take
  Poll<T> take() {
    TaskOutput<T>* task = std::exchange(task_, nullptr);
    struct Release {
      TaskOutput<T>* task;
      ~Release() { task->release(); }
    } release{task};
    if constexpr (std::is_void_v<T>) {
      task->take_output();
      return ready;
    } else {
      return task->take_output();
    }
  }
  // ANCHOR_END: join_handle_take

  friend class Executor;  // block_on runs until this task is done
  TaskOutput<T>* task_;
};
// ANCHOR_END: join_handle

}  // namespace art
