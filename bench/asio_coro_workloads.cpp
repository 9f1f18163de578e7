// bench-asio-coro: the workloads of workloads.hpp on Boost.Asio, written as C++20
// coroutines the Asio way: every task is an asio::awaitable<void> started with
// asio::co_spawn(ctx, ..., asio::detached), and every wait is a co_await on an asynchronous
// operation with asio::use_awaitable. Set beside bench-asio (posted handlers, Asio's fastest form)
// it shows what Asio's coroutine path costs; set beside bench-ch05 (art's coroutine tasks on the
// same workloads) it compares two coroutine runtimes.
//
// As in bench-asio, the io_context has concurrency hint 1 and runs on the benchmark's thread, and
// each benchmark creates one io_context and reuses it for all its iterations (restart() after
// each run).
//
// co_spawn does not run its coroutine at once: it posts its start to the context, so a spawn is
// one pass through the queue, as it is for the other peers. Each co_spawn also creates an
// awaitable "thread" (Asio's stack of awaitable frames) and two frames, the coroutine's own and
// co_spawn's entry point around it; Asio recycles their memory through a per-thread cache.
//
// asio::awaitable<void> is awaitable<void, any_io_executor>: every spawn, post and resumption
// goes through that type-erased executor, copying and destroying it as it goes. Written with
// awaitable<void, io_context::executor_type> instead, yield_many and chained_spawn measured about
// twice as fast here (97 against 194 ns per yield, 314 against 649 ns per link); the default is
// kept because it is what Asio code writes, and what Asio's examples and documentation show.
#include <optional>
#include <utility>

#include <benchmark/benchmark.h>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "asio_peer.hpp"
#include "workloads.hpp"

namespace asio = boost::asio;
namespace bench = art::bench;

namespace {

using bench::run_all;

// A one-shot channel for coroutines: one value, one receiver (Boost 1.74 has no
// asio::experimental::channel; it came with 1.78). It is an Asio asynchronous operation of its
// own, written with asio::async_initiate: receiving stores the awaiting coroutine's completion
// handler, and a send posts that handler with the value, so every wake-up goes through the
// io_context's queue. A receiver that finds the value already there (ready()) takes it without
// suspending, as a coroutine awaiting a ready future does, so a pong that finds its value
// waiting costs no extra pass through the queue, as for the other peers. (async_receive alone
// would post even then: every Asio operation completes through the queue.)
//
// Why not the classic idiom, a steady_timer set never to expire that the sender cancels, the
// value stored beside it (`co_await timer.async_wait(asio::redirect_error(asio::use_awaitable,
// ec))`)? It measured about 4x slower per round here (3.0 us against 0.71 us): the first wait
// starts the epoll reactor; each wait enters the reactor's timer queue and, as the earliest timer,
// costs a timerfd_settime system call; each cancel goes back through the reactor; and from then on
// run() calls epoll_wait between handlers (twice per round). That is the cost of a timer, not of
// a coroutine.
//
// The slot holds use_awaitable's handler type itself: that handler owns the suspended coroutine
// and is move-only, so std::function cannot hold it, and the workload only ever awaits.
template <typename T>
class OneShot {
 public:
  using Handler = typename asio::async_result<asio::use_awaitable_t<>, void(T)>::handler_type;

  explicit OneShot(asio::io_context& ctx) : ctx_(&ctx) {}

  bool ready() const { return value_.has_value(); }
  T take() { return *std::exchange(value_, std::nullopt); }

  void send(T value) {
    value_ = std::move(value);
    if (receiver_) {
      complete();
    }
  }

  // Completes with the value; as every Asio operation, never from inside this call.
  template <typename CompletionToken>
  auto async_receive(CompletionToken&& token) {
    return asio::async_initiate<CompletionToken, void(T)>(
        [this](Handler handler) {
          receiver_.emplace(std::move(handler));
          if (value_) {
            complete();
          }
        },
        token);
  }

 private:
  // Posts to the channel's io_context, which is every coroutine's executor in this program.
  void complete() {
    asio::post(*ctx_, [receiver = std::move(*receiver_), value = take()]() mutable {
      std::move(receiver)(std::move(value));
    });
    receiver_.reset();
  }

  asio::io_context* ctx_;
  std::optional<T> value_;
  std::optional<Handler> receiver_;
};

// Tokio's `rem` and `done_tx` together: a count of what is left to finish, and the "done" that
// the task bringing it to zero sends to the root.
class Countdown {
 public:
  Countdown(asio::io_context& ctx, int count) : left_(count), done_(ctx) {}

  void count_down() {
    if (--left_ == 0) {
      done_.send(true);
    }
  }

  asio::awaitable<bool> finished() { return done_.async_receive(asio::use_awaitable); }

