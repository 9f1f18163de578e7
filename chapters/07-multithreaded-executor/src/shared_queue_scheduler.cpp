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
  // EXERCISE 7.4: take the next task, or sleep until there is one
  // HINT: the parking invariant: a worker may go to sleep only if no
  // schedule() can slip in between its "the queue is empty" and its sleep.
  // Here the mutex gives that, if the check and the wait happen under it.
  // A closed scheduler answers nullptr, even to a sleeping worker.
  // HINT 2: a condition variable may wake a thread for no reason, and a
  // schedule() notifies only when it counted a sleeper: keep the count
  // exact around the wait, and check again after every wake. (The trace's
  // park and unpark points go around the sleep.)
  // HINT 3: a loop under one lock, which answers when it can (closed, or
  // a task) and otherwise sleeps as a counted sleeper; parks are counted.
  // STUB: for (;;) {  // works, but spins: an idle worker burns a whole core
  // STUB:   {
  // STUB:     std::lock_guard lock(mutex_);
  // STUB:     if (closed_)
  // STUB:       return nullptr;
  // STUB:     if (TaskHeader* task = queue_.pop())
  // STUB:       return task;
  // STUB:   }
  // STUB:   std::this_thread::yield();
  // STUB: }
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
  // END EXERCISE
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
