// join_handle.hpp: a future for a spawned task's result, usable anywhere.
//
// spawn() returns a JoinHandle<T>. Polling it gives the task's value once
// the task is complete, rethrows the exception the task ended with, and
// throws TaskCancelled if the task was aborted or its runtime shut down.
// Unlike chapter 06's, it works from any thread: a task on another worker,
// a thread blocked in art::block_on, a plain thread polling it. The waker
// it leaves is handed to the completing worker through the JOIN_WAKER
// protocol (task_cell.hpp), so joiner and completer never race on it.
//
// A join is a leaf of the cooperative budget (budget.hpp): a poll that
// finds the result spends a token, and one that finds none left answers
// Pending, with the result left where it is for the next poll.
//
// Dropping the handle detaches the task, which runs to the end unobserved;
// abort() cancels it: a worker destroys its future the next time it would
// run it, or right after the poll that is running now. The handle can be
// moved to any thread and used there, but, like any object, not by two
// threads at once.
#pragma once

#include <stdexcept>
#include <utility>

#include "art/budget.hpp"
#include "art/context.hpp"
#include "art/poll.hpp"
#include "art/task_cell.hpp"

namespace art {

// ANCHOR: join_handle
template <class T>
class [[nodiscard]] JoinHandle {
 public:
  using Output = T;

  explicit JoinHandle(TaskOutput<T>* task) : task_(task), id_(task->id()) {}
  JoinHandle(JoinHandle&& other) noexcept
      : task_(std::exchange(other.task_, nullptr)), id_(other.id_) {}
  JoinHandle& operator=(JoinHandle&& other) noexcept {
    if (this != &other) {
      detach();
      task_ = std::exchange(other.task_, nullptr);
      id_ = other.id_;
    }
    return *this;
  }
  ~JoinHandle() { detach(); }

  bool is_finished() const {
    return task_ == nullptr || task_->state().load().complete();
  }
  TaskId id() const { return id_; }
  void abort() {
    if (task_ != nullptr)
      task_->abort();
  }

  // ANCHOR: join_poll_detach
  Poll<T> poll(Context& cx) {
    if (task_ == nullptr)
      throw std::logic_error("JoinHandle polled after it returned Ready");
    TokenGuard token = take_token(cx);
    if (!token)
      return pending;  // the budget is spent: the result waits for the next poll
    if (!task_->ready_or_register(cx.waker()))
      return pending;
    token.made_progress();  // Ready from here on, also when it rethrows
    TaskOutput<T>* task = std::exchange(task_, nullptr);
    struct Release {  // the handle's reference goes however take_output ends
      TaskOutput<T>* task;
      ~Release() {
        task->state().unset_join_interest();
        task->release();
      }
    } release{task};
    if constexpr (std::is_void_v<T>) {
      task->take_output();
      return ready;
    } else {
      return task->take_output();
    }
  }

 private:
  void detach() noexcept {
    if (task_ == nullptr)
      return;
    const TaskStateWord::Snapshot before = task_->state().unset_join_interest();
    if (before.complete())
      task_->drop_output();  // completed and never taken: the handle frees it
    else if (before.join_waker())
      task_->forget_joiner();  // the slot came back to us: nobody will wake it
    std::exchange(task_, nullptr)->release();
  }
  // ANCHOR_END: join_poll_detach

  TaskOutput<T>* task_;
  TaskId id_;
};
// ANCHOR_END: join_handle

}  // namespace art
