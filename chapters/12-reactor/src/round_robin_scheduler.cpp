#include "art/round_robin_scheduler.hpp"

#include <stdexcept>
#include <string>
#include <thread>  // the students' first version of next_task yields

#include "art/trace.hpp"

namespace art {

void RoundRobinScheduler::start(std::size_t workers) {
  if (queues_ != nullptr)
    throw std::logic_error(
        "RoundRobinScheduler::start called twice: a scheduler serves one runtime");
  if (workers == 0)
    throw std::invalid_argument("RoundRobinScheduler::start needs at least one worker");
  if (workers > kMaxWorkers)
    throw std::invalid_argument(
        "RoundRobinScheduler::start: asked for " + std::to_string(workers) +
        " workers, at most " + std::to_string(kMaxWorkers) +
        " are allowed (a negative count converted to size_t looks like this)");
  queues_ = std::make_unique<WorkerQueue[]>(workers);  // NOLINT(modernize-avoid-c-arrays)
  workers_ = workers;
}

// ANCHOR: next_worker
std::size_t RoundRobinScheduler::next_worker() noexcept {
  // One read-modify-write: each caller gets a turn of its own, whatever the
  // interleaving. Relaxed: nothing is published through the counter; the
  // task reaches its worker through that queue's mutex.
  return turn_.fetch_add(1, std::memory_order_relaxed) % workers_;
}
// ANCHOR_END: next_worker

// ANCHOR: schedule
bool RoundRobinScheduler::schedule(TaskHeader* task) noexcept {
  if (workers_ == 0)
    return false;  // not started: no worker to take it, refused as if closed
  WorkerQueue& target = queues_[next_worker()];
  std::lock_guard lock(target.mutex);
  if (target.closed)
    return false;
  target.tasks.push(task);
  // Under the lock: once it is released, a shutdown may drain this entry,
  // free the task and with it the whole runtime, this queue included.
  if (target.sleeping)
    target.work_arrived.notify_one();  // its one sleeper is the worker we chose
  return true;
}
// ANCHOR_END: schedule

// ANCHOR: next_task
TaskHeader* RoundRobinScheduler::next_task(std::size_t worker) {
  WorkerQueue& own = queues_[worker];
  std::unique_lock lock(own.mutex);
  for (;;) {
    if (own.closed)
      return nullptr;
    if (TaskHeader* task = own.tasks.pop())
      return task;
    own.sleeping = true;
    own.parks.fetch_add(1, std::memory_order_relaxed);  // a statistic: publishes nothing
    trace::park();
    own.work_arrived.wait(lock);
    trace::unpark();
    own.sleeping = false;
  }
}
// ANCHOR_END: next_task

// ANCHOR: close_drain
void RoundRobinScheduler::close() {
  for (std::size_t w = 0; w < workers_; ++w) {
    WorkerQueue& queue = queues_[w];
    std::lock_guard lock(queue.mutex);
    queue.closed = true;
    queue.work_arrived.notify_one();  // its worker, if it sleeps
  }
}

TaskHeader* RoundRobinScheduler::drain() {
  for (std::size_t w = 0; w < workers_; ++w) {
    std::lock_guard lock(queues_[w].mutex);
    if (TaskHeader* task = queues_[w].tasks.pop())
      return task;
  }
  return nullptr;
}
// ANCHOR_END: close_drain

std::size_t RoundRobinScheduler::parks() const {
  std::size_t total = 0;
  for (std::size_t w = 0; w < workers_; ++w)
    total += parks_of(w);
  return total;
}

std::size_t RoundRobinScheduler::parks_of(std::size_t worker) const {
  if (worker >= workers_)
    throw std::out_of_range("RoundRobinScheduler::parks_of: no such worker");
  return queues_[worker].parks.load(std::memory_order_relaxed);  // a statistic
}

}  // namespace art
