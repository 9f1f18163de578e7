#include "art/shared_queue_scheduler.hpp"

#include <thread>  // std::this_thread::yield, in chapter 07's exercise stub

#include "art/trace.hpp"

namespace art {

// ANCHOR: shared_schedule
bool SharedQueueScheduler::schedule(TaskHeader* task) noexcept {
  std::lock_guard lock(mutex_);
  if (closed_)
    return false;
  queue_.push(task);
  // A sleeper counted here is inside wait(), or about to return from it:
  // the notification cannot fall between its check and its sleep. It is
  // sent before the unlock: once the mutex is free, a shutdown may drain
  // this entry, free the task and delete the runtime, scheduler and
  // condition variable included, before a later notify could run.
  if (sleepers_ > 0)
    work_arrived_.notify_one();
  return true;
}
// ANCHOR_END: shared_schedule

// ANCHOR: shared_next_task
TaskHeader* SharedQueueScheduler::next_task(std::size_t /*worker*/) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (closed_)
      return nullptr;  // what is still queued is drained, not run
    if (TaskHeader* task = queue_.pop())
      return task;
    ++sleepers_;
    parks_.fetch_add(1, std::memory_order_relaxed);
    trace::park();
    work_arrived_.wait(lock);
    trace::unpark();
    --sleepers_;
  }
}
// ANCHOR_END: shared_next_task

void SharedQueueScheduler::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  work_arrived_.notify_all();
}

TaskHeader* SharedQueueScheduler::drain() {
  std::lock_guard lock(mutex_);
  return queue_.pop();
}

}  // namespace art
