// bench-ch05-futures: the workloads of workloads.hpp on chapter 05's executor with hand-written
// futures (chapter 02's state machines) instead of coroutine tasks. Set beside bench-ch05, the
// difference is what a coroutine frame costs (allocation from the frame pool, the ramp, resume
// and destroy); set beside bench-asio, it is the executor alone against Asio's scheduler.
//
// A future is polled where its task stores it, from its first poll to its last, so a future can
// hand out pointers to its own members (a channel, a countdown) once it is being polled.
#include <optional>
#include <utility>

#include <benchmark/benchmark.h>

#include "art/executor.hpp"
#include "art_peer.hpp"
#include "workloads.hpp"

namespace bench = art::bench;

namespace {

using DoneReceive = bench::OneShot<bool>::Receive;

// The root of every tokio workload: on its first poll it starts the workload (Start spawns the
// first tasks and returns the "done" to wait for), then it waits until "done" arrives.
template <class Start>
class Root {
 public:
  using Output = void;
  Root(Start start, bool* done) : start_(std::move(start)), done_(done) {}

  art::Poll<void> poll(art::Context& cx) {
    if (!waiting_)
      waiting_.emplace(start_());
    auto finished = waiting_->poll(cx);
    if (finished.is_pending())
      return art::pending;
    *done_ = finished.value();
    return art::ready;
  }

 private:
  Start start_;
  bool* done_;
  std::optional<DoneReceive> waiting_;
};

// spawn_many.
struct CountDown {
  using Output = void;
  bench::Countdown* remaining;
  art::Poll<void> poll(art::Context& /*cx*/) const {
    remaining->count_down();
    return art::ready;
  }
};

struct SpawnMany {
  bench::Countdown remaining{bench::kNumSpawn};
  DoneReceive operator()() {
    for (int i = 0; i < bench::kNumSpawn; ++i)
      (void)art::spawn(CountDown{&remaining});
    return remaining.finished();
  }
};

void spawn_many(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    bool done = false;
    if (!bench::run_to_completion(executor, Root(SpawnMany{}, &done)) || !done) {
      state.SkipWithError("spawn_many: a task did not run, or the root was not told");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kNumSpawn);
}
BENCHMARK(spawn_many)->Unit(benchmark::kMicrosecond);

// yield_many. A yield is a wake of the task's own waker, then Pending.
struct Yielder {
  using Output = void;
  int* yields;
  bench::Countdown* finished;
  int left = bench::kNumYield;
  bool yielded = false;

  art::Poll<void> poll(art::Context& cx) {
    if (yielded) {  // back from a yield
      yielded = false;
      ++*yields;
      if (--left == 0) {
        finished->count_down();
        return art::ready;
      }
    }
    yielded = true;
    cx.waker().wake_by_ref();
    return art::pending;
  }
};

struct YieldMany {
  int* yields;
  bench::Countdown finished{bench::kYieldTasks};
  DoneReceive operator()() {
    for (int t = 0; t < bench::kYieldTasks; ++t)
      (void)art::spawn(Yielder{yields, &finished});
    return finished.finished();
  }
};

void yield_many(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int yields = 0;
    bool done = false;
    if (!bench::run_to_completion(executor, Root(YieldMany{&yields}, &done)) || !done ||
        yields != bench::kYieldTasks * bench::kNumYield) {
      state.SkipWithError("yield_many: yields were lost, or the root was not told");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerYield, bench::kYieldTasks * bench::kNumYield);
}
BENCHMARK(yield_many)->Unit(benchmark::kMicrosecond);

// ping_pong.
struct Pong {
  using Output = void;
  bench::OneShot<int>* ping;
  bench::OneShot<int>* answer;
  bench::OneShot<int>::Receive receive{ping};

  art::Poll<void> poll(art::Context& cx) {
    auto value = receive.poll(cx);
    if (value.is_pending())
      return art::pending;
    answer->send(value.value() + 1);
    return art::ready;
  }
};

// A ping keeps its two channels in itself; its pong finishes before the ping is polled again,
// since the pong's answer is what wakes it.
struct Ping {
  using Output = void;
  int value;
  bench::Countdown* remaining;
  int* wrong;
  bench::OneShot<int> to_pong{};
  bench::OneShot<int> from_pong{};
  std::optional<bench::OneShot<int>::Receive> answer{};

