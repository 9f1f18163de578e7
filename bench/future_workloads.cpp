// bench-ch05-futures: the four workloads on chapter 05's executor with
// hand-written futures (chapter 02's state machines) instead of coroutine
// tasks. Set beside bench-ch05, the difference is what a coroutine frame
// costs (allocation from the frame pool, the ramp, resume and destroy); set
// beside bench-asio, it is the executor alone against Asio's scheduler.
#include <optional>
#include <utility>

#include <benchmark/benchmark.h>

#include "art/executor.hpp"
#include "oneshot.hpp"
#include "workloads.hpp"

namespace bench = art::bench;

namespace {

struct Increment {
  using Output = void;
  int* ran;
  art::Poll<void> poll(art::Context& /*cx*/) const {
    ++*ran;
    return art::ready;
  }
};

struct SpawnMany {
  using Output = void;
  int* ran;
  art::Poll<void> poll(art::Context& /*cx*/) {
    for (int i = 0; i < bench::kSpawnMany; ++i)
      (void)art::spawn(Increment{ran});
    return art::ready;
  }
};

void spawn_many(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int ran = 0;
    executor.block_on(SpawnMany{&ran});
    if (ran != bench::kSpawnMany || executor.live_tasks() != 0) {
      state.SkipWithError("spawn_many: not every task ran");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kSpawnMany);
}
BENCHMARK(spawn_many)->Unit(benchmark::kMicrosecond);

struct Yielder {
  using Output = void;
  int* yields;
  int left = bench::kYieldsPerTask;
  bool yielded = false;
  art::Poll<void> poll(art::Context& cx) {
    if (yielded) {  // back from a yield
      yielded = false;
      ++*yields;
      if (--left == 0)
        return art::ready;
    }
    yielded = true;
    cx.waker().wake_by_ref();
    return art::pending;
  }
};

struct YieldMany {
  using Output = void;
  int* yields;
  art::Poll<void> poll(art::Context& /*cx*/) {
    for (int t = 0; t < bench::kYieldTasks; ++t)
      (void)art::spawn(Yielder{yields});
    return art::ready;
  }
};

void yield_many(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int yields = 0;
    executor.block_on(YieldMany{&yields});
    if (yields != bench::kYieldTasks * bench::kYieldsPerTask) {
      state.SkipWithError("yield_many: yields were lost");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerYield, bench::kYieldTasks * bench::kYieldsPerTask);
}
BENCHMARK(yield_many)->Unit(benchmark::kMicrosecond);

struct Pong {
  using Output = void;
  bench::OneShot<int>* ping;
  bench::OneShot<int>* reply;
  bench::OneShot<int>::Receive receive{ping};
  art::Poll<void> poll(art::Context& cx) {
    auto value = receive.poll(cx);
    if (value.is_pending())
      return art::pending;
    reply->send(value.value() + 1);
    return art::ready;
  }
};

// The root of ping_pong as a state machine: start a round, or wait for its reply.
struct PingPong {
  using Output = int;
  int round = 0;
  int answered = 0;
  std::optional<bench::OneShot<int>> ping;
  std::optional<bench::OneShot<int>> reply;
  std::optional<bench::OneShot<int>::Receive> waiting;

  art::Poll<int> poll(art::Context& cx) {
    for (;;) {
      if (!waiting) {
        if (round == bench::kPingPongRounds)
          return answered;
        ping.emplace();
        reply.emplace();
        (void)art::spawn(Pong{&*ping, &*reply});
        ping->send(round);
        waiting.emplace(reply->receive());
      }
      auto value = waiting->poll(cx);
      if (value.is_pending())
        return art::pending;
      if (value.value() == round + 1)
        ++answered;
      waiting.reset();
      ++round;
    }
  }
};

void ping_pong(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    if (executor.block_on(PingPong{}) != bench::kPingPongRounds) {
      state.SkipWithError("ping_pong: a round was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerRound, bench::kPingPongRounds);
}
BENCHMARK(ping_pong)->Unit(benchmark::kMicrosecond);

struct ChainLink {
  using Output = void;
  int left;
  int* ran;
  art::Poll<void> poll(art::Context& /*cx*/) {
    ++*ran;
    if (left > 1)
      (void)art::spawn(ChainLink{left - 1, ran});
    return art::ready;
  }
};

void chained_spawn(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int ran = 0;
    executor.block_on(ChainLink{bench::kChainLength, &ran});  // runs until the queue is empty
    if (ran != bench::kChainLength) {
      state.SkipWithError("chained_spawn: the chain broke");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kChainLength);
}
BENCHMARK(chained_spawn)->Unit(benchmark::kMicrosecond);

}  // namespace
