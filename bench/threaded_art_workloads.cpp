// bench-ch07 to bench-ch10: tokio's four workloads and skewed (workloads.hpp) on a
// multi-threaded Runtime, at 1 and 2 workers, as coroutine tasks. bench-ch07 runs chapter
// 07's Runtime with its SharedQueueScheduler; bench-ch08 runs chapter 08's with the
// RoundRobinScheduler, bench-ch09 chapter 09's with the WorkStealingScheduler, bench-ch10
// chapter 10's with the HybridScheduler (scheduler_under_test.hpp). The benchmark's
// thread spawns with Runtime::spawn what tokio's block_on future spawns with tokio::spawn
// (a spawn from outside the workers, in both), then waits on the Countdown of
// countdown.hpp, as tokio's waits on its "done" channel.
//
// Runtime::block_on is not used for the root: tokio's block_on polls its future on the
// calling thread, so tokio's root may block that thread on recv(); art's block_on spawns
// its future onto a worker, where a blocking wait would hold a worker, and the only one
// at 1 worker.
//
// Each benchmark builds one Runtime and reuses it for all its iterations. What its tasks
// share (the Countdown, the counts they keep) is declared before it, so that the Runtime,
// which cancels whatever a broken iteration left running, is gone first.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <thread>
#include <time.h>
#include <utility>

#include <benchmark/benchmark.h>

#include "art/context.hpp"
#include "art/poll.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "art/waker.hpp"
#include "art/yield_now.hpp"
#include "scheduler_under_test.hpp"
#include "threaded_peer.hpp"
#include "workloads.hpp"

namespace bench = art::bench;

namespace {

// The Runtime a benchmark runs on, at its worker count.
art::Runtime make_runtime(const benchmark::State& state) {
  return bench::runtime_under_test(static_cast<std::size_t>(bench::workers(state)));
}

// A one-shot channel between two tasks that may run on different workers. Like the
// single-thread peers' channel, it lives in the frame of the task that creates it and
// allocates nothing (tokio's oneshot allocates its shared state); so once the receiver
// has its value it may destroy the channel at once, and the sender must not touch the
// channel after the step that lets it. Its state is one atomic with four values:
//
//   empty ──receiver leaves a waker──▶ waiting ──sender takes it──▶ claimed ──▶ sent
//     └───────────────────sender stores the value────────────────────────────▶ sent
//
// The value is written before `sent` and read after it; the waker is written while
// `empty` (the receiver's) and moved out while `claimed` (the sender's), then woken after
// `sent`, from a local: `sent` is the sender's last touch of the channel.
template <class T>
class OneShot {
  enum class State : std::uint8_t { empty, waiting, claimed, sent };

 public:
  void send(T value) {
    value_ = std::move(value);
    // Acquire on every attempt: taking `waiting` must see the waker the receiver wrote.
    State seen = state_.load(std::memory_order_acquire);
    for (;;) {
      if (seen == State::empty) {
        // release: publishes value_ with `sent`; the receiver reads it after its acquire.
        if (state_.compare_exchange_weak(seen, State::sent, std::memory_order_release,
                                         std::memory_order_acquire))
          return;
      } else if (state_.compare_exchange_weak(seen, State::claimed,
                                              std::memory_order_acquire,
                                              std::memory_order_acquire)) {
        break;  // `waiting` was ours to take: the slot is ours until `sent`
      }
    }
    art::Waker waker = std::move(waker_);
    // release: publishes value_; from here on the receiver may destroy the channel.
    state_.store(State::sent, std::memory_order_release);
    std::move(waker).wake();
  }

  class Receive {
   public:
    using Output = T;
    explicit Receive(OneShot* channel) : channel_(channel) {}
    art::Poll<T> poll(art::Context& cx) { return channel_->poll_receive(cx); }

   private:
    OneShot* channel_;
  };

  Receive receive() { return Receive(this); }

