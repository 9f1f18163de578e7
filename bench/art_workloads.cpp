// bench-ch04, bench-ch05: the four scheduler workloads of workloads.hpp on an
// art executor, written as coroutine tasks. Chapters 04 and 05 have the same
// API (Executor, art::spawn, JoinHandle, yield_now, ManualFuture), so this
// one source is built twice, once against each chapter's library: the two
// columns of the table differ only in how the executor stores its tasks.
//
// Each benchmark creates one Executor and reuses it for all its iterations,
// as the Asio peer reuses its io_context: the first iterations warm up the
// executor (in chapter 05, its task slab and frame pool).
#include <utility>

#include <benchmark/benchmark.h>

#include "art/executor.hpp"
#include "art/manual_future.hpp"
#include "art/task.hpp"
#include "art/yield_now.hpp"
#include "oneshot.hpp"
#include "workloads.hpp"

namespace bench = art::bench;

namespace {

// spawn_many. The root spawns every task and returns; block_on keeps running
// the queue until it is empty, so every spawned task has run when it returns.
art::Task<void> increment(int* ran) {
  ++*ran;
  co_return;
}

art::Task<void> spawn_many_root(int* ran) {
  for (int i = 0; i < bench::kSpawnMany; ++i)
    (void)art::spawn(increment(ran));  // detached
  co_return;
}

void spawn_many(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int ran = 0;
    executor.block_on(spawn_many_root(&ran));
    if (ran != bench::kSpawnMany || executor.live_tasks() != 0) {
      state.SkipWithError("spawn_many: not every task ran");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kSpawnMany);
}
BENCHMARK(spawn_many)->Unit(benchmark::kMicrosecond);

// yield_many.
art::Task<void> yielder(int* yields) {
  for (int i = 0; i < bench::kYieldsPerTask; ++i) {
    co_await art::yield_now();
    ++*yields;
  }
}

art::Task<void> yield_many_root(int* yields) {
  for (int t = 0; t < bench::kYieldTasks; ++t)
    (void)art::spawn(yielder(yields));
  co_return;
}

void yield_many(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int yields = 0;
    executor.block_on(yield_many_root(&yields));
    if (yields != bench::kYieldTasks * bench::kYieldsPerTask) {
      state.SkipWithError("yield_many: yields were lost");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerYield, bench::kYieldTasks * bench::kYieldsPerTask);
}
BENCHMARK(yield_many)->Unit(benchmark::kMicrosecond);

// ping_pong. The channels live in the root's frame (see oneshot.hpp).
art::Task<void> pong(bench::OneShot<int>* ping, bench::OneShot<int>* reply) {
  const int value = co_await ping->receive();
  reply->send(value + 1);
}

art::Task<int> ping_pong_root() {
  int answered = 0;
  for (int round = 0; round < bench::kPingPongRounds; ++round) {
    bench::OneShot<int> ping;
    bench::OneShot<int> reply;
    (void)art::spawn(pong(&ping, &reply));
    ping.send(round);
    if (co_await reply.receive() == round + 1)
      ++answered;
  }
  co_return answered;
}

void ping_pong(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    if (executor.block_on(ping_pong_root()) != bench::kPingPongRounds) {
      state.SkipWithError("ping_pong: a round was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerRound, bench::kPingPongRounds);
}
BENCHMARK(ping_pong)->Unit(benchmark::kMicrosecond);

// chained_spawn. Each link spawns the next; the last completes `done`.
art::Task<void> chain_link(int remaining, art::Completer<int>* done) {
  if (remaining == 0) {
    done->complete(bench::kChainLength);
  } else {
    (void)art::spawn(chain_link(remaining - 1, done));
  }
  co_return;
}

art::Task<int> chained_spawn_root() {
  auto [finished, done] = art::make_manual_future<int>();
  (void)art::spawn(chain_link(bench::kChainLength - 1, &done));
  co_return co_await finished;
}

void chained_spawn(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    if (executor.block_on(chained_spawn_root()) != bench::kChainLength) {
      state.SkipWithError("chained_spawn: the chain broke");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kChainLength);
}
BENCHMARK(chained_spawn)->Unit(benchmark::kMicrosecond);

}  // namespace
