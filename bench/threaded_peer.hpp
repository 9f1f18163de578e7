// threaded_peer.hpp: what the multi-threaded programs (bench-ch07, bench-ch08,
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
// signals. Both sides use this same Countdown.
//
// Each benchmark builds its runtime (its worker threads) once and reuses it for all its
// iterations, as tokio's bench builds its Runtime once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include <benchmark/benchmark.h>

namespace art::bench {

// How long the benchmark's thread waits for "done" before it calls the workload broken: a
// lost wake-up must end in an error, not in a hang. A healthy iteration takes
// milliseconds.
inline constexpr std::chrono::seconds kDoneTimeout{10};

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

// Tokio's `rem` and its "done" channel. reset() arms it for one iteration, before
// anything is spawned; count_down() is called from any worker; wait() is the benchmark
// thread's recv(). One Countdown serves every iteration of a benchmark and outlives its
// workers, so a worker still inside count_down() when the benchmark's thread moves on
// touches nothing that is gone.
class Countdown {
 public:
  void reset(int count) {
    // Relaxed: whatever the workers read of it comes to them through the spawn (or post)
    // that hands them their first task, which takes the run queue's mutex after this
    // store.
    left_.store(count, std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    done_ = false;
  }

  void count_down() {
    // acq_rel: each decrement releases what its task wrote (the yields it counted, a
    // wrong answer) and acquires what the earlier ones released, so the last one carries
    // all of it to open(), whose mutex hands it to the benchmark's thread.
    if (left_.fetch_sub(1, std::memory_order_acq_rel) == 1)
      open();
  }

  // True once the count reached zero; false after kDoneTimeout without it.
  bool wait() {
    std::unique_lock lock(mutex_);
    return done_arrived_.wait_for(lock, kDoneTimeout, [this] { return done_; });
  }

 private:
  void open() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_arrived_.notify_one();
  }

  std::atomic<int> left_{0};
  std::mutex mutex_;
  std::condition_variable done_arrived_;
  bool done_ = false;  // guarded by mutex_
};

}  // namespace art::bench