 private:
  art::Poll<T> poll_receive(art::Context& cx) {
    for (;;) {
      // Acquire throughout: seeing `sent` must see value_.
      State seen = state_.load(std::memory_order_acquire);
      switch (seen) {
        case State::sent:
          return std::move(*value_);
        case State::claimed:  // the sender is between two of its own steps: a moment
          std::this_thread::yield();
          break;
        case State::waiting:  // polled again: take the slot back to leave the new waker
          (void)state_.compare_exchange_strong(
              seen, State::empty, std::memory_order_acquire, std::memory_order_acquire);
          break;
        case State::empty:
          waker_ = cx.waker();
          // release: publishes waker_ to the sender that takes `waiting`.
          if (state_.compare_exchange_strong(seen, State::waiting,
                                             std::memory_order_release,
                                             std::memory_order_acquire))
            return art::pending;
          break;  // sent meanwhile
      }
    }
  }

  std::atomic<State> state_{State::empty};
  std::optional<T> value_;
  art::Waker waker_;
};

// spawn_many. The benchmark's thread spawns every task, as tokio's block_on future does.
art::Task<void> count_down(bench::Countdown* remaining) {
  remaining->count_down();
  co_return;
}

void spawn_many(benchmark::State& state) {
  bench::Countdown remaining;
  art::Runtime runtime = make_runtime(state);
  for (auto _ : state) {
    remaining.reset(bench::kNumSpawn);
    for (int i = 0; i < bench::kNumSpawn; ++i)
      (void)runtime.spawn(count_down(&remaining));  // detached
    if (!remaining.wait()) {
      state.SkipWithError("spawn_many: a task did not run, or the root was not told");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kNumSpawn);
}
BENCHMARK(spawn_many)->Apply(bench::at_one_and_two_workers);

// yield_many. Each task counts its own yields and adds them up once, at its end, so that
// counting does not make the workers share a cache line per yield.
art::Task<void> yielder(std::atomic<int>* yields, bench::Countdown* finished) {
  int mine = 0;
  for (int i = 0; i < bench::kNumYield; ++i) {
    co_await art::yield_now();
    ++mine;
  }
  // Relaxed: the Countdown's acq_rel decrement right after publishes it.
  yields->fetch_add(mine, std::memory_order_relaxed);
  finished->count_down();
}

void yield_many(benchmark::State& state) {
  std::atomic<int> yields{0};
  bench::Countdown finished;
  art::Runtime runtime = make_runtime(state);
  for (auto _ : state) {
    yields.store(0, std::memory_order_relaxed);  // published by the spawns, as reset() is
    finished.reset(bench::kYieldTasks);
    for (int t = 0; t < bench::kYieldTasks; ++t)
      (void)runtime.spawn(yielder(&yields, &finished));
    // Relaxed: wait() acquired every task's writes through the Countdown.
    if (!finished.wait() ||
        yields.load(std::memory_order_relaxed) != bench::kYieldTasks * bench::kNumYield) {
      state.SkipWithError("yield_many: yields were lost, or the root was not told");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerYield, bench::kYieldTasks * bench::kNumYield);
}
BENCHMARK(yield_many)->Apply(bench::at_one_and_two_workers);

// ping_pong. Each ping's two channels live in its frame; the ping finishes only after the
// pong's answer is sent, and the channel's `sent` is the pong's last touch of it.
art::Task<void> pong(OneShot<int>* ping, OneShot<int>* answer) {
  const int value = co_await ping->receive();
  answer->send(value + 1);
}

art::Task<void> ping(int value, bench::Countdown* remaining, std::atomic<int>* wrong) {
  OneShot<int> to_pong;
  OneShot<int> from_pong;
  (void)art::spawn(pong(&to_pong, &from_pong));
  to_pong.send(value);
  if (co_await from_pong.receive() != value + 1)
    wrong->fetch_add(1, std::memory_order_relaxed);  // published by count_down, as above
  remaining->count_down();
}

art::Task<void> spawn_pings(bench::Countdown* remaining, std::atomic<int>* wrong) {
  for (int i = 0; i < bench::kNumPings; ++i)
    (void)art::spawn(ping(i, remaining, wrong));
  co_return;
}

void ping_pong(benchmark::State& state) {
  std::atomic<int> wrong{0};
  bench::Countdown remaining;
  art::Runtime runtime = make_runtime(state);
  for (auto _ : state) {
    remaining.reset(bench::kNumPings);
    (void)runtime.spawn(spawn_pings(&remaining, &wrong));
    if (!remaining.wait() || wrong.load(std::memory_order_relaxed) != 0) {
      state.SkipWithError("ping_pong: a ping was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerPing, bench::kNumPings);
}
BENCHMARK(ping_pong)->Apply(bench::at_one_and_two_workers);

// chained_spawn. Link n spawns link n - 1; link 0 says "done". `links` needs no atomic:
// each link runs after the spawn that queued it, which took the run queue's mutex after
// the previous link's increment.
art::Task<void> chain_link(int n, int* links, bench::Countdown* done) {
  ++*links;
  if (n == 0) {
    done->count_down();
  } else {
    (void)art::spawn(chain_link(n - 1, links, done));
  }
  co_return;
}

void chained_spawn(benchmark::State& state) {
  int links = 0;
  bench::Countdown done;
  art::Runtime runtime = make_runtime(state);
  for (auto _ : state) {
    links = 0;
    done.reset(1);
    (void)runtime.spawn(chain_link(bench::kChainIter, &links, &done));
    if (!done.wait() || links != bench::kChainLinks) {
      state.SkipWithError("chained_spawn: the chain broke");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kChainLinks);
}
BENCHMARK(chained_spawn)->Apply(bench::at_one_and_two_workers);

// skewed. The benchmark's thread spawns every task, long and short in workloads.hpp's
// order; each adds its work's result to the checksum.
art::Task<void> skewed_task(std::uint64_t steps, std::atomic<std::uint64_t>* checksum,
                            bench::Countdown* remaining) {
  // Relaxed: the Countdown's acq_rel decrement right after publishes it.
  checksum->fetch_add(bench::spin_work(steps), std::memory_order_relaxed);
  remaining->count_down();
  co_return;
}

void skewed(benchmark::State& state) {
  const std::uint64_t expected = bench::skew_checksum();
  std::atomic<std::uint64_t> checksum{0};
  bench::Countdown remaining;
  art::Runtime runtime = make_runtime(state);
  for (auto _ : state) {
    // Relaxed: published by the spawns, as reset() is.
    checksum.store(0, std::memory_order_relaxed);
    remaining.reset(bench::kSkewTasks);
    for (int i = 0; i < bench::kSkewTasks; ++i)
      (void)runtime.spawn(skewed_task(bench::skew_steps(i), &checksum, &remaining));
    // Relaxed: wait() acquired every task's writes through the Countdown.
    if (!remaining.wait() || checksum.load(std::memory_order_relaxed) != expected) {
      state.SkipWithError("skewed: a task did not run or did not do its work");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kSkewTasks);
}
BENCHMARK(skewed)->Apply(bench::at_one_and_two_workers);

// idle (not tokio's, not in the table): a runtime with nothing to do. Each iteration
// sleeps 200 ms on the benchmark's thread and counts the CPU time the whole process used
// meanwhile; core_share is that time over the time slept: the share of one core that
// idle workers burn (chapter 09's target: below 1%). The workers had 50 ms to park first.
double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

void idle(benchmark::State& state) {
  using namespace std::chrono_literals;
  art::Runtime runtime = make_runtime(state);
  std::this_thread::sleep_for(50ms);
  double used = 0;
  double slept = 0;
  for (auto _ : state) {
    const double before = process_cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(200ms);
    used += process_cpu_seconds() - before;
    slept +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  state.counters["core_share"] = slept > 0 ? used / slept : 0;
}
BENCHMARK(idle)->ArgName("workers")->Arg(2)->Iterations(2)->Unit(benchmark::kMillisecond);

}  // namespace
