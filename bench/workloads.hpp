// The scheduler workloads that every bench-<peer> program runs, and their sizes.
//
// The first four are tokio's, from benches/rt_multi_threaded.rs, with tokio's constants:
//
//   workload       tokio's function            tokio's constant    here
//   spawn_many     rt_multi_spawn_many_local   NUM_SPAWN = 10_000  kNumSpawn = 10'000
//   yield_many     rt_multi_yield_many         TASKS = 200         kYieldTasks = 200
//                                              NUM_YIELD = 1_000   kNumYield = 1'000
//   ping_pong      rt_multi_ping_pong          NUM_PINGS = 1_000   kNumPings = 1'000
//   chained_spawn  rt_multi_chained_spawn      ITER = 1_000        kChainIter = 1'000
//
// The sizes match, and so does the shape of each workload: who spawns whom, which channels carry
// what, and how the end is signalled. What differs is the runtime around them. Tokio runs them
// on a multi-threaded runtime with NUM_WORKERS = 4, and its root is a block_on that sleeps on a
// std::sync::mpsc channel until a worker sends "done". Here every peer runs them on one thread,
// the benchmark's own, so that a peer's figure is the cost of its scheduler and nothing else;
// the root is a task like the others, and "done" is a one-shot channel that wakes it. Tokio's
// one-shot channels each allocate their shared state; here a channel lives in the task that
// creates it (its coroutine frame, future object or fiber stack; for Asio's handlers, a slot
// reused from one iteration to the next) and allocates nothing, for every peer alike.
//
// The fifth, ping_pong_serial, is not tokio's: it measures something that the concurrent
// ping_pong does not (see below).
//
// Every peer must run exactly these workloads and sizes, register each workload under its name
// below with Unit(benchmark::kMicrosecond), verify its result (state.SkipWithError when it is
// wrong, so that a broken workload cannot report a fast time), and report its per-item cost with
// report_per_item(). One benchmark iteration is one whole workload.
#pragma once

#include <cstdint>

#include <benchmark/benchmark.h>

