#include "art/executor_core.hpp"

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "art/log.hpp"

namespace art {

namespace {

// ANCHOR: current
thread_local ExecutorCore* current_core = nullptr;

// Marks this thread as running `core` for one scope; restores the previous
// core after, so an executor driven from inside another's task works.
class CurrentCoreScope {
 public:
  explicit CurrentCoreScope(ExecutorCore* core)
      : previous_(std::exchange(current_core, core)) {}
  ~CurrentCoreScope() { current_core = previous_; }
  CurrentCoreScope(const CurrentCoreScope&) = delete;
  CurrentCoreScope& operator=(const CurrentCoreScope&) = delete;

 private:
  ExecutorCore* previous_;
};
// ANCHOR_END: current

// ANCHOR: running_scope
// Marks the core as running for one scope and adds the scope's duration to
// the busy time, whether the scope ends normally or by an exception.
class RunningScope {
 public:
  RunningScope(bool& running, std::chrono::nanoseconds& busy_time)
      : running_(running),
        busy_time_(busy_time),
        start_(std::chrono::steady_clock::now()) {
    running_ = true;
  }
  ~RunningScope() {
    busy_time_ += std::chrono::steady_clock::now() - start_;
    running_ = false;
  }
  RunningScope(const RunningScope&) = delete;
  RunningScope& operator=(const RunningScope&) = delete;

