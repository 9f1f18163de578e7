// task_channel.hpp: how other threads hand tasks to an executor.
//
// The executor's own run queue is touched only by its thread, so it needs no
// lock. Everything that comes from elsewhere goes through this channel: new
// tasks from a Spawner on another thread, and tasks woken by another thread
// (a timer firing, a Completer completing). It is a mutex and two deques,
// plus a condition variable on which an executor with nothing to run sleeps
// until something arrives.
//
// `has_items` lets the executor check for work without taking the lock on
// every iteration of its loop. Closing the channel (at shutdown) hands back
// what it holds and refuses everything sent afterwards, so no task can slip
// into an executor that is gone.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "art/task_header.hpp"

namespace art {

// ANCHOR: task_channel
class TaskChannel {
 public:
  struct Batch {
    std::deque<TaskHeader*> spawned;  // new tasks, not yet in the live list
    std::deque<TaskHeader*> woken;    // known tasks, to be polled again
  };

  // Both return false once the channel is closed; the task was not taken.
  bool send_spawned(TaskHeader* task) { return send(task, &Batch::spawned); }
  bool send_woken(TaskHeader* task) { return send(task, &Batch::woken); }

  bool has_items() const { return has_items_.load(std::memory_order_acquire); }
  Batch receive();        // everything sent so far; never blocks
  void wait_for_items();  // sleeps until something was sent or it is closed
  Batch close();

 private:
  bool send(TaskHeader* task, std::deque<TaskHeader*> Batch::*queue);

  std::mutex mutex_;
  std::condition_variable arrived_;
  Batch batch_;
  bool closed_ = false;
  std::atomic<bool> has_items_{false};
};
// ANCHOR_END: task_channel

}  // namespace art
