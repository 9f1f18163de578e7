// bench-ch04, bench-ch05: the workloads of workloads.hpp on an art executor, written as
// coroutine tasks. Chapters 04 and 05 have the same API (Executor, art::spawn, JoinHandle,
// yield_now), so this one source is built twice, once against each chapter's library: the two
// columns of the table differ only in how the executor stores its tasks.
//
// Each benchmark creates one Executor and reuses it for all its iterations, as the Asio peer
// reuses its io_context: the first iterations warm up the executor (in chapter 05, its task slab
// and frame pool). Every root reports through its arguments, and run_to_completion (art_peer.hpp)
// checks that no task was left behind.
#include <benchmark/benchmark.h>

#include "art/executor.hpp"
#include "art/task.hpp"
#include "art/yield_now.hpp"
#include "art_peer.hpp"
#include "workloads.hpp"

namespace bench = art::bench;

namespace {

// spawn_many. The countdown lives in the root's frame, which outlives every task: the root
// waits for the last one.
art::Task<void> count_down(bench::Countdown* remaining) {
  remaining->count_down();
  co_return;
}

art::Task<void> spawn_many_root(bool* done) {
  bench::Countdown remaining(bench::kNumSpawn);
  for (int i = 0; i < bench::kNumSpawn; ++i)
    (void)art::spawn(count_down(&remaining));  // detached
  *done = co_await remaining.finished();
}

void spawn_many(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    bool done = false;
    if (!bench::run_to_completion(executor, spawn_many_root(&done)) || !done) {
      state.SkipWithError("spawn_many: a task did not run, or the root was not told");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kNumSpawn);
}
BENCHMARK(spawn_many)->Unit(benchmark::kMicrosecond);

// yield_many.
art::Task<void> yielder(int* yields, bench::Countdown* finished) {
  for (int i = 0; i < bench::kNumYield; ++i) {
    co_await art::yield_now();
    ++*yields;
  }
  finished->count_down();
}

art::Task<void> yield_many_root(int* yields, bool* done) {
  bench::Countdown finished(bench::kYieldTasks);
  for (int t = 0; t < bench::kYieldTasks; ++t)
    (void)art::spawn(yielder(yields, &finished));
  *done = co_await finished.finished();
}

void yield_many(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int yields = 0;
    bool done = false;
    if (!bench::run_to_completion(executor, yield_many_root(&yields, &done)) || !done ||
        yields != bench::kYieldTasks * bench::kNumYield) {
      state.SkipWithError("yield_many: yields were lost, or the root was not told");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerYield, bench::kYieldTasks * bench::kNumYield);
}
BENCHMARK(yield_many)->Unit(benchmark::kMicrosecond);

// ping_pong. Each ping's two channels live in its frame; the pong it spawns finishes before the
// ping can resume, since the pong's answer is what wakes it.
art::Task<void> pong(bench::OneShot<int>* ping, bench::OneShot<int>* answer) {
  const int value = co_await ping->receive();
  answer->send(value + 1);
}

art::Task<void> ping(int value, bench::Countdown* remaining, int* wrong) {
  bench::OneShot<int> to_pong;
  bench::OneShot<int> from_pong;
  (void)art::spawn(pong(&to_pong, &from_pong));
  to_pong.send(value);
  if (co_await from_pong.receive() != value + 1)
    ++*wrong;
  remaining->count_down();
}

art::Task<void> spawn_pings(bench::Countdown* remaining, int* wrong) {
  for (int i = 0; i < bench::kNumPings; ++i)
    (void)art::spawn(ping(i, remaining, wrong));
  co_return;
}

art::Task<void> ping_pong_root(int* wrong, bool* done) {
  bench::Countdown remaining(bench::kNumPings);
  (void)art::spawn(spawn_pings(&remaining, wrong));
  *done = co_await remaining.finished();
}

void ping_pong(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int wrong = 0;
    bool done = false;
    if (!bench::run_to_completion(executor, ping_pong_root(&wrong, &done)) || !done || wrong != 0) {
      state.SkipWithError("ping_pong: a ping was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerPing, bench::kNumPings);
}
BENCHMARK(ping_pong)->Unit(benchmark::kMicrosecond);

// chained_spawn. Link n spawns link n - 1; link 0 tells the root.
art::Task<void> chain_link(int n, int* links, bench::OneShot<bool>* done) {
  ++*links;
  if (n == 0) {
    done->send(true);
  } else {
    (void)art::spawn(chain_link(n - 1, links, done));
  }
  co_return;
}

art::Task<void> chained_spawn_root(int* links, bool* done) {
  bench::OneShot<bool> chain_done;
  (void)art::spawn(chain_link(bench::kChainIter, links, &chain_done));
  *done = co_await chain_done.receive();
}

void chained_spawn(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int links = 0;
    bool done = false;
    if (!bench::run_to_completion(executor, chained_spawn_root(&links, &done)) || !done ||
        links != bench::kChainLinks) {
      state.SkipWithError("chained_spawn: the chain broke");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kChainLinks);
}
BENCHMARK(chained_spawn)->Unit(benchmark::kMicrosecond);

// ping_pong_serial. One round at a time, its channels in the root's frame.
art::Task<void> serial_root(int* answered) {
  for (int round = 0; round < bench::kSerialRounds; ++round) {
    bench::OneShot<int> to_pong;
    bench::OneShot<int> from_pong;
    (void)art::spawn(pong(&to_pong, &from_pong));
    to_pong.send(round);
    if (co_await from_pong.receive() == round + 1)
      ++*answered;
  }
}

void ping_pong_serial(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int answered = 0;
    if (!bench::run_to_completion(executor, serial_root(&answered)) ||
        answered != bench::kSerialRounds) {
      state.SkipWithError("ping_pong_serial: a round was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerRound, bench::kSerialRounds);
}
BENCHMARK(ping_pong_serial)->Unit(benchmark::kMicrosecond);

}  // namespace
