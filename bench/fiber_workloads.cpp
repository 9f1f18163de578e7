// bench-ch06: the workloads of workloads.hpp with chapter 06's fiber tasks: every task is an
// ordinary function on a pooled stack, and waiting is art::await instead of co_await. Set beside
// bench-ch05 (the same executor with coroutine tasks), the difference is the cost of a stack
// switch against a coroutine resume.
//
// A channel or countdown lives on the stack of the fiber that creates it, and that fiber waits
// until no other fiber needs it any more.
//
// ping_pong keeps about 2,000 fibers waiting at once, more than the shared StackPool keeps
// between bursts (kDefaultMaxPooled): with it, every round would map and unmap the stacks
// beyond the cap. A program that knows its peak passes a pool sized for it, as this one does.
#include <utility>

#include <benchmark/benchmark.h>

#include "art/await.hpp"
#include "art/executor.hpp"
#include "art/spawn_fiber.hpp"
#include "art/stack_pool.hpp"
#include "art/yield_now.hpp"
#include "art_peer.hpp"
#include "workloads.hpp"

namespace bench = art::bench;

namespace {

art::StackPool& stacks() {
  static art::StackPool pool(art::StackPool::kDefaultStackSize, true, 4096);
  return pool;
}

template <class Fn>
auto fiber(Fn fn) {
  return art::fiber(std::move(fn), stacks());
}

template <class Fn>
auto spawn_fiber(Fn fn) {
  return art::spawn_fiber(std::move(fn), stacks());
}

void spawn_many(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    bool done = false;
    const bool finished = bench::run_to_completion(
        executor, fiber([&done] {
          bench::Countdown remaining(bench::kNumSpawn);
          for (int i = 0; i < bench::kNumSpawn; ++i)
            (void)spawn_fiber([&remaining] { remaining.count_down(); });
          done = art::await(remaining.finished());
        }));
    if (!finished || !done) {
      state.SkipWithError("spawn_many: a task did not run, or the root was not told");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kNumSpawn);
}
BENCHMARK(spawn_many)->Unit(benchmark::kMicrosecond);

void yield_many(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int yields = 0;
    bool done = false;
    const bool finished =
        bench::run_to_completion(executor, fiber([&yields, &done] {
                                   bench::Countdown tasks(bench::kYieldTasks);
                                   for (int t = 0; t < bench::kYieldTasks; ++t) {
                                     (void)spawn_fiber([&yields, &tasks] {
                                       for (int i = 0; i < bench::kNumYield; ++i) {
                                         art::await(art::yield_now());
                                         ++yields;
                                       }
                                       tasks.count_down();
                                     });
                                   }
                                   done = art::await(tasks.finished());
                                 }));
    if (!finished || !done || yields != bench::kYieldTasks * bench::kNumYield) {
      state.SkipWithError("yield_many: yields were lost, or the root was not told");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerYield, bench::kYieldTasks * bench::kNumYield);
}
BENCHMARK(yield_many)->Unit(benchmark::kMicrosecond);

// One round trip: spawn a pong, send it `value`, and return its answer. The channels are on the
// caller's stack, and the pong's answer, its last act, is what lets the caller return.
int round_trip(int value) {
  bench::OneShot<int> to_pong;
  bench::OneShot<int> from_pong;
  (void)spawn_fiber(
      [&to_pong, &from_pong] { from_pong.send(art::await(to_pong.receive()) + 1); });
  to_pong.send(value);
  return art::await(from_pong.receive());
}

void ping_pong(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int wrong = 0;
    bool done = false;
    const bool finished =
        bench::run_to_completion(executor, fiber([&wrong, &done] {
                                   bench::Countdown remaining(bench::kNumPings);
                                   (void)spawn_fiber([&remaining, &wrong] {
                                     for (int i = 0; i < bench::kNumPings; ++i) {
                                       (void)spawn_fiber([i, &remaining, &wrong] {
                                         if (round_trip(i) != i + 1)
                                           ++wrong;
                                         remaining.count_down();
                                       });
                                     }
                                   });
                                   done = art::await(remaining.finished());
                                 }));
    if (!finished || !done || wrong != 0) {
      state.SkipWithError("ping_pong: a ping was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerPing, bench::kNumPings);
}
BENCHMARK(ping_pong)->Unit(benchmark::kMicrosecond);

// Link n spawns link n - 1; link 0 tells the root.
void chain_link(int n, int* links, bench::OneShot<bool>* done) {
  ++*links;
  if (n == 0) {
    done->send(true);
  } else {
    (void)spawn_fiber([n, links, done] { chain_link(n - 1, links, done); });
  }
}

void chained_spawn(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int links = 0;
    bool done = false;
    const bool finished =
        bench::run_to_completion(executor, fiber([&links, &done] {
                                   bench::OneShot<bool> chain_done;
                                   (void)spawn_fiber([&links, &chain_done] {
                                     chain_link(bench::kChainIter, &links, &chain_done);
                                   });
                                   done = art::await(chain_done.receive());
                                 }));
    if (!finished || !done || links != bench::kChainLinks) {
      state.SkipWithError("chained_spawn: the chain broke");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kChainLinks);
}
BENCHMARK(chained_spawn)->Unit(benchmark::kMicrosecond);

void ping_pong_serial(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int answered = 0;
    const bool finished =
        bench::run_to_completion(executor, fiber([&answered] {
                                   for (int round = 0; round < bench::kSerialRounds; ++round) {
                                     if (round_trip(round) == round + 1)
                                       ++answered;
                                   }
                                 }));
    if (!finished || answered != bench::kSerialRounds) {
      state.SkipWithError("ping_pong_serial: a round was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerRound, bench::kSerialRounds);
}
BENCHMARK(ping_pong_serial)->Unit(benchmark::kMicrosecond);

}  // namespace
