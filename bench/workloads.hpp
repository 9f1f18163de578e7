// The four scheduler workloads that every bench-<peer> program runs, and their sizes.
//
// They are the standard ones from tokio's benches/rt_multi_threaded.rs, run here on one thread
// (the benchmark's own), so that a peer's figure is the cost of its scheduler and nothing else.
// Every peer must run exactly these sizes, register each workload under its name below with
// Unit(benchmark::kMicrosecond), verify its result (state.SkipWithError when it is wrong, so that
// a broken workload cannot report a fast time), and report its per-item cost with
// report_per_item(). One benchmark iteration is one whole workload.
#pragma once

#include <benchmark/benchmark.h>

namespace art::bench {

// spawn_many: from a root task, spawn kSpawnMany trivial tasks, each of which increments a
// counter; the iteration ends when all of them have run. The cost of one spawn plus one run.
inline constexpr int kSpawnMany = 10'000;

// yield_many: kYieldTasks tasks each yield kYieldsPerTask times (back to the end of the run
// queue) and then finish. The cost of one reschedule, with many tasks in the queue.
inline constexpr int kYieldTasks = 200;
inline constexpr int kYieldsPerTask = 1'000;

// ping_pong: kPingPongRounds round trips, one after the other. Each round: spawn a task, send it
// a value through a one-shot channel, the task replies through another one-shot channel, and the
// root awaits the reply. The cost of a spawn plus two wake-ups through a channel.
inline constexpr int kPingPongRounds = 1'000;

// chained_spawn: a chain of kChainLength spawns: each task spawns the next, and the last one
// signals that the chain is done. The cost of a spawn when the queue holds one task at a time.
inline constexpr int kChainLength = 1'000;

// The per-item counters' names, one per workload, so that every peer's JSON uses the same keys.
inline constexpr const char* kPerTask = "ns_per_task";    // spawn_many, chained_spawn
inline constexpr const char* kPerYield = "ns_per_yield";  // yield_many
inline constexpr const char* kPerRound = "ns_per_round";  // ping_pong

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