namespace art::bench {

// spawn_many (tokio's spawn_many_local): the root spawns kNumSpawn tasks and waits for a
// one-shot "done". Each task decrements a shared countdown; the one that brings it to zero sends
// "done". The cost of one spawn plus one run, with all the tasks in the queue at once.
inline constexpr int kNumSpawn = 10'000;

// yield_many: the root spawns kYieldTasks tasks, each of which yields kNumYield times (back to
// the end of the run queue) and then reports that it finished; the root waits until all of them
// have. (Tokio spawns them from the bench thread, and each sends on an mpsc channel that the
// bench thread receives from TASKS times; here the root spawns them, and the last one to finish
// sends "done", as in spawn_many.) The cost of one
// reschedule, with 200 tasks in the queue.
inline constexpr int kYieldTasks = 200;
inline constexpr int kNumYield = 1'000;

// ping_pong: the root spawns one task, which spawns kNumPings "ping" tasks, and waits for
// "done". Each ping creates two one-shot channels, spawns a "pong" task, sends on the first
// channel and awaits the second; the pong awaits the first and answers on the second. When the
// answer arrives, the ping decrements a shared countdown, and the ping that brings it to zero
// sends "done" to the root. All 1,000 pings are in flight at once. Per ping: two spawns and one
// wake through a channel (the pong's receive finds the ping's value already sent, so it does
// not wait). One iteration: 2,001 spawns from tasks, 1,001 wakes (the answers and "done") and
// 3,003 polls, the root's two included.
inline constexpr int kNumPings = 1'000;

// chained_spawn: the root spawns the first link of a chain and waits for "done". Link n spawns
// link n - 1; link 0 sends "done". Tokio's chain starts at ITER, so it has kChainIter + 1
// links, and one task in the queue at a time. The cost of a spawn with an empty queue.
inline constexpr int kChainIter = 1'000;
inline constexpr int kChainLinks = kChainIter + 1;

// ping_pong_serial (not tokio's): kSerialRounds round trips, one after the other, from the root.
// Each round: spawn a pong, send it a value through a one-shot channel, await its answer through
// another. The pong finds the value already there, so a round is one spawn and one wake (the
// answer waking the root): 1,000 spawns, 1,000 wakes and 2,001 polls per iteration. With never
// more than one task in the queue, it measures a round trip's latency, where ping_pong, with a
// thousand pings queued, measures throughput.
inline constexpr int kSerialRounds = 1'000;

// skewed (not tokio's; multi-threaded programs only, bench/threaded_peer.hpp): tasks of
// very unequal length, to show what a scheduler does with a worker that has nothing to
// do. The benchmark's thread spawns kSkewTasks tasks, one after the other, and waits for
// "done" (the Countdown, as in spawn_many). Task i is long when i % kSkewStride == 0
// (tasks 0, 64, 128 and 192: kSkewLongTasks of them) and short otherwise. A task's work
// is spin_work(steps): a long task kSkewLongSteps steps, a short one kSkewShortSteps
// (a thousandth of that). Each task adds its spin_work result to a
// shared checksum, which the benchmark thread compares with skew_checksum(), so that the
// work cannot be left out.
//
// The CPU work is the same on every side and in every schedule: 4 long tasks and 252
// short ones, the long ones about 94% of it (a millisecond or so each; a step's time
// depends on the core). What differs is how it is spread. With 2 workers and tasks taken
// from one queue, the long tasks land on whichever worker is free, and the wall-clock
// time is about half the CPU time. With tasks dealt out in turn, every second task goes
// to the same worker; the long tasks are kSkewStride (an even number) apart, so they all
// go to one worker, whose share of the short tasks waits behind them while the other
// worker runs out of work and sleeps: the wall-clock time is about the CPU time. So this
// row reports the wall-clock time beside the CPU time (bench_table.py).
inline constexpr int kSkewTasks = 256;
inline constexpr int kSkewStride = 64;
inline constexpr int kSkewLongTasks = kSkewTasks / kSkewStride;
inline constexpr std::uint64_t kSkewLongSteps = 1'000'000;
inline constexpr std::uint64_t kSkewShortSteps = 1'000;

inline constexpr bool skew_is_long(int task) { return task % kSkewStride == 0; }
inline constexpr std::uint64_t skew_steps(int task) {
  return skew_is_long(task) ? kSkewLongSteps : kSkewShortSteps;
}

// A fixed amount of CPU work that the compiler can neither skip nor fold: `steps` rounds
// of xorshift64, each depending on the one before, from a seed the optimiser cannot see
// through.
inline std::uint64_t spin_work(std::uint64_t steps) {
  std::uint64_t x = 0x9E3779B97F4A7C15ULL;
  benchmark::DoNotOptimize(x);
  for (std::uint64_t i = 0; i < steps; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  return x;
}

// What the checksum of one skewed iteration must be: the sum (wrapping) of every task's
// spin_work result.
inline std::uint64_t skew_checksum() {
  const std::uint64_t long_result = spin_work(kSkewLongSteps);
  const std::uint64_t short_result = spin_work(kSkewShortSteps);
  return long_result * kSkewLongTasks + short_result * (kSkewTasks - kSkewLongTasks);
}

// The per-item counters' names, one per kind of item, so that every peer's JSON uses the same
// keys: spawn_many and chained_spawn report per task, yield_many per yield, ping_pong per ping,
// ping_pong_serial per round, skewed per task.
inline constexpr const char* kPerTask = "ns_per_task";
inline constexpr const char* kPerYield = "ns_per_yield";
inline constexpr const char* kPerPing = "ns_per_ping";
inline constexpr const char* kPerRound = "ns_per_round";

// Reports the time per item (task, yield, round) next to the time per iteration: items per
// iteration, as a rate, inverted. The value is in seconds of CPU time, as Google Benchmark
// computes rates; its console table prints it with an SI prefix (25.1n is 25.1 ns), and
// bench_table.py rescales it to wall-clock nanoseconds, to match the time it reports.
inline void report_per_item(benchmark::State& state, const char* name, int items_per_iteration) {
  state.counters[name] =
      benchmark::Counter(items_per_iteration, benchmark::Counter::kIsIterationInvariantRate |
                                                  benchmark::Counter::kInvert);
}

}  // namespace art::bench
