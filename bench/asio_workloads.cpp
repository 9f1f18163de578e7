// bench-asio: the four scheduler workloads of workloads.hpp on Boost.Asio, the peer that every
// art runtime is compared with. Each workload uses the fastest idiomatic Asio form for it, so the
// comparison is against Asio at its best, not against a convenient way of writing it.
//
// The io_context has concurrency hint 1 and runs on the benchmark's thread. The hint tells Asio
// that one thread runs it, so handlers posted from inside a running handler go to that thread's
// private queue without taking the scheduler's lock: Asio's single-threaded fast path.
//
// Each benchmark creates one io_context and reuses it for all its iterations (restart() after
// each run): creating a context is not what the workloads measure, and a program creates one once.
#include <optional>
#include <utility>

#include <benchmark/benchmark.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

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

// spawn_many. A spawned task is a posted lambda: the cheapest unit of work Asio has.
void spawn_many(benchmark::State& state) {
  asio::io_context ctx(1);
  int ran = 0;
  for (auto _ : state) {
    ran = 0;
    asio::post(ctx, [&ctx, &ran] {
      for (int i = 0; i < bench::kSpawnMany; ++i) {
        asio::post(ctx, [&ran] { ++ran; });
      }
    });
    run_all(ctx);
    if (ran != bench::kSpawnMany) {
      state.SkipWithError("spawn_many: not every task ran");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kSpawnMany);
}
BENCHMARK(spawn_many)->Unit(benchmark::kMicrosecond);

// yield_many. A task is a handler that yields by posting itself again, to the back of the queue.
// The coroutine form, `co_await asio::post(executor, asio::use_awaitable)` in a co_spawn'ed
// awaitable, is several times slower (bench-asio-coro measures it): each co_await goes through
// Asio's awaitable thread and frame machinery, where a re-posted handler is one queue push.
class YieldingTask {
 public:
  YieldingTask(asio::io_context& ctx, int& yields, int& finished)
      : ctx_(&ctx), yields_(&yields), finished_(&finished) {}

  void operator()() {
    if (left_ == 0) {
      ++*finished_;
      return;
    }
    --left_;
    ++*yields_;
    // Asio copied this handler out of its operation before calling it, so the operation's memory
    // is already back in Asio's per-thread cache for this post to reuse.
    asio::post(*ctx_, *this);
  }

 private:
  asio::io_context* ctx_;
  int* yields_;
  int* finished_;
  int left_ = bench::kYieldsPerTask;
};

void yield_many(benchmark::State& state) {
  asio::io_context ctx(1);
  int yields = 0;
  int finished = 0;
  for (auto _ : state) {
    yields = 0;
    finished = 0;
    asio::post(ctx, [&] {
      for (int i = 0; i < bench::kYieldTasks; ++i) {
        asio::post(ctx, YieldingTask(ctx, yields, finished));
      }
    });
    run_all(ctx);
    if (yields != bench::kYieldTasks * bench::kYieldsPerTask || finished != bench::kYieldTasks) {
      state.SkipWithError("yield_many: a task did not yield or finish as often as it should");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerYield, bench::kYieldTasks * bench::kYieldsPerTask);
}
BENCHMARK(yield_many)->Unit(benchmark::kMicrosecond);

// A one-shot channel: one value, one receiver. Boost 1.74 has no asio::experimental::channel
// (it came with 1.78), and ping_pong needs no more than this: a value slot and a handler slot.
// A value that arrives while a receiver waits posts the receiver, so every wake-up goes through
// the io_context's queue. A receiver that finds the value already there continues at once, as a
// coroutine awaiting a ready future does, so each round costs two passes through the queue (the
// spawn and the reply), as it does for the other peers.
//
// The slot holds the receiver's own type rather than a std::function: a type-erased slot measured
// about 10% slower per round (98 against 88 ns), and Asio's own operations keep their handler's
// type in the same way.
template <typename T, typename Receiver>
class OneShot {
 public:
  explicit OneShot(asio::io_context& ctx) : ctx_(&ctx) {}

  void send(T value) {
    if (receiver_) {
      asio::post(*ctx_,
                 [receiver = *std::exchange(receiver_, std::nullopt), value] { receiver(value); });
    } else {
      value_ = std::move(value);
    }
  }

  void receive(Receiver receiver) {
    if (value_) {
      receiver(*std::exchange(value_, std::nullopt));
    } else {
      receiver_ = std::move(receiver);
    }
  }

 private:
  asio::io_context* ctx_;
  std::optional<T> value_;
  std::optional<Receiver> receiver_;
};

// ping_pong. The root is a chain of handlers, one per round; the round's two channels live in it,
// as they would in the frame of a root coroutine that awaits the reply.
class PingPong {
 public:
  explicit PingPong(asio::io_context& ctx) : ctx_(&ctx), ping_(ctx), pong_(ctx) {}

  void start() {
    rounds_ = 0;
    wrong_replies_ = 0;
    asio::post(*ctx_, [this] { round(); });
  }

  bool all_rounds_ran() const { return rounds_ == bench::kPingPongRounds && wrong_replies_ == 0; }

 private:
  // The spawned task, once the ping arrives: it answers with the value plus one.
  struct Child {
    PingPong* self;
    void operator()(int value) const { self->pong_.send(value + 1); }
  };

  // The root, once the reply arrives: it checks the reply and starts the next round.
  struct Root {
    PingPong* self;
    void operator()(int reply) const { self->on_reply(reply); }
  };

  void round() {
    ping_ = OneShot<int, Child>(*ctx_);
    pong_ = OneShot<int, Root>(*ctx_);
    asio::post(*ctx_, [this] { ping_.receive(Child{this}); });
    ping_.send(rounds_);
    pong_.receive(Root{this});
  }

  void on_reply(int reply) {
    if (reply != rounds_ + 1) {
      ++wrong_replies_;
    }
    if (++rounds_ < bench::kPingPongRounds) {
      round();
    }
  }

  asio::io_context* ctx_;
  OneShot<int, Child> ping_;
  OneShot<int, Root> pong_;
  int rounds_ = 0;
  int wrong_replies_ = 0;
};

void ping_pong(benchmark::State& state) {
  asio::io_context ctx(1);
  PingPong workload(ctx);
  for (auto _ : state) {
    workload.start();
    run_all(ctx);
    if (!workload.all_rounds_ran()) {
      state.SkipWithError("ping_pong: a round was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerRound, bench::kPingPongRounds);
}
BENCHMARK(ping_pong)->Unit(benchmark::kMicrosecond);

// chained_spawn. Each link is a new handler that posts the next one; the last counts the chain.
struct ChainLink {
  asio::io_context* ctx;
  int* ran;
  int left;

  void operator()() const {
    ++*ran;
    if (left > 1) {
      asio::post(*ctx, ChainLink{ctx, ran, left - 1});
    }
  }
};

void chained_spawn(benchmark::State& state) {
  asio::io_context ctx(1);
  int ran = 0;
  for (auto _ : state) {
    ran = 0;
    asio::post(ctx, ChainLink{&ctx, &ran, bench::kChainLength});
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
