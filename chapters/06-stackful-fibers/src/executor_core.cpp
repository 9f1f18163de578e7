#include "art/executor_core.hpp"

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "art/log.hpp"

namespace art {

namespace {

// Marks this thread as running `core` for one scope; restores the previous
// core after, so an executor driven from inside another's task works.
class CurrentCoreScope {
 public:
  explicit CurrentCoreScope(ExecutorCore* core)
      : previous_(std::exchange(detail::current_core, core)) {}
  ~CurrentCoreScope() { detail::current_core = previous_; }
  CurrentCoreScope(const CurrentCoreScope&) = delete;
  CurrentCoreScope& operator=(const CurrentCoreScope&) = delete;

 private:
  ExecutorCore* previous_;
};

// Marks the core as running for one scope and adds the scope's duration to
// the busy time, whether the scope ends normally or by an exception.
class RunningScope {
 public:
  RunningScope(bool& running, std::chrono::nanoseconds& busy_time)
      : running_(running), busy_time_(busy_time), start_(std::chrono::steady_clock::now()) {
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

}  // namespace

void ExecutorCore::require_owner(const char* operation) const {
  if (std::this_thread::get_id() != owner_)
    throw std::logic_error(std::string("art::Executor::") + operation +
                           " called on a thread that does not own the executor (the thread "
                           "that created it runs it, spawns and aborts; other threads spawn "
                           "through a Spawner)");
}

// ANCHOR: free_task_slot
void ExecutorCore::free_task_slot(TaskId id) noexcept {
  // Non-null only for the last slot of an executor that is gone: dropping
  // it destroys this core, so nothing may touch `this` afterwards.
  std::shared_ptr<void> last_owner = slab_.free(id, is_current());
}
// ANCHOR_END: free_task_slot

// ANCHOR: hold
// The live list and the slab's held marks change together: a task is in
// the list exactly while the executor holds its reference (see abort).
void ExecutorCore::hold(TaskHeader* task) {
  live_.push(task);
  slab_.set_held(task->id().index, true);
}

void ExecutorCore::let_go(TaskHeader* task) {
  live_.remove(task);
  slab_.set_held(task->id().index, false);
}
// ANCHOR_END: hold

// A task that could not be spawned: never polled, its future destroyed now.
void ExecutorCore::refuse(TaskHeader* task) {
  (void)task->cancel();
  task->drop_future();
  task->mark_done();
  task->release();  // the executor's reference; the JoinHandle keeps the other
}

void ExecutorCore::spawn_local(TaskHeader* task) {
  if (shut_down_) {
    refuse(task);
    throw ExecutorShutDown();
  }
  admit(task);
}

// A new task enters the live list and the run queue.
void ExecutorCore::admit(TaskHeader* task) {
  hold(task);
  ++metrics_.spawned;
  run_queue_.push(task);
}

void ExecutorCore::spawn_remote(TaskHeader* task) {
  if (!channel_.send_spawned(task)) {
    refuse(task);
    throw ExecutorShutDown();
  }
}

void ExecutorCore::enqueue(TaskHeader* task) {
  if (is_current()) {
    run_queue_.push(task);
  } else {
    // Refused once shut down: then the task is (or is about to be)
    // cancelled, and the executor's reference is released by shutdown.
    channel_.send_woken(task);
  }
}

void ExecutorCore::receive_remote() {
  TaskChannel::Batch batch = channel_.receive();
  while (TaskHeader* task = batch.spawned.pop())
    admit(task);
  run_queue_.append(batch.woken);
}

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
    TaskHeader* task = run_queue_.pop();
    if (task == nullptr)
      break;
    poll_task(task);
    if (until_done != nullptr && until_done->is_done())
      break;  // block_on's task: the others stay queued for the next run
  }
}
// ANCHOR_END: run_ready

// ANCHOR: poll_task
void ExecutorCore::poll_task(TaskHeader* task) {
  if (!task->start_running()) {
    // Aborted while it waited in the queue: now that no queue holds it,
    // it can leave the live list and give up the executor's reference.
    let_go(task);
    task->release();
    return;
  }
  const TaskHeader::LentWaker waker = task->lend_waker();  // no reference count traffic
  Context cx(waker.get());
  ++metrics_.polls;
  if (task->poll_future(cx)) {
    complete(task);
  } else if (!task->finish_poll()) {
    run_queue_.push(task);  // woken while running: back of the queue, once
  }
}
// ANCHOR_END: poll_task

void ExecutorCore::complete(TaskHeader* task) {
  task->mark_done();
  ++metrics_.completed;
  let_go(task);
  task->notify_joiner();
  task->release();  // the executor's reference
}

// ANCHOR: abort
bool ExecutorCore::abort(TaskId id) {
  void* memory = slab_.get(id);
  if (memory == nullptr)
    return false;  // a stale id: the task is gone, its slot may hold another
  auto* task = static_cast<TaskHeader*>(memory);
  const TaskHeader::State was = task->cancel();
  if (was != TaskHeader::State::idle && was != TaskHeader::State::scheduled)
    return false;  // done already, or it is the task running right now
  finish_cancelled(task);
  if (was == TaskHeader::State::idle) {  // in no queue: let it go now
    let_go(task);
    task->release();
  }  // else poll_task lets it go when it comes out of its queue
  return true;
}
// ANCHOR_END: abort

// ANCHOR: shutdown
void ExecutorCore::shutdown() {
  if (running_)
    throw std::logic_error("executor shut down from inside one of its own tasks");
  if (!shut_down_)
    logger().debug("executor: shutting down with {} live tasks", live_.size());
  shut_down_ = true;
  TaskChannel::Batch late = channel_.close();
  while (TaskHeader* task = late.spawned.pop()) {
    hold(task);  // never polled, but counted and cancelled like the others
    ++metrics_.spawned;
  }
  // Queue entries hold no references: forgetting them is enough, and must
  // happen before the tasks can be freed below.
  run_queue_ = RunQueue{};
  while (TaskHeader* task = live_.front())
    cancel(task);
}

void ExecutorCore::cancel(TaskHeader* task) {
  let_go(task);
  // Destroying the future may wake other tasks (they cannot be enqueued any
  // more: the channel is closed) or drop their handles: both are safe,
  // because each of those tasks is still held by its own executor reference.
  const TaskHeader::State was = task->cancel();
  if (was == TaskHeader::State::idle || was == TaskHeader::State::scheduled)
    finish_cancelled(task);
  task->release();
}
// ANCHOR_END: shutdown

// ANCHOR: finish_cancelled
// A task claimed for cancellation (cancelling): its future destroyed first,
// so that a joiner that sees it done finds the future gone; then published
// done, then its joiner told.
void ExecutorCore::finish_cancelled(TaskHeader* task) {
  task->drop_future();
  ++metrics_.cancelled;
  task->mark_done();
  task->notify_joiner();
}
// ANCHOR_END: finish_cancelled

}  // namespace art