 private:
  bool& running_;
  std::chrono::nanoseconds& busy_time_;
  std::chrono::steady_clock::time_point start_;
};
// ANCHOR_END: running_scope

}  // namespace

ExecutorCore* ExecutorCore::current() { return current_core; }

void ExecutorCore::require_owner(const char* operation) const {
  if (std::this_thread::get_id() != owner_)
    throw std::logic_error(std::string("art::Executor::") + operation +
                           " called on a thread that does not own the executor (the thread "
                           "that created it runs it and spawns with Executor::spawn; other "
                           "threads spawn through a Spawner)");
}

// ANCHOR: spawn_paths
void ExecutorCore::spawn_local(TaskHeader* task) {
  if (shut_down_)
    refuse(task);
  admit(task);
}

void ExecutorCore::spawn_remote(TaskHeader* task) {
  bool sent = false;
  try {
    sent = channel_.send_spawned(task);
  } catch (...) {  // out of memory: the task never existed for the executor
    discard(task);
    throw;
  }
  if (!sent)
    refuse(task);
}

// A new task enters the run queue and the live list. The push, which can
// fail, comes first: a task that could not be queued is discarded whole.
void ExecutorCore::admit(TaskHeader* task) {
  try {
    run_queue_.push_back(task);
  } catch (...) {
    discard(task);
    throw;
  }
  live_.push(task);
  ++metrics_.spawned;
  logger().debug("executor: spawned task {} ({} live)", static_cast<void*>(task),
                 live_.size());
}

// ANCHOR_END: spawn_paths

// ANCHOR: discard
// A task that will never run: cancelled like a live task at shutdown; the
// executor gives back the references it would have held (live list and run
// queue). The JoinHandle keeps the task until dropped.
void ExecutorCore::discard(TaskHeader* task) {
  (void)cancel_task(task);  // its handle has not waited yet: nobody to wake
  task->release();          // live-list reference
  task->release();          // run-queue reference
}

void ExecutorCore::refuse(TaskHeader* task) {
  discard(task);
  throw ExecutorShutDown();
}
// ANCHOR_END: discard

// ANCHOR: enqueue
void ExecutorCore::enqueue(TaskHeader* task) {
  if (is_current()) {
    run_queue_.push_back(task);
  } else if (!channel_.send_woken(task)) {
    task->release();  // shut down: the task is (or is about to be) cancelled
  }
}

// ANCHOR_END: enqueue

// ANCHOR: receive_remote
void ExecutorCore::receive_remote() {
  TaskChannel::Batch batch = channel_.receive();
  while (!batch.spawned.empty()) {
    TaskHeader* task = batch.spawned.front();
    batch.spawned.pop_front();
    try {
      admit(task);
    } catch (...) {  // out of memory: the rest of the batch is discarded too
      for (TaskHeader* rest : batch.spawned)
        discard(rest);
      for (TaskHeader* woken : batch.woken)
        woken->unschedule();
      throw;
    }
  }
  requeue_woken(batch.woken);
}

// Tasks woken on other threads, already `scheduled`, each with its entry's
// reference. Those that cannot be queued go back to idle (unschedule).
void ExecutorCore::requeue_woken(std::deque<TaskHeader*>& woken) {
  while (!woken.empty()) {
    try {
      run_queue_.push_back(woken.front());
    } catch (...) {
      for (TaskHeader* task : woken)
        task->unschedule();
      throw;
    }
    woken.pop_front();
  }
}
// ANCHOR_END: receive_remote

// ANCHOR: run_ready
void ExecutorCore::run_ready(const TaskHeader* until_done) {
  require_owner("run");
  if (running_)
    throw std::logic_error("executor run from inside one of its own tasks");
  CurrentCoreScope scope(this);
  RunningScope running(running_, metrics_.busy_time);  // also when a poll throws
  for (;;) {
    if (channel_.has_items())
      receive_remote();
    if (run_queue_.empty())
      break;
    TaskHeader* task = run_queue_.front();
    run_queue_.pop_front();
    poll_task(task);
    if (until_done != nullptr && until_done->is_done())
      break;  // block_on's task: the others stay queued for the next run
  }
}
// ANCHOR_END: run_ready

// ANCHOR: poll_task
void ExecutorCore::poll_task(TaskHeader* task) {
  // EXERCISE 4.3: poll one task taken from the run queue
  // HINT: every queue entry holds one reference, and the poll needs one
  // too: account for each of them exactly once. A task cancelled while it
  // was queued is never polled. A Pending task that was woken during its
  // poll goes back to the queue once.
  // HINT 2: the state machine of TaskHeader decides everything: which
  // transition starts the poll, which one ends it, and what each one's
  // result means. The waker the poll hands out must keep the task alive
  // for as long as a future holds a clone of it.
  // HINT 3: a guard that can return early, a poll through a Context, and a
  // branch on its outcome (done, or Pending and perhaps woken).
  if (!task->start_running()) {
    task->release();  // cancelled while it waited in the queue
    return;
  }
  const Waker waker = task->waker();
  task->release();  // the queue's reference; the waker holds the task now
  Context cx(waker);
  ++metrics_.polls;
  if (task->poll_future(cx)) {
    complete(task);
  } else if (!task->finish_poll()) {
    requeue(task);  // woken while running: back of the queue, once
  }
  // END EXERCISE
}
// ANCHOR_END: poll_task

// ANCHOR: requeue
// A task that finish_poll() left `scheduled` needs a queue entry. If the
// entry cannot be made, the task must not stay `scheduled` in no queue.
void ExecutorCore::requeue(TaskHeader* task) {
  // EXERCISE 4.2: leave the running state after a Pending poll; requeue the task if woken
  // HINT: the hints of this exercise are at TaskHeader::finish_poll.
  task->retain();
  try {
    run_queue_.push_back(task);
  } catch (...) {
    task->unschedule();
    throw;
  }
  // END EXERCISE
}
// ANCHOR_END: requeue

// ANCHOR: complete
void ExecutorCore::complete(TaskHeader* task) {
  task->mark_done();
  ++metrics_.completed;
  live_.remove(task);
  logger().debug("executor: task {} done ({} live)", static_cast<void*>(task),
                 live_.size());
  task->notify_joiner();
  task->release();  // the live list's reference
}
// ANCHOR_END: complete

// ANCHOR: shutdown
// ANCHOR: shutdown_loop
void ExecutorCore::shutdown() {
  if (running_)
    throw std::logic_error("executor shut down from inside one of its own tasks");
  if (!shut_down_)
    logger().debug("executor: shutting down with {} live tasks", live_.size());
  shut_down_ = true;
  TaskChannel::Batch late = channel_.close();
  for (TaskHeader* task : late.spawned) {
    live_.push(task);  // never polled, but counted and cancelled like the others
    ++metrics_.spawned;
  }
  run_queue_.insert(run_queue_.end(), late.woken.begin(), late.woken.end());
  run_queue_.insert(run_queue_.end(), late.spawned.begin(), late.spawned.end());
  // Destroying a future can wake or release other tasks (a Completer
  // destroyed, a JoinHandle dropped), so repeat until both are empty.
  while (cancel_live_tasks() || release_queued_tasks()) {
  }
}
// ANCHOR_END: shutdown_loop

// ANCHOR: cancel_live_tasks
bool ExecutorCore::cancel_live_tasks() {
  if (live_.empty())
    return false;
  while (TaskHeader* task = live_.front()) {
    live_.remove(task);
    if (cancel_task(task))
      ++metrics_.cancelled;
    task->release();  // the list's reference
  }
  return true;
}
// ANCHOR_END: cancel_live_tasks

// ANCHOR: cancel_task
bool ExecutorCore::cancel_task(TaskHeader* task) {
  // EXERCISE 4.4: cancel one task: destroy its future, publish it, tell its joiner
  // HINT: a task is claimed for cancellation once (one that finished
  // meanwhile is left alone), its future destroyed now, and its joiner
  // told. A joiner must never see a task done while its future is still
  // being destroyed, and must never be woken before it would see it done.
  // HINT 2: the claim is a transition of the task's state, and what it
  // returns says whether there is anything to cancel. Everything a joiner
  // can observe comes after the destructors ran.
  // HINT 3: one guarded block of three steps; the result says whether the
  // task was cancelled here.
  if (!task->cancel())
    return false;         // finished meanwhile: nothing to cancel
  task->drop_future();    // runs the future's destructors now
  task->mark_done();      // only now: its join will throw TaskCancelled
  task->notify_joiner();  // and only now is the joiner told
  return true;
  // END EXERCISE
}
// ANCHOR_END: cancel_task
// ANCHOR_END: cancel_live_tasks

bool ExecutorCore::release_queued_tasks() {
  if (run_queue_.empty())
    return false;
  while (!run_queue_.empty()) {
    TaskHeader* task = run_queue_.front();
    run_queue_.pop_front();
    task->release();
  }
  return true;
}
// ANCHOR_END: shutdown

}  // namespace art
