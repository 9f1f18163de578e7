// executor_core.hpp: the shared state behind an Executor.
//
// The core owns everything an executor schedules with:
//
//   run_queue_  tasks ready to be polled, in order; executor thread only
//   channel_    tasks that other threads spawned or woke (TaskChannel)
//   live_       every task not yet done, so shutdown can cancel the idle ones
//   metrics_    counters (ExecutorMetrics)
//
// It is held by shared_ptr: by the Executor, by every Spawner, and by every
// task, because a task woken from another thread must still find a channel
// to be sent through, even while (or after) the executor shuts down.
//
// Which thread is "the executor's thread"? The one inside run_ready(), which
// marks itself in a thread-local. A wake on that thread pushes straight onto
// the run queue; a wake from any other thread goes through the channel.
//
// And only one thread may be inside run_ready(): the core's owner, the thread
// that created it (with its Executor), which is also the only one that spawns
// with Executor::spawn. The run queue and the live list have no lock, so
// require_owner() turns a call from any other thread into a std::logic_error
// instead of a data race; other threads spawn through a Spawner.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <stdexcept>
#include <thread>

#include "art/executor_metrics.hpp"
#include "art/task_channel.hpp"
#include "art/task_header.hpp"
#include "art/task_list.hpp"

namespace art {

// ANCHOR: core
// ANCHOR: core_api
class ExecutorCore : public std::enable_shared_from_this<ExecutorCore> {
 public:
  // The core whose tasks this thread is running right now, or nullptr.
  static ExecutorCore* current();
  bool is_current() const { return current() == this; }
  // Throws std::logic_error, naming `operation`, on any thread but the owner.
  void require_owner(const char* operation) const;

  void spawn_local(TaskHeader* task);   // the owner thread
  void spawn_remote(TaskHeader* task);  // any thread; throws once shut down
  void enqueue(TaskHeader* task);       // a woken task (TaskHeader::schedule)

  // Polls until no task is ready, or until `until_done` is done; never blocks.
  void run_ready(const TaskHeader* until_done = nullptr);
  bool is_running() const { return running_; }  // inside run_ready, on this thread
  void wait_for_remote_work() { channel_.wait_for_items(); }
  void shutdown();  // cancels every live task; idempotent

  std::size_t live_tasks() const { return live_.size(); }
  const ExecutorMetrics& metrics() const { return metrics_; }
  // ANCHOR_END: core_api

  // ANCHOR: core_state
 private:
  void admit(TaskHeader* task);
  void discard(TaskHeader* task);
  [[noreturn]] void refuse(TaskHeader* task);
  void receive_remote();
  void requeue_woken(std::deque<TaskHeader*>& woken);
  void poll_task(TaskHeader* task);
  void requeue(TaskHeader* task);
  void complete(TaskHeader* task);
  bool cancel_live_tasks();
  bool cancel_task(TaskHeader* task);  // false if it was done already
  bool release_queued_tasks();

  const std::thread::id owner_ = std::this_thread::get_id();
  std::deque<TaskHeader*> run_queue_;
  TaskChannel channel_;
  TaskList live_;
  ExecutorMetrics metrics_;
  bool running_ = false;
  bool shut_down_ = false;
};
// ANCHOR_END: core_state
// ANCHOR_END: core

// Thrown when a task is spawned on an executor that has shut down.
class ExecutorShutDown : public std::runtime_error {
 public:
  ExecutorShutDown() : std::runtime_error("spawn on an executor that has shut down") {}
};

}  // namespace art
