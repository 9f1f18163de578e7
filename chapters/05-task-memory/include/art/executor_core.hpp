// executor_core.hpp: the shared state behind an Executor.
//
// As in chapter 04 the core owns the run queue, the channel from other
// threads, the list of live tasks and the metrics. New in this chapter:
//
//   slab_       the TaskSlab every task of this executor lives in
//   make_task   builds a task in a slab slot (boxing a future that is too
//               big), instead of `new`
//   abort(id)   cancels a task named by its TaskId; a stale id, or an id of
//               another executor's task, is refused
//
// and the run queue is an intrusive RunQueue rather than a std::deque. After
// warm-up (the slab and the frame pool have grown to the peak number of live
// tasks) spawning, polling and completing a task allocate nothing.
//
// The core is owned by the thread that created it (with its Executor): the
// only thread that runs it, spawns on it with Executor::spawn and aborts its
// tasks, because the run queue, the live list and the slab's held marks have
// no lock. require_owner() turns a call from any other thread into a
// std::logic_error instead of a data race; other threads spawn through a
// Spawner, which goes through the channel.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <stdexcept>
#include <thread>
#include <utility>

#include "art/executor_metrics.hpp"
#include "art/run_queue.hpp"
#include "art/task_cell.hpp"
#include "art/task_channel.hpp"
#include "art/task_header.hpp"
#include "art/task_list.hpp"
#include "art/task_slab.hpp"

namespace art {

namespace detail {
inline thread_local ExecutorCore* current_core = nullptr;  // see ExecutorCore::current
}  // namespace detail

// ANCHOR: core
class ExecutorCore {
 public:
  // The core whose tasks this thread is running right now, or nullptr.
  static ExecutorCore* current() { return detail::current_core; }
  bool is_current() const { return current() == this; }
  // Throws std::logic_error, naming `operation`, on any thread but the owner.
  void require_owner(const char* operation) const;

  // Cell is TaskCell, except in a test of a cell laid out otherwise.
  template <class F, class Cell = TaskCell<SlotFuture<F>>>
  TaskOutput<typename F::Output>* make_task(F future);
  void free_task_slot(TaskId id) noexcept;
  // Called by ~Executor: if task slots are still in use, the core keeps
  // itself alive (through `self`) until the last of them is freed.
  void outlive_executor(std::shared_ptr<ExecutorCore> self) { slab_.orphan(std::move(self)); }

  void spawn_local(TaskHeader* task);   // the owner thread
  void spawn_remote(TaskHeader* task);  // any thread; throws once shut down
  void enqueue(TaskHeader* task);       // a woken task (TaskHeader::schedule)
  bool abort(TaskId id);                // the owner; false if stale, foreign or done

  // Polls until no task is ready, or until `until_done` is done; never blocks.
  void run_ready(const TaskHeader* until_done = nullptr);
  bool is_running() const { return running_; }  // inside run_ready, on this thread
  void wait_for_remote_work() { channel_.wait_for_items(); }
  void shutdown();  // cancels every live task; idempotent

  std::size_t live_tasks() const { return live_.size(); }
  const ExecutorMetrics& metrics() const { return metrics_; }
  const TaskSlab& slab() const { return slab_; }

 private:
  void hold(TaskHeader* task);    // into the live list, marked held in the slab
  void let_go(TaskHeader* task);  // out of both; the caller then releases
  void admit(TaskHeader* task);   // into the live list and the run queue
  void receive_remote();
  void poll_task(TaskHeader* task);
  void complete(TaskHeader* task);
  void cancel(TaskHeader* task);
  void finish_cancelled(TaskHeader* task);  // after cancel(): destroy, publish, tell
  void refuse(TaskHeader* task);

  const std::thread::id owner_ = std::this_thread::get_id();
  TaskSlab slab_;
  RunQueue run_queue_;
  TaskChannel channel_;
  TaskList live_;
  ExecutorMetrics metrics_;
  bool running_ = false;
  bool shut_down_ = false;
};
// ANCHOR_END: core

// Thrown when a task is spawned on an executor that has shut down.
class ExecutorShutDown : public std::runtime_error {
 public:
  ExecutorShutDown() : std::runtime_error("spawn on an executor that has shut down") {}
};

// ANCHOR: make_task
template <class F, class Cell>
TaskOutput<typename F::Output>* ExecutorCore::make_task(F future) {
  static_assert(
      sizeof(Cell) <= TaskSlab::kSlotBytes,
      "the task's output is too big for a slot: return it in a std::unique_ptr");
  static_assert(alignof(Cell) <= TaskSlab::kSlotAlignment,
                "the task's output needs more alignment than a slot has: "
                "return it in a std::unique_ptr");
  const TaskSlab::Allocation slot = slab_.allocate(is_current());
  Cell* cell = nullptr;
  try {
    cell = new (slot.memory) Cell(SlotFuture<F>(std::move(future)), this, slot.id);
    // abort() turns a slot's address back into its TaskHeader: true for this
    // single-inheritance chain on the ABIs we build for, checked, not assumed
    // (the compiler folds the check to a constant).
    if (static_cast<void*>(static_cast<TaskHeader*>(cell)) != slot.memory)
      throw std::logic_error(
          "make_task: the TaskHeader does not start the task's slot");
    return cell;
  } catch (...) {
    // Nobody holds the task yet: it goes with its slot. The executor is
    // alive, so the free hands back no owner.
    if (cell != nullptr)
      cell->~Cell();
    (void)slab_.free(slot.id, is_current());
    throw;
  }
}
// ANCHOR_END: make_task

}  // namespace art
