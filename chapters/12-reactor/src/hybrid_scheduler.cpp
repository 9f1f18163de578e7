#include "art/hybrid_scheduler.hpp"

#include <algorithm>

namespace art {

void HybridScheduler::start(std::size_t workers) {
  WorkStealingScheduler::start(workers);  // checks the count, and refuses twice
  hot_ = std::make_unique<HotSide[]>(workers);  // NOLINT(modernize-avoid-c-arrays)
}

// ANCHOR: hybrid_schedule
bool HybridScheduler::schedule(TaskHeader* task) noexcept {
  ++task->times_scheduled;
  return WorkStealingScheduler::schedule(task);
}
// ANCHOR_END: hybrid_schedule

// ANCHOR: hybrid_take_own
TaskHeader* HybridScheduler::take_own(std::size_t index) {
  Worker& me = worker(index);
  // The guard keeps the injector from starving behind a worker that always
  // has work of its own. Its own cold deque needs no guard: every refill
  // takes its oldest half.
  if (++me.tick % kFairnessInterval == 0)
    if (TaskHeader* task = take_one_injected())
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
