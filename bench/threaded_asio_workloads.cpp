// bench-asio-shared, bench-asio-per-thread: tokio's four workloads and skewed
// (workloads.hpp) on Boost.Asio at 1 and 2 threads, the peers of bench-ch07 and
// bench-ch08. Asio has two ways to use several threads, and this source is built once for
// each (ART_BENCH_ASIO_CONTEXT_PER_THREAD, set in CMakeLists.txt):
//
// - bench-asio-shared: one io_context, run by N threads, with the default concurrency
// hint.
//   Every handler goes through the context's one queue, under its mutex, and any thread
//   may run it: the design of chapter 07's SharedQueueScheduler.
// - bench-asio-per-thread: N io_contexts, each run by its own thread, with concurrency
// hint 1
//   (only one thread runs it, so a handler posted from that thread skips the mutex). New
//   work is spread round robin across the contexts; a continuation (a yield, a wake) goes
//   back to the context of the handler that waits for it. Work never moves between
//   threads afterwards: the design of chapter 08's RoundRobinScheduler for new work.
//
// The workloads are posted handlers, Asio's fastest form (see asio_workloads.cpp). The
// benchmark's thread posts what tokio's block_on future spawns, then waits on the
// Countdown of threaded_peer.hpp, as bench-ch07 does. Each benchmark starts its threads
// once and keeps them running, with a work guard, for all its iterations.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "threaded_peer.hpp"
#include "workloads.hpp"

#ifndef ART_BENCH_ASIO_CONTEXT_PER_THREAD
#define ART_BENCH_ASIO_CONTEXT_PER_THREAD 0
#endif

namespace asio = boost::asio;
namespace bench = art::bench;

