// threaded_peer.hpp: what the multi-threaded programs (bench-ch07 to bench-ch10,
// bench-asio-shared, bench-asio-per-thread) share: how they register a workload at 1 and
// 2 workers, and how the benchmark's thread learns that a workload is done.
//
// The workloads and their sizes are those of workloads.hpp (tokio's four, and skewed;
// ping_pong_serial is a single-thread measure and is left out). What changes is who runs
// them. Here, as in tokio's benches/rt_multi_threaded.rs, worker threads run the tasks
// and the benchmark's thread plays tokio's root: it spawns what tokio's block_on future
// spawns (from outside the workers, as tokio's does), then sleeps until the task that
// finishes last says "done". Tokio says it on a std::sync::mpsc channel; here it is a
// Countdown: an atomic count of what is left and a condition variable that the last task
// signals (countdown.hpp). Both sides use this same Countdown.
//
// Each benchmark builds its runtime (its worker threads) once and reuses it for all its
// iterations, as tokio's bench builds its Runtime once.
#pragma once

#include <benchmark/benchmark.h>

#include "countdown.hpp"

namespace art::bench {

// Registers a workload at 1 and 2 workers (state.range(0); the name says workers:N, which
// bench_table.py groups by). The time is the CPU time of the whole process: the workers
// do the work, and the benchmark's thread, which Google Benchmark would otherwise measure
// alone, mostly sleeps. The wall-clock time is in the JSON output too; bench_table.py
// prints it for skewed, where a worker that sleeps while the other works is the point.
inline void at_one_and_two_workers(benchmark::internal::Benchmark* workload) {
  workload->ArgName("workers")
      ->Arg(1)
      ->Arg(2)
      ->Unit(benchmark::kMicrosecond)
      ->MeasureProcessCPUTime();
}

inline int workers(const benchmark::State& state) {
  return static_cast<int>(state.range(0));
}

}  // namespace art::bench
