// run_queue.hpp: a first-in first-out queue of tasks that never allocates.
//
// Chapter 04 kept ready tasks in a std::deque, which allocates a block every
// few hundred pushes and frees it again as the queue drains: allocations on
// the hottest path there is. A task is in at most one queue at a time (the
// state word guarantees it: one entry exists only while NOTIFIED is set), so the task itself can carry the link: push
// and pop just rewire `queue_next`.
#pragma once

#include "art/task_header.hpp"

namespace art {

// ANCHOR: run_queue
// ANCHOR: run_queue_push
class RunQueue {
 public:
  void push(TaskHeader* task) {
    task->queue_next = nullptr;
    (tail_ != nullptr ? tail_->queue_next : head_) = task;
    tail_ = task;
  }
  // ANCHOR_END: run_queue_push

  // ANCHOR: run_queue_pop
  TaskHeader* pop() {
    TaskHeader* task = head_;
    if (task != nullptr) {
      head_ = task->queue_next;
      if (head_ == nullptr)
        tail_ = nullptr;
    }
    return task;
  }
  // ANCHOR_END: run_queue_pop

  // ANCHOR: run_queue_append
  void append(RunQueue& other) {  // moves all of `other` to the back
    if (other.head_ == nullptr)
      return;
    (tail_ != nullptr ? tail_->queue_next : head_) = other.head_;
    tail_ = other.tail_;
    other.head_ = other.tail_ = nullptr;
  }

  bool empty() const { return head_ == nullptr; }

 private:
  TaskHeader* head_ = nullptr;
  TaskHeader* tail_ = nullptr;
};
// ANCHOR_END: run_queue_append
// ANCHOR_END: run_queue

}  // namespace art