  art::Poll<void> poll(art::Context& cx) {
    if (!answer) {
      (void)art::spawn(Pong{&to_pong, &from_pong});
      to_pong.send(value);
      answer.emplace(from_pong.receive());
    }
    auto received = answer->poll(cx);
    if (received.is_pending())
      return art::pending;
    if (received.value() != value + 1)
      ++*wrong;
    remaining->count_down();
    return art::ready;
  }
};

struct SpawnPings {
  using Output = void;
  bench::Countdown* remaining;
  int* wrong;
  art::Poll<void> poll(art::Context& /*cx*/) const {
    for (int i = 0; i < bench::kNumPings; ++i)
      (void)art::spawn(Ping{i, remaining, wrong});
    return art::ready;
  }
};

struct PingPong {
  int* wrong;
  bench::Countdown remaining{bench::kNumPings};
  DoneReceive operator()() {
    (void)art::spawn(SpawnPings{&remaining, wrong});
    return remaining.finished();
  }
};

void ping_pong(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int wrong = 0;
    bool done = false;
    if (!bench::run_to_completion(executor, Root(PingPong{&wrong}, &done)) || !done || wrong != 0) {
      state.SkipWithError("ping_pong: a ping was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerPing, bench::kNumPings);
}
BENCHMARK(ping_pong)->Unit(benchmark::kMicrosecond);

// chained_spawn. Link n spawns link n - 1; link 0 tells the root.
struct ChainLink {
  using Output = void;
  int n;
  int* links;
  bench::OneShot<bool>* done;
  art::Poll<void> poll(art::Context& /*cx*/) const {
    ++*links;
    if (n == 0) {
      done->send(true);
    } else {
      (void)art::spawn(ChainLink{n - 1, links, done});
    }
    return art::ready;
  }
};

struct ChainedSpawn {
  int* links;
  bench::OneShot<bool> chain_done{};
  DoneReceive operator()() {
    (void)art::spawn(ChainLink{bench::kChainIter, links, &chain_done});
    return chain_done.receive();
  }
};

void chained_spawn(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int links = 0;
    bool done = false;
    if (!bench::run_to_completion(executor, Root(ChainedSpawn{&links}, &done)) || !done ||
        links != bench::kChainLinks) {
      state.SkipWithError("chained_spawn: the chain broke");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kChainLinks);
}
BENCHMARK(chained_spawn)->Unit(benchmark::kMicrosecond);

// ping_pong_serial. The root as a state machine: start a round, or wait for its answer.
struct SerialRoot {
  using Output = void;
  int* answered;
  int round = 0;
  std::optional<bench::OneShot<int>> to_pong{};
  std::optional<bench::OneShot<int>> from_pong{};
  std::optional<bench::OneShot<int>::Receive> waiting{};

  art::Poll<void> poll(art::Context& cx) {
    for (;;) {
      if (!waiting) {
        if (round == bench::kSerialRounds)
          return art::ready;
        to_pong.emplace();
        from_pong.emplace();
        (void)art::spawn(Pong{&*to_pong, &*from_pong});
        to_pong->send(round);
        waiting.emplace(from_pong->receive());
      }
      auto value = waiting->poll(cx);
      if (value.is_pending())
        return art::pending;
      if (value.value() == round + 1)
        ++*answered;
      waiting.reset();
      ++round;
    }
  }
};

void ping_pong_serial(benchmark::State& state) {
  art::Executor executor;
  for (auto _ : state) {
    int answered = 0;
    if (!bench::run_to_completion(executor, SerialRoot{&answered}) ||
        answered != bench::kSerialRounds) {
      state.SkipWithError("ping_pong_serial: a round was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerRound, bench::kSerialRounds);
}
BENCHMARK(ping_pong_serial)->Unit(benchmark::kMicrosecond);

}  // namespace
