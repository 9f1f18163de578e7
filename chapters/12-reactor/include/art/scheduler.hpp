// scheduler.hpp: where a runnable task waits, and which worker runs it.
//
// The runtime (runtime_core.hpp) knows what a task is, how to poll it, how
// to complete and cancel it. What it leaves to a Scheduler is the policy:
// where a woken task waits, which worker takes it, and how a worker with
// nothing to do goes to sleep and is woken again. Chapter 07's scheduler is
// one shared queue; chapter 08's gives each worker its own queue; later
// chapters steal work and weigh priorities, all behind this interface.
//
// The contract:
//
//   * schedule(task) hands over a queue entry: the task's NOTIFIED bit is
//     set and the entry holds one reference. Any thread calls it, workers
//     and others alike. Once the scheduler is closed it refuses (returns
//     false) and the caller drops the reference.
//
//   * next_task(worker) is called only by that worker's thread. It returns
//     the next entry to run, or, when there is none, parks the thread until
//     there is one or the scheduler closes (then nullptr). No schedule() may
//     be lost while a worker parks: this is the parking invariant.
//
//   * close() wakes every parked worker and makes next_task return nullptr;
//     after the workers have stopped, drain() returns the entries still
//     queued, one by one, for the runtime to drop.
//
//   * drive(driver), before start(), offers the scheduler the reactor
//     (driver.hpp): a scheduler that accepts lets its idle workers sleep
//     in it, and the runtime starts no reactor thread. The default refuses.
//
// A virtual call per schedule and per next_task costs less than a
// nanosecond next to the lock each of them takes (bench/scheduler_dispatch.cpp).
#pragma once

#include <cstddef>

namespace art {

class Driver;
class TaskHeader;

// ANCHOR: scheduler
class Scheduler {
 public:
  virtual ~Scheduler() = default;

  virtual void start(std::size_t workers) = 0;  // once, before any other call but drive
  // true if this scheduler's idle workers will drive `driver`, which then
  // outlives them.
  virtual bool drive(Driver& /*driver*/) { return false; }
  // false once closed. Never throws: a wake that failed halfway would leave
  // NOTIFIED set with no entry, and the task would never run again.
  virtual bool schedule(TaskHeader* task) noexcept = 0;
  virtual TaskHeader* next_task(std::size_t worker) = 0;
  virtual void close() = 0;
  virtual TaskHeader* drain() = 0;  // after close and the workers' end

  // For tests and metrics: how many times a worker went to sleep.
  virtual std::size_t parks() const = 0;
};
// ANCHOR_END: scheduler

}  // namespace art
