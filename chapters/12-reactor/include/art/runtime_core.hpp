// runtime_core.hpp: the workers, and what they do with a task.
//
// A RuntimeCore owns N worker threads, a Scheduler and the list of live
// tasks (OwnedTasks). Each worker runs the same loop:
//
//     while (task = scheduler.next_task(me))     parks inside when idle
//       run_task(task)                            one poll, then one transition
//
// and run_task is where the state word's transitions meet the scheduler,
// and where a task meets the cooperative budget (budget.hpp): every poll
// starts with `budget_tokens`, and no poll sees another's tokens:
//
//     to_running ──run──▶ poll ──Ready──▶ complete: joiner woken, list left
//         │                 └──Pending──▶ to_idle ──idle────▶ drop the entry
//         │                                  ├──requeue─▶ schedule again
//         └──cancel─────────────────────────┴──cancel──▶ drop the future,
//                                                          complete
//
// The core lives as long as anything can still reach it: the Runtime, every
// Spawner, and every task (a waker may wake a task after the Runtime is
// gone: the wake must still find a scheduler to refuse it). Each holds one
// count of `lifetime_`; the last to let go deletes the core. tokio does the
// same with an Arc of its handle in every task.
//
// From chapter 12 the core also owns the Reactor (reactor.hpp), placed as
// the options say: driven by the idle workers (the default), or on a
// thread of its own that starts with the workers. Either way it stops only
// after the workers stopped and every task was cancelled, so that every
// registration a task held is gone before the reactor marks the rest as
// shut down.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "art/budget.hpp"
#include "art/owned_tasks.hpp"
#include "art/reactor.hpp"
#include "art/runtime_metrics.hpp"
#include "art/scheduler.hpp"
#include "art/task_header.hpp"

namespace art {

// Thrown by a spawn on a runtime that has shut down; the future is destroyed.
class RuntimeShutDown : public std::runtime_error {
 public:
  RuntimeShutDown() : std::runtime_error("spawn on a runtime that has shut down") {}
};

// Where the reactor runs (reactor.hpp explains both).
enum class ReactorPlacement {
  workers,     // a worker with nothing to run sleeps in epoll_wait
  own_thread,  // a thread of its own, one more than the workers
};

// ANCHOR: core
class RuntimeCore {
 public:
  // The runtime this thread is a worker of, or nullptr.
  static RuntimeCore* current();

  // Refuses no worker, no scheduler, a budget outside 1..Budget::kMaxTokens,
  // and the workers placement with a scheduler that cannot drive.
  RuntimeCore(std::size_t workers, std::unique_ptr<Scheduler> scheduler,
              std::uint32_t budget_tokens = Budget::kDefaultTokens,
              ReactorPlacement placement = ReactorPlacement::workers);
  RuntimeCore(const RuntimeCore&) = delete;
  RuntimeCore& operator=(const RuntimeCore&) = delete;
  void start();  // launches the workers

  TaskId new_task_id();
  // Lists and queues a new task; throws RuntimeShutDown, destroying it, once closed.
  void admit(TaskHeader* task);
  void schedule(TaskHeader* task);  // a queue entry; dropped if refused
  void shutdown();                  // any thread but a worker; idempotent

  // The count that keeps the core alive (see the file's comment).
  void retain() { lifetime_.fetch_add(1, std::memory_order_relaxed); }
  void release();
  void task_freed() { release(); }

  // The reactor of this runtime: IO objects made in its tasks register here.
  Reactor& reactor() const { return *reactor_; }

  std::size_t workers() const { return worker_count_; }
  ReactorPlacement reactor_placement() const { return placement_; }
  std::uint32_t budget_tokens() const { return budget_tokens_; }
  std::size_t live_tasks() const { return owned_.size(); }
  RuntimeMetrics metrics() const;

 private:
  ~RuntimeCore() = default;  // only release() deletes it

  void run_worker(std::size_t index);
  void run_task(TaskHeader* task, WorkerCounters& counters);
  void cancel(TaskHeader* task, WorkerCounters& counters);
  void complete(TaskHeader* task, bool listed);
  static void wake_joiner(TaskHeader* task) noexcept;
  void shut_down_task(TaskHeader* task);
  static void flush_trace() noexcept;

  const std::size_t worker_count_;
  const std::uint32_t budget_tokens_;  // every poll starts with this many
  const ReactorPlacement placement_;
  std::unique_ptr<Scheduler> scheduler_;
  // Shared with every Registration, which may outlive the core (reactor.hpp).
  std::shared_ptr<Reactor> reactor_;
  OwnedTasks owned_;
  std::unique_ptr<WorkerCounters[]> counters_;  // one per worker, and one for shutdown
  std::vector<std::thread> threads_;
  // Relaxed: ids only need to be distinct, and fetch_add makes them so.
  std::atomic<std::uint64_t> next_id_{1};
  // Increments are relaxed: a new holder is made by one that already holds
  // a count, so the count cannot reach zero meanwhile. The decrement is
  // acq_rel, as for a task's references (TaskStateWord::release).
  std::atomic<std::uint64_t> lifetime_{1};  // the Runtime's
  std::mutex shutdown_mutex_;               // a second shutdown waits for the first
  bool shut_down_ = false;                  // guarded by shutdown_mutex_
  // The thread inside shutdown(), so that a re-entry from code it runs is
  // refused rather than deadlocked. Relaxed: a thread compares it only with
  // its own id, which it can read back only if it stored it itself.
  std::atomic<std::thread::id> shutting_down_on_{};
};
// ANCHOR_END: core

}  // namespace art