namespace {

constexpr bool kContextPerThread = ART_BENCH_ASIO_CONTEXT_PER_THREAD != 0;

// The context that the calling thread runs, or nullptr on the benchmark's thread.
thread_local asio::io_context* running_context = nullptr;

// The threads and their io_contexts: one shared context, or one context per thread.
class Pool {
 public:
  explicit Pool(int threads) {
    guards_.reserve(static_cast<std::size_t>(threads));
    const int contexts = kContextPerThread ? threads : 1;
    const int hint = kContextPerThread ? 1 : BOOST_ASIO_CONCURRENCY_HINT_DEFAULT;
    for (int i = 0; i < contexts; ++i) {
      contexts_.push_back(std::make_unique<asio::io_context>(hint));
      guards_.emplace_back(contexts_.back()->get_executor());
    }
    threads_.reserve(static_cast<std::size_t>(threads));
    for (int i = 0; i < threads; ++i) {
      asio::io_context* context =
          contexts_[static_cast<std::size_t>(i) % contexts_.size()].get();
      threads_.emplace_back([context] {
        running_context = context;
        context->run();
      });
    }
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool() {
    guards_.clear();  // each run() returns once its context is out of work
    for (std::thread& thread : threads_)
      thread.join();
  }

  // Where new work goes: the next context in the calling thread's round robin.
  asio::io_context& next() {
    thread_local std::size_t cursor = 0;
    return *contexts_[cursor++ % contexts_.size()];
  }

  // Where a handler's continuation goes: the context running it.
  static asio::io_context& here() { return *running_context; }

 private:
  using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<WorkGuard> guards_;
  std::vector<std::thread> threads_;
};

// spawn_many. A spawned task is a posted lambda.
void spawn_many(benchmark::State& state) {
  bench::Countdown remaining;
  Pool pool(bench::workers(state));
  for (auto _ : state) {
    remaining.reset(bench::kNumSpawn);
    for (int i = 0; i < bench::kNumSpawn; ++i)
      asio::post(pool.next(), [&remaining] { remaining.count_down(); });
    if (!remaining.wait()) {
      state.SkipWithError("spawn_many: a task did not run, or the root was not told");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kNumSpawn);
}
BENCHMARK(spawn_many)->Apply(bench::at_one_and_two_workers);

// yield_many. A task is a handler that yields by posting itself again, to the back of its
// own context's queue; it counts its yields and adds them up once, at its end.
class YieldingTask {
 public:
  YieldingTask(std::atomic<int>& yields, bench::Countdown& finished)
      : yields_(&yields), finished_(&finished) {}

  void operator()() {
    if (left_ < bench::kNumYield)
      ++yielded_;  // back from a yield
    if (left_ == 0) {
      // Relaxed: the Countdown's acq_rel decrement right after publishes it.
      yields_->fetch_add(yielded_, std::memory_order_relaxed);
      finished_->count_down();
      return;
    }
    --left_;
    // Asio copied this handler out of its operation before calling it, so the operation's
    // memory is already back in this thread's cache for the post to reuse.
    asio::post(Pool::here(), *this);
  }

 private:
  std::atomic<int>* yields_;
  bench::Countdown* finished_;
  int left_ = bench::kNumYield;
  int yielded_ = 0;
};

void yield_many(benchmark::State& state) {
  std::atomic<int> yields{0};
  bench::Countdown finished;
  Pool pool(bench::workers(state));
  for (auto _ : state) {
    yields.store(0, std::memory_order_relaxed);  // published by the posts, as reset() is
    finished.reset(bench::kYieldTasks);
    for (int t = 0; t < bench::kYieldTasks; ++t)
      asio::post(pool.next(), YieldingTask(yields, finished));
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

// A one-shot channel between handlers that may run on different threads: a value slot and
// a slot for the receiver's continuation, with the context it waits on. A value that
// arrives while the receiver waits posts the receiver to its context; a receiver that
// finds the value there continues at once. Its state is one atomic: empty, then either
// `waiting` (the receiver came first) or `sent` (the value did). A channel lives in a
// ping's slot, which outlives the run, and a receiver waits at most once, so neither side
// needs to take anything back.
template <typename Receiver>
class OneShot {
  enum class State : std::uint8_t { empty, waiting, sent };

 public:
  // Called by the handler that owns the channel before it gives the channel to anyone:
  // the post that does so publishes the reset.
  void reset() {
    state_.store(State::empty, std::memory_order_relaxed);
    receiver_.reset();
  }

  void send(int value) {
    value_ = value;
    State seen = State::empty;
    // release: publishes value_ with `sent`. acquire on failure: `waiting` must show the
    // receiver and its context, written before the receiver's release.
    if (state_.compare_exchange_strong(seen, State::sent, std::memory_order_release,
                                       std::memory_order_acquire))
      return;
    asio::post(*receiver_context_,
               [receiver = std::move(*receiver_), value] { receiver(value); });
  }

  void receive(Receiver receiver) {
    // acquire: `sent` must show value_.
    State seen = state_.load(std::memory_order_acquire);
    if (seen == State::empty) {
      receiver_.emplace(std::move(receiver));
      receiver_context_ = &Pool::here();
      // release: publishes the receiver to the sender that sees `waiting`.
      if (state_.compare_exchange_strong(seen, State::waiting, std::memory_order_release,
                                         std::memory_order_acquire))
        return;
      receiver = std::move(*receiver_);  // sent meanwhile: continue at once after all
    }
    receiver(value_);
  }

 private:
  std::atomic<State> state_{State::empty};
  int value_ = 0;
  std::optional<Receiver> receiver_;
  asio::io_context* receiver_context_ = nullptr;
};

// ping_pong. As in asio_workloads.cpp, a ping is a chain of handlers, and what a
// coroutine would keep in its frame (its two channels) lives in a slot of its own, made
// once and reused by every iteration.
struct PingSlot;

// The pong, once the ping's value arrives: it answers with the value plus one.
struct PongReceives {
  PingSlot* slot;
  void operator()(int value) const;
};

// The ping, once the answer arrives: it checks it and counts itself done.
struct PingResumes {
  int value;
  bench::Countdown* remaining;
  std::atomic<int>* wrong;
  void operator()(int answer) const {
    if (answer != value + 1)
      wrong->fetch_add(1, std::memory_order_relaxed);  // published by count_down
    remaining->count_down();
  }
};

struct PingSlot {
  OneShot<PongReceives> to_pong;
  OneShot<PingResumes> from_pong;
};

void PongReceives::operator()(int value) const { slot->from_pong.send(value + 1); }

// A ping, when it runs: fresh channels, spawn the pong, send, and wait for the answer.
struct Ping {
  Pool* pool;
  PingSlot* slot;
  int value;
  bench::Countdown* remaining;
  std::atomic<int>* wrong;

  void operator()() const {
    slot->to_pong.reset();
    slot->from_pong.reset();
    asio::post(pool->next(),
               [slot = slot] { slot->to_pong.receive(PongReceives{slot}); });
    slot->to_pong.send(value);
    slot->from_pong.receive(PingResumes{value, remaining, wrong});
  }
};

void ping_pong(benchmark::State& state) {
  std::atomic<int> wrong{0};
  bench::Countdown remaining;
  std::vector<PingSlot> slots(bench::kNumPings);
  Pool pool(bench::workers(state));
  for (auto _ : state) {
    remaining.reset(bench::kNumPings);
    asio::post(pool.next(), [&] {  // the task that spawns the pings
      for (int i = 0; i < bench::kNumPings; ++i)
        asio::post(pool.next(), Ping{&pool, &slots[i], i, &remaining, &wrong});
    });
    if (!remaining.wait() || wrong.load(std::memory_order_relaxed) != 0) {
      state.SkipWithError("ping_pong: a ping was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerPing, bench::kNumPings);
}
BENCHMARK(ping_pong)->Apply(bench::at_one_and_two_workers);

// chained_spawn. Each link is a new handler that posts the next one; link 0 says "done".
// `links` needs no atomic: each link runs after the post that queued it, which took the
// context's mutex (or stayed on one thread) after the previous link's increment.
struct ChainLink {
  Pool* pool;
  int n;
  int* links;
  bench::Countdown* done;

  void operator()() const {
    ++*links;
    if (n == 0) {
      done->count_down();
    } else {
      asio::post(pool->next(), ChainLink{pool, n - 1, links, done});
    }
  }
};

void chained_spawn(benchmark::State& state) {
  int links = 0;
  bench::Countdown done;
  Pool pool(bench::workers(state));
  for (auto _ : state) {
    links = 0;
    done.reset(1);
    asio::post(pool.next(), ChainLink{&pool, bench::kChainIter, &links, &done});
    if (!done.wait() || links != bench::kChainLinks) {
      state.SkipWithError("chained_spawn: the chain broke");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kChainLinks);
}
BENCHMARK(chained_spawn)->Apply(bench::at_one_and_two_workers);

// skewed. The benchmark's thread posts every task, long and short in workloads.hpp's
// order, each to the context pool.next() names; each adds its work's result to the
// checksum.
void skewed(benchmark::State& state) {
  const std::uint64_t expected = bench::skew_checksum();
  std::atomic<std::uint64_t> checksum{0};
  bench::Countdown remaining;
  Pool pool(bench::workers(state));
  for (auto _ : state) {
    // Relaxed: published by the posts, as reset() is.
    checksum.store(0, std::memory_order_relaxed);
    remaining.reset(bench::kSkewTasks);
    for (int i = 0; i < bench::kSkewTasks; ++i) {
      asio::post(pool.next(), [steps = bench::skew_steps(i), &checksum, &remaining] {
        // Relaxed: the Countdown's acq_rel decrement right after publishes it.
        checksum.fetch_add(bench::spin_work(steps), std::memory_order_relaxed);
        remaining.count_down();
      });
    }
    // Relaxed: wait() acquired every task's writes through the Countdown.
    if (!remaining.wait() || checksum.load(std::memory_order_relaxed) != expected) {
      state.SkipWithError("skewed: a task did not run or did not do its work");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kSkewTasks);
}
BENCHMARK(skewed)->Apply(bench::at_one_and_two_workers);

}  // namespace
