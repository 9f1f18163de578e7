// round_robin_scheduler.hpp: one queue per worker, tasks dealt out in turn.
//
// Chapter 07's shared queue makes every worker take the same lock for every
// task. The first way out is to give each worker its own queue, with its own
// mutex and condition variable, and to deal the tasks out like cards: the
// first schedule goes to worker 0, the next to worker 1, and so on around.
// Two workers now meet on a lock only when one of them hands the other a
// task; a worker taking its next task meets nobody.
//
// The parking invariant, per worker: worker w sleeps only on its own
// condition variable, and only after it found its own queue empty and open
// while holding its own mutex; condition_variable::wait releases that mutex
// and starts sleeping in one step. A schedule() that picks worker w pushes
// under the same mutex and notifies if it saw w asleep. So either w saw the
// task, or w was already waiting when the notification came: no schedule()
// is lost, exactly as in chapter 07, once per queue. Nothing else ever wakes
// w, and nothing else needs to: w runs only what is in its own queue.
//
// That is also where round robin falls short. A task's place is decided
// when it is scheduled, by a counter that knows nothing of how long the
// tasks ahead of it will run. A worker stuck in a long poll keeps its queue
// waiting while the other worker, its own queue empty, sleeps.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

#include "art/run_queue.hpp"
#include "art/scheduler.hpp"

namespace art {

// ANCHOR: round_robin
class RoundRobinScheduler final : public Scheduler {
 public:
  // More than any machine has cores: a larger count is a mistake, such as a
  // negative number turned into a size_t.
  static constexpr std::size_t kMaxWorkers = 4096;

  void start(std::size_t workers) override;
  bool schedule(TaskHeader* task) noexcept override;   // to the next worker in turn
  TaskHeader* next_task(std::size_t worker) override;  // from its own queue only
  void close() override;
  TaskHeader* drain() override;
  std::size_t parks() const override;  // summed over the workers

  std::size_t parks_of(std::size_t worker) const;  // for tests and the demo

 private:
  // One worker's queue: everything in it is guarded by `mutex`, except
  // `parks`, a statistic read without the lock.
  struct alignas(64) WorkerQueue {
    std::mutex mutex;
    std::condition_variable work_arrived;
    RunQueue tasks;
    bool sleeping = false;  // its worker is inside wait(): only then notify
    bool closed = false;
    std::atomic<std::size_t> parks{0};
  };

  std::size_t next_worker() noexcept;

  // NOLINTNEXTLINE(modernize-avoid-c-arrays): sized at start(); a queue cannot move
  std::unique_ptr<WorkerQueue[]> queues_;
  std::size_t workers_ = 0;
  // The turns, shared by every thread that schedules (next_worker says
  // which memory order it is used with, and why). A line of its own: every
  // schedule writes it, and the fields above are read by every next_task.
  alignas(64) std::atomic<std::size_t> turn_{0};
};
// ANCHOR_END: round_robin

}  // namespace art
