#include "art/hybrid_scheduler.hpp"

#include <algorithm>

namespace art {

void HybridScheduler::start(std::size_t workers) {
  WorkStealingScheduler::start(workers);  // checks the count, and refuses twice
  hot_ = std::make_unique<HotSide[]>(workers);  // NOLINT(modernize-avoid-c-arrays)
}

// ANCHOR: hybrid_schedule
bool HybridScheduler::schedule(TaskHeader* task) noexcept {
  // EXERCISE 10.2: a task's priority: one more for every time it is queued
  // HINT: the priority is how often the task was woken without finishing,
  // and every wake of such a task ends here, as its spawn did. Only the
  // holder of the task's single queue entry may touch the count, and the
  // caller holds it now: once the entry is handed over, it no longer does.
  // HINT 2: count before the hand-over, never after: the moment the entry
  // is in a queue, another worker may take it, run the task, and queue it
  // again, and two threads would write the same plain field.
  // STUB: return WorkStealingScheduler::schedule(task);  // every task stays at 0:
  // STUB:                                                // the hot queue is FIFO
  ++task->times_scheduled;
  return WorkStealingScheduler::schedule(task);
  // END EXERCISE
}
// ANCHOR_END: hybrid_schedule

// ANCHOR: hybrid_take_own
TaskHeader* HybridScheduler::take_own(std::size_t index) {
  Worker& me = worker(index);
  // The guard keeps the injector from starving behind a worker that always
  // has work of its own. Its own cold deque needs no guard: every refill
  // takes its oldest half.
  if (++me.tick % kFairnessInterval == 0)
    if (TaskHeader* task = take_injected(me))
      return task;
  Hot& hot = hot_[index].queue;
  if (hot.empty())
    refill(index);
  if (TaskHeader* task = hot.pop())
    return task;
  return take_injected(me);
}
// ANCHOR_END: hybrid_take_own

// ANCHOR: hybrid_refill
// The hot queue is empty: the older half of the cold deque (rounded up, so
// that a single entry moves too) goes into it, each task with the priority
// it has now. The younger half stays where thieves can reach it.
void HybridScheduler::refill(std::size_t index) {
  // EXERCISE 10.3: move the older half of the cold deque into the hot queue
  // HINT: thieves may take from the cold deque at any moment, the hot queue
  // is the owner's alone. Move the oldest entries, so that none waits in the
  // cold deque for ever behind newer ones, and leave the rest to thieves;
  // move at least one when there is one.
  // HINT 2: the priority to store is the count schedule() keeps on the
  // task; the owner may read it now, as it holds the entry.
  // HINT 3: the oldest entries are at the end thieves take from, and the
  // owner may take from there as a thief does.
  // STUB: if (TaskHeader* task = worker(index).deque.pop())  // one at a time, newest
  // STUB:   hot_[index].queue.push(task, task->times_scheduled);  // first: nothing to order
  Worker& me = worker(index);
  Hot& hot = hot_[index].queue;
  const std::size_t available = me.deque.size_hint();
  const std::size_t wanted = std::min(available - available / 2, Hot::kCapacity);
  std::size_t moved = 0;
  while (moved < wanted) {
    const Deque::Stolen oldest = me.deque.steal();
    if (oldest.item == nullptr) {
      if (oldest.contended)
        continue;  // a thief won that one: the deque may still hold more
      break;       // thieves took the rest
    }
    hot.push(oldest.item, oldest.item->times_scheduled);
    ++moved;
  }
  if (moved > 0)
    hot_[index].refills.fetch_add(1, std::memory_order_relaxed);  // a statistic
  // END EXERCISE
}
// ANCHOR_END: hybrid_refill

// ANCHOR: hybrid_drain
TaskHeader* HybridScheduler::drain() {
  // The workers have stopped: their hot queues are ours to empty too.
  for (std::size_t w = 0; hot_ != nullptr && w < worker_count(); ++w)
    if (TaskHeader* task = hot_[w].queue.pop())
      return task;
  return WorkStealingScheduler::drain();
}
// ANCHOR_END: hybrid_drain

std::size_t HybridScheduler::refills() const {
  std::size_t total = 0;
  for (std::size_t w = 0; hot_ != nullptr && w < worker_count(); ++w)
    total += hot_[w].refills.load(std::memory_order_relaxed);
  return total;
}

}  // namespace art
