// bench-asio-coro: the four scheduler workloads of workloads.hpp on Boost.Asio, written as C++20
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

#include "workloads.hpp"

namespace asio = boost::asio;
namespace bench = art::bench;

namespace {

// Runs every handler queued on ctx, then makes the context runnable again for the next
// iteration: run() returns once it is out of work, and leaves it stopped until restart().
void run_all(asio::io_context& ctx) {
  ctx.run();
  ctx.restart();
}

// spawn_many. The root co_spawns every task and returns; run() returns when all of them have run.
asio::awaitable<void> increment(int* ran) {
  ++*ran;
  co_return;
}

asio::awaitable<void> spawn_many_root(asio::io_context& ctx, int* ran) {
  for (int i = 0; i < bench::kSpawnMany; ++i) {
    asio::co_spawn(ctx, increment(ran), asio::detached);
  }
  co_return;
}

void spawn_many(benchmark::State& state) {
  asio::io_context ctx(1);
  int ran = 0;
  for (auto _ : state) {
    ran = 0;
    asio::co_spawn(ctx, spawn_many_root(ctx, &ran), asio::detached);
    run_all(ctx);
    if (ran != bench::kSpawnMany) {
      state.SkipWithError("spawn_many: not every task ran");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kSpawnMany);
}
BENCHMARK(spawn_many)->Unit(benchmark::kMicrosecond);

// yield_many. A yield is Asio's own: post the coroutine's continuation to the back of the queue.
asio::awaitable<void> yielder(asio::io_context& ctx, int* yields, int* finished) {
  for (int i = 0; i < bench::kYieldsPerTask; ++i) {
    co_await asio::post(ctx, asio::use_awaitable);
    ++*yields;
  }
  ++*finished;
}

asio::awaitable<void> yield_many_root(asio::io_context& ctx, int* yields, int* finished) {
  for (int t = 0; t < bench::kYieldTasks; ++t) {
    asio::co_spawn(ctx, yielder(ctx, yields, finished), asio::detached);
  }
  co_return;
}

void yield_many(benchmark::State& state) {
  asio::io_context ctx(1);
  int yields = 0;
  int finished = 0;
  for (auto _ : state) {
    yields = 0;
    finished = 0;
    asio::co_spawn(ctx, yield_many_root(ctx, &yields, &finished), asio::detached);
    run_all(ctx);
    if (yields != bench::kYieldTasks * bench::kYieldsPerTask || finished != bench::kYieldTasks) {
      state.SkipWithError("yield_many: a task did not yield or finish as often as it should");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerYield, bench::kYieldTasks * bench::kYieldsPerTask);
}
BENCHMARK(yield_many)->Unit(benchmark::kMicrosecond);

// A one-shot channel for coroutines: one value, one receiver (Boost 1.74 has no
// asio::experimental::channel; it came with 1.78). It is an Asio asynchronous operation of its
// own, written with asio::async_initiate: receiving stores the awaiting coroutine's completion
// handler, and a send posts that handler with the value, so every wake-up goes through the
// io_context's queue. A receiver that finds the value already there (ready()) takes it without
// suspending, as a coroutine awaiting a ready future does, so each round costs two passes through
// the queue (the spawn and the reply), as it does for the other peers.
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

// ping_pong. The channels live in the root's frame, one pair per round.
asio::awaitable<void> pong(OneShot<int>* ping, OneShot<int>* reply) {
  int value;
  if (ping->ready()) {
    value = ping->take();
  } else {
    value = co_await ping->async_receive(asio::use_awaitable);
  }
  reply->send(value + 1);
}

asio::awaitable<void> ping_pong_root(asio::io_context& ctx, int* answered) {
  for (int round = 0; round < bench::kPingPongRounds; ++round) {
    OneShot<int> ping(ctx);
    OneShot<int> reply(ctx);
    asio::co_spawn(ctx, pong(&ping, &reply), asio::detached);
    ping.send(round);
    if (co_await reply.async_receive(asio::use_awaitable) == round + 1) {
      ++*answered;
    }
  }
}

void ping_pong(benchmark::State& state) {
  asio::io_context ctx(1);
  int answered = 0;
  for (auto _ : state) {
    answered = 0;
    asio::co_spawn(ctx, ping_pong_root(ctx, &answered), asio::detached);
    run_all(ctx);
    if (answered != bench::kPingPongRounds) {
      state.SkipWithError("ping_pong: a round was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerRound, bench::kPingPongRounds);
}
BENCHMARK(ping_pong)->Unit(benchmark::kMicrosecond);

// chained_spawn. Each link co_spawns the next; the last one ends the chain, and with it run().
asio::awaitable<void> chain_link(asio::io_context& ctx, int* ran, int left) {
  ++*ran;
  if (left > 1) {
    asio::co_spawn(ctx, chain_link(ctx, ran, left - 1), asio::detached);
  }
  co_return;
}

void chained_spawn(benchmark::State& state) {
  asio::io_context ctx(1);
  int ran = 0;
  for (auto _ : state) {
    ran = 0;
    asio::co_spawn(ctx, chain_link(ctx, &ran, bench::kChainLength), asio::detached);
    run_all(ctx);
    if (ran != bench::kChainLength) {
      state.SkipWithError("chained_spawn: the chain broke");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kChainLength);
}
BENCHMARK(chained_spawn)->Unit(benchmark::kMicrosecond);

}  // namespace
