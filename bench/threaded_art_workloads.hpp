// threaded_art_workloads.hpp: tokio's four workloads and skewed (workloads.hpp) as
// coroutine tasks on a multi-threaded art Runtime, for Google Benchmark. Each workload is
// a template over its launch (scheduler_under_test.hpp): what builds the Runtime and
// spawns the tasks. bench-ch07 to bench-ch11 (threaded_art_workloads.cpp) register them
// with the launch of the scheduler they were built for; compare-schedulers
// (compare_schedulers.cpp) with one that picks the scheduler and the budget at run time.
//
// The benchmark's thread spawns what tokio's block_on future spawns with tokio::spawn
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
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <thread>
#include <utility>

#include <benchmark/benchmark.h>

#include "art/context.hpp"
#include "art/poll.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "art/waker.hpp"
#include "art/yield_now.hpp"
#include "countdown.hpp"
#include "threaded_peer.hpp"
#include "workloads.hpp"

namespace art::bench {

// The worker count a benchmark runs at (threaded_peer.hpp registers 1 and 2).
inline std::size_t workers_of(const benchmark::State& state) {
  return static_cast<std::size_t>(workers(state));
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
inline art::Task<void> count_down(Countdown* remaining) {
  remaining->count_down();
  co_return;
}

template <class Launch>
void spawn_many(benchmark::State& state, const Launch& launch) {
  Countdown remaining;
  art::Runtime runtime = launch.runtime(workers_of(state));
  for (auto _ : state) {
    remaining.reset(kNumSpawn);
    for (int i = 0; i < kNumSpawn; ++i)
      (void)launch.spawn(runtime, count_down(&remaining));  // detached
    if (!remaining.wait()) {
      state.SkipWithError("spawn_many: a task did not run, or the root was not told");
      break;
    }
  }
  report_per_item(state, kPerTask, kNumSpawn);
}

// yield_many. Each task counts its own yields and adds them up once, at its end, so that
// counting does not make the workers share a cache line per yield.
inline art::Task<void> yielder(std::atomic<int>* yields, Countdown* finished) {
  int mine = 0;
  for (int i = 0; i < kNumYield; ++i) {
    co_await art::yield_now();
    ++mine;
  }
  // Relaxed: the Countdown's acq_rel decrement right after publishes it.
  yields->fetch_add(mine, std::memory_order_relaxed);
  finished->count_down();
}

template <class Launch>
void yield_many(benchmark::State& state, const Launch& launch) {
  std::atomic<int> yields{0};
  Countdown finished;
  art::Runtime runtime = launch.runtime(workers_of(state));
  for (auto _ : state) {
    yields.store(0, std::memory_order_relaxed);  // published by the spawns, as reset() is
    finished.reset(kYieldTasks);
    for (int t = 0; t < kYieldTasks; ++t)
      (void)launch.spawn(runtime, yielder(&yields, &finished));
    // Relaxed: wait() acquired every task's writes through the Countdown.
    if (!finished.wait() ||
        yields.load(std::memory_order_relaxed) != kYieldTasks * kNumYield) {
      state.SkipWithError("yield_many: yields were lost, or the root was not told");
      break;
    }
  }
  report_per_item(state, kPerYield, kYieldTasks * kNumYield);
}

// ping_pong. Each ping's two channels live in its frame; the ping finishes only after the
// pong's answer is sent, and the channel's `sent` is the pong's last touch of it.
inline art::Task<void> pong(OneShot<int>* ping, OneShot<int>* answer) {
  const int value = co_await ping->receive();
  answer->send(value + 1);
}

template <class Launch>
art::Task<void> ping(const Launch* launch, int value, Countdown* remaining,
                     std::atomic<int>* wrong) {
  OneShot<int> to_pong;
  OneShot<int> from_pong;
  (void)launch->spawn(pong(&to_pong, &from_pong));
  to_pong.send(value);
  if (co_await from_pong.receive() != value + 1)
    wrong->fetch_add(1, std::memory_order_relaxed);  // published by count_down, as above
  remaining->count_down();
}

template <class Launch>
art::Task<void> spawn_pings(const Launch* launch, Countdown* remaining,
                            std::atomic<int>* wrong) {
  for (int i = 0; i < kNumPings; ++i)
    (void)launch->spawn(ping(launch, i, remaining, wrong));
  co_return;
}

template <class Launch>
void ping_pong(benchmark::State& state, const Launch& launch) {
  std::atomic<int> wrong{0};
  Countdown remaining;
  art::Runtime runtime = launch.runtime(workers_of(state));
  for (auto _ : state) {
    remaining.reset(kNumPings);
    (void)launch.spawn(runtime, spawn_pings(&launch, &remaining, &wrong));
    if (!remaining.wait() || wrong.load(std::memory_order_relaxed) != 0) {
      state.SkipWithError("ping_pong: a ping was lost or answered wrongly");
      break;
    }
  }
  report_per_item(state, kPerPing, kNumPings);
}

// chained_spawn. Link n spawns link n - 1; link 0 says "done". `links` needs no atomic:
// each link runs after the spawn that queued it, which took the run queue's mutex after
// the previous link's increment.
template <class Launch>
art::Task<void> chain_link(const Launch* launch, int n, int* links, Countdown* done) {
  ++*links;
  if (n == 0) {
    done->count_down();
  } else {
    (void)launch->spawn(chain_link(launch, n - 1, links, done));
  }
  co_return;
}

template <class Launch>
void chained_spawn(benchmark::State& state, const Launch& launch) {
  int links = 0;
  Countdown done;
  art::Runtime runtime = launch.runtime(workers_of(state));
  for (auto _ : state) {
    links = 0;
    done.reset(1);
    (void)launch.spawn(runtime, chain_link(&launch, kChainIter, &links, &done));
    if (!done.wait() || links != kChainLinks) {
      state.SkipWithError("chained_spawn: the chain broke");
      break;
    }
  }
  report_per_item(state, kPerTask, kChainLinks);
}

// skewed. The benchmark's thread spawns every task, long and short in workloads.hpp's
// order; each adds its work's result to the checksum.
inline art::Task<void> skewed_task(std::uint64_t steps,
                                   std::atomic<std::uint64_t>* checksum,
                                   Countdown* remaining) {
  // Relaxed: the Countdown's acq_rel decrement right after publishes it.
  checksum->fetch_add(spin_work(steps), std::memory_order_relaxed);
  remaining->count_down();
  co_return;
}

template <class Launch>
void skewed(benchmark::State& state, const Launch& launch) {
  const std::uint64_t expected = skew_checksum();
  std::atomic<std::uint64_t> checksum{0};
  Countdown remaining;
  art::Runtime runtime = launch.runtime(workers_of(state));
  for (auto _ : state) {
    // Relaxed: published by the spawns, as reset() is.
    checksum.store(0, std::memory_order_relaxed);
    remaining.reset(kSkewTasks);
    for (int i = 0; i < kSkewTasks; ++i)
      (void)launch.spawn(runtime, skewed_task(skew_steps(i), &checksum, &remaining));
    // Relaxed: wait() acquired every task's writes through the Countdown.
    if (!remaining.wait() || checksum.load(std::memory_order_relaxed) != expected) {
      state.SkipWithError("skewed: a task did not run or did not do its work");
      break;
    }
  }
  report_per_item(state, kPerTask, kSkewTasks);
}

}  // namespace art::bench
