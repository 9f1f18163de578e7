// runtime_metrics.hpp: what the workers did, summed over all of them.
#pragma once

#include <atomic>
#include <cstdint>

namespace art {

struct RuntimeMetrics {
  std::uint64_t polls = 0;
  std::uint64_t completed = 0;  // returned Ready (or threw)
  std::uint64_t cancelled = 0;  // destroyed unfinished: aborted, or at shutdown
  std::uint64_t parks = 0;      // times a worker went to sleep
};

// One worker's counters. Only that worker writes them, so an increment is a
// relaxed load and store, not a locked read-modify-write; other threads
// read them (relaxed: a statistic publishes nothing) for RuntimeMetrics.
struct alignas(64) WorkerCounters {
  std::atomic<std::uint64_t> polls{0};
  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::uint64_t> cancelled{0};

  static void bump(std::atomic<std::uint64_t>& counter) {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
};

}  // namespace art
