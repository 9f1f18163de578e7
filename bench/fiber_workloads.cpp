// bench-ch06: the four scheduler workloads of workloads.hpp with chapter
// 06's fiber tasks: every task is an ordinary function on a pooled stack,
// and waiting is art::await instead of co_await. Set beside bench-ch05 (the
// same executor with coroutine tasks), the difference is the cost of a stack
// switch against a coroutine resume.
#include <utility>

#include <benchmark/benchmark.h>

#include "art/await.hpp"
#include "art/executor.hpp"
#include "art/spawn_fiber.hpp"
#include "art/yield_now.hpp"
#include "oneshot.hpp"
#include "workloads.hpp"

namespace bench = art::bench;

namespace {

void spawn_many(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int ran = 0;
    executor.block_on(art::fiber([&ran] {
      for (int i = 0; i < bench::kSpawnMany; ++i)
        (void)art::spawn_fiber([&ran] { ++ran; });
    }));
    if (ran != bench::kSpawnMany || executor.live_tasks() != 0) {
      state.SkipWithError("spawn_many: not every task ran");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kSpawnMany);
}
BENCHMARK(spawn_many)->Unit(benchmark::kMicrosecond);

void yield_many(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int yields = 0;
    executor.block_on(art::fiber([&yields] {
      for (int t = 0; t < bench::kYieldTasks; ++t) {
        (void)art::spawn_fiber([&yields] {
          for (int i = 0; i < bench::kYieldsPerTask; ++i) {
            art::await(art::yield_now());
            ++yields;
          }
        });
      }
    }));
    if (yields != bench::kYieldTasks * bench::kYieldsPerTask) {
      state.SkipWithError("yield_many: yields were lost");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerYield, bench::kYieldTasks * bench::kYieldsPerTask);
}
BENCHMARK(yield_many)->Unit(benchmark::kMicrosecond);

void ping_pong(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    const int answered = executor.block_on(art::fiber([] {
      int answered = 0;
      for (int round = 0; round < bench::kPingPongRounds; ++round) {
        bench::OneShot<int> ping;
        bench::OneShot<int> reply;
        (void)art::spawn_fiber([&ping, &reply] { reply.send(art::await(ping.receive()) + 1); });
        ping.send(round);
        if (art::await(reply.receive()) == round + 1)
          ++answered;
      }
      return answered;
    }));
    if (answered != bench::kPingPongRounds) {
      state.SkipWithError("ping_pong: a round was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerRound, bench::kPingPongRounds);
}
BENCHMARK(ping_pong)->Unit(benchmark::kMicrosecond);

void chain_link(int remaining, bench::OneShot<int>* done) {
  if (remaining == 0) {
    done->send(bench::kChainLength);
  } else {
    (void)art::spawn_fiber([remaining, done] { chain_link(remaining - 1, done); });
  }
}

void chained_spawn(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    const int length = executor.block_on(art::fiber([] {
      bench::OneShot<int> done;
      (void)art::spawn_fiber([&done] { chain_link(bench::kChainLength - 1, &done); });
      return art::await(done.receive());
    }));
    if (length != bench::kChainLength) {
      state.SkipWithError("chained_spawn: the chain broke");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kChainLength);
}
BENCHMARK(chained_spawn)->Unit(benchmark::kMicrosecond);

}  // namespace
