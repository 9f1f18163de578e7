// task_list.hpp: an intrusive list of tasks.
//
// An idle task is in no queue: it waits for a waker that some future has
// stored somewhere (a timer, a channel, another thread). To cancel such
// tasks at shutdown the runtime must be able to find them, so every task is
// linked into a list from spawn until it is done. The links live in the
// TaskHeader (an intrusive list), so linking and unlinking never allocate
// and take constant time. The list has no lock: OwnedTasks keeps one per
// shard, each under the shard's mutex.
#pragma once

#include <cstddef>

#include "art/task_header.hpp"

namespace art {

// ANCHOR: task_list
class TaskList {
 public:
  void push(TaskHeader* task) {
    task->prev = nullptr;
    task->next = head_;
    if (head_ != nullptr)
      head_->prev = task;
    head_ = task;
    ++size_;
  }

  void remove(TaskHeader* task) {
    (task->prev != nullptr ? task->prev->next : head_) = task->next;
    if (task->next != nullptr)
      task->next->prev = task->prev;
    task->prev = task->next = nullptr;
    --size_;
  }

  TaskHeader* front() const { return head_; }
  std::size_t size() const { return size_; }
  bool empty() const { return head_ == nullptr; }

 private:
  TaskHeader* head_ = nullptr;
  std::size_t size_ = 0;
};
// ANCHOR_END: task_list

}  // namespace art
