// executor_metrics.hpp: what an executor counts while it runs.
//
// Cheap counters kept by the executor's thread: how many tasks came in, how
// many finished or were cancelled, how many polls that took, and how long
// the executor was busy polling. Busy time is measured per batch (one clock
// reading when the executor starts working through its queue and one when
// it stops: the queue ran dry, or block_on's task is done), not per poll:
// two clock readings per poll would cost more than many of the polls.
#pragma once

#include <chrono>
#include <cstdint>

namespace art {

// ANCHOR: metrics
struct ExecutorMetrics {
  std::uint64_t spawned = 0;
  std::uint64_t completed = 0;  // returned Ready (or threw)
  std::uint64_t cancelled = 0;  // destroyed unfinished: aborted, or at shutdown
  std::uint64_t polls = 0;
  std::chrono::nanoseconds busy_time{0};  // time spent running ready tasks
};
// ANCHOR_END: metrics

}  // namespace art