 private:
  int left_;
  OneShot<bool> done_;
};

// spawn_many. The root co_spawns every task, then waits for the last one to count down.
asio::awaitable<void> count_down(Countdown* remaining) {
  remaining->count_down();
  co_return;
}

asio::awaitable<void> spawn_many_root(asio::io_context& ctx, bool* done) {
  Countdown remaining(ctx, bench::kNumSpawn);
  for (int i = 0; i < bench::kNumSpawn; ++i) {
    asio::co_spawn(ctx, count_down(&remaining), asio::detached);
  }
  *done = co_await remaining.finished();
}

void spawn_many(benchmark::State& state) {
  asio::io_context ctx(1);
  for (auto _ : state) {
    bool done = false;
    asio::co_spawn(ctx, spawn_many_root(ctx, &done), asio::detached);
    run_all(ctx);
    if (!done) {
      state.SkipWithError("spawn_many: a task did not run, or the root was not told");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kNumSpawn);
}
BENCHMARK(spawn_many)->Unit(benchmark::kMicrosecond);

// yield_many. A yield is Asio's own: post the coroutine's continuation to the back of the queue.
asio::awaitable<void> yielder(asio::io_context& ctx, int* yields, Countdown* finished) {
  for (int i = 0; i < bench::kNumYield; ++i) {
    co_await asio::post(ctx, asio::use_awaitable);
    ++*yields;
  }
  finished->count_down();
}

asio::awaitable<void> yield_many_root(asio::io_context& ctx, int* yields, bool* done) {
  Countdown finished(ctx, bench::kYieldTasks);
  for (int t = 0; t < bench::kYieldTasks; ++t) {
    asio::co_spawn(ctx, yielder(ctx, yields, &finished), asio::detached);
  }
  *done = co_await finished.finished();
}

void yield_many(benchmark::State& state) {
  asio::io_context ctx(1);
  for (auto _ : state) {
    int yields = 0;
    bool done = false;
    asio::co_spawn(ctx, yield_many_root(ctx, &yields, &done), asio::detached);
    run_all(ctx);
    if (!done || yields != bench::kYieldTasks * bench::kNumYield) {
      state.SkipWithError("yield_many: yields were lost, or the root was not told");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerYield, bench::kYieldTasks * bench::kNumYield);
}
BENCHMARK(yield_many)->Unit(benchmark::kMicrosecond);

// ping_pong. Each ping's two channels live in its frame; the pong it spawns finishes before the
// ping can resume, since the pong's answer is what wakes it.
asio::awaitable<void> pong(OneShot<int>* to_pong, OneShot<int>* from_pong) {
  int value;
  if (to_pong->ready()) {
    value = to_pong->take();
  } else {
    value = co_await to_pong->async_receive(asio::use_awaitable);
  }
  from_pong->send(value + 1);
}

asio::awaitable<void> ping(asio::io_context& ctx, int value, Countdown* remaining, int* wrong) {
  OneShot<int> to_pong(ctx);
  OneShot<int> from_pong(ctx);
  asio::co_spawn(ctx, pong(&to_pong, &from_pong), asio::detached);
  to_pong.send(value);
  if (co_await from_pong.async_receive(asio::use_awaitable) != value + 1) {
    ++*wrong;
  }
  remaining->count_down();
}

asio::awaitable<void> spawn_pings(asio::io_context& ctx, Countdown* remaining, int* wrong) {
  for (int i = 0; i < bench::kNumPings; ++i) {
    asio::co_spawn(ctx, ping(ctx, i, remaining, wrong), asio::detached);
  }
  co_return;
}

asio::awaitable<void> ping_pong_root(asio::io_context& ctx, int* wrong, bool* done) {
  Countdown remaining(ctx, bench::kNumPings);
  asio::co_spawn(ctx, spawn_pings(ctx, &remaining, wrong), asio::detached);
  *done = co_await remaining.finished();
}

void ping_pong(benchmark::State& state) {
  asio::io_context ctx(1);
  for (auto _ : state) {
    int wrong = 0;
    bool done = false;
    asio::co_spawn(ctx, ping_pong_root(ctx, &wrong, &done), asio::detached);
    run_all(ctx);
    if (!done || wrong != 0) {
      state.SkipWithError("ping_pong: a ping was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerPing, bench::kNumPings);
}
BENCHMARK(ping_pong)->Unit(benchmark::kMicrosecond);

// chained_spawn. Link n co_spawns link n - 1; link 0 tells the root.
asio::awaitable<void> chain_link(asio::io_context& ctx, int n, int* links,
                                 OneShot<bool>* chain_done) {
  ++*links;
  if (n == 0) {
    chain_done->send(true);
  } else {
    asio::co_spawn(ctx, chain_link(ctx, n - 1, links, chain_done), asio::detached);
  }
  co_return;
}

asio::awaitable<void> chained_spawn_root(asio::io_context& ctx, int* links, bool* done) {
  OneShot<bool> chain_done(ctx);
  asio::co_spawn(ctx, chain_link(ctx, bench::kChainIter, links, &chain_done), asio::detached);
  *done = co_await chain_done.async_receive(asio::use_awaitable);
}

void chained_spawn(benchmark::State& state) {
  asio::io_context ctx(1);
  for (auto _ : state) {
    int links = 0;
    bool done = false;
    asio::co_spawn(ctx, chained_spawn_root(ctx, &links, &done), asio::detached);
    run_all(ctx);
    if (!done || links != bench::kChainLinks) {
      state.SkipWithError("chained_spawn: the chain broke");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kChainLinks);
}
BENCHMARK(chained_spawn)->Unit(benchmark::kMicrosecond);

// ping_pong_serial. One round at a time, its channels in the root's frame.
asio::awaitable<void> serial_root(asio::io_context& ctx, int* answered) {
  for (int round = 0; round < bench::kSerialRounds; ++round) {
    OneShot<int> to_pong(ctx);
    OneShot<int> from_pong(ctx);
    asio::co_spawn(ctx, pong(&to_pong, &from_pong), asio::detached);
    to_pong.send(round);
    if (co_await from_pong.async_receive(asio::use_awaitable) == round + 1) {
      ++*answered;
    }
  }
}

void ping_pong_serial(benchmark::State& state) {
  asio::io_context ctx(1);
  for (auto _ : state) {
    int answered = 0;
    asio::co_spawn(ctx, serial_root(ctx, &answered), asio::detached);
    run_all(ctx);
    if (answered != bench::kSerialRounds) {
      state.SkipWithError("ping_pong_serial: a round was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerRound, bench::kSerialRounds);
}
BENCHMARK(ping_pong_serial)->Unit(benchmark::kMicrosecond);

}  // namespace
