// hybrid_scheduler.hpp: work stealing, with the worker's own tasks in order
// of priority.
//
// Work stealing runs a worker's own tasks newest first, which is fast and
// blind: when several tasks compete for something only one can hold at a
// time (a lock, a connection, a slot in a bounded queue), the one that just
// ran is the newest again and runs again, and the others keep losing until
// a fairness guard happens to pick them. A priority queue would let the
// losers go first, but a priority queue that thieves can share needs locks
// or a much harder lock-free structure.
//
// The hybrid scheduler needs neither. Each worker keeps two queues:
//
//   cold   chapter 09's Chase-Lev deque. Every task scheduled on this
//          worker lands here, and only here may thieves take from.
//   hot    a heap that only the owner touches (hot_queue.hpp), ordered
//          by how often each task has been woken without finishing.
//
// The owner runs its hot queue until it is empty, then moves the older
// half of its cold deque into it, sorted as it goes in. A task runs at most
// once per batch (a woken task goes back to the cold deque), so a task of
// high priority cannot keep the others out, and the younger half of the
// cold deque stays where an idle worker can steal it. The priority itself
// is a count the task carries (TaskHeader::times_scheduled): one more at
// every wake, so a task that keeps being woken, polled and put back moves
// ahead of one that has just arrived.
//
// Everything else is chapter 09's: the injector, the fairness guard for it
// every 61 ticks, searching, stealing half, parking.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

#include "art/hot_queue.hpp"
#include "art/work_stealing_scheduler.hpp"

namespace art {

// ANCHOR: hybrid
class HybridScheduler final : public WorkStealingScheduler {
 public:
  // At most half of a full cold deque moves at once.
  using Hot = HotQueue<kDequeCapacity / 2>;

  void start(std::size_t workers) override;
  bool schedule(TaskHeader* task) noexcept override;  // counts the wake
  TaskHeader* drain() override;                       // hot queues first

  std::size_t refills() const;  // batches moved from cold to hot, for tests

 private:
  TaskHeader* take_own(std::size_t index) override;
  void refill(std::size_t index);

  // What each worker keeps beside its cold deque: a cache line of its own.
  struct alignas(64) HotSide {
    Hot queue;                                 // the owner's thread only
    std::atomic<std::size_t> refills{0};       // a statistic, read by tests
  };

  std::unique_ptr<HotSide[]> hot_;  // NOLINT(modernize-avoid-c-arrays): cannot move
};
// ANCHOR_END: hybrid

}  // namespace art
