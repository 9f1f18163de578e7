// bench-asio, bench-asio-unsafe: the workloads of workloads.hpp on Boost.Asio, the peer that
// every art runtime is compared with. Each workload uses the fastest idiomatic Asio form for it,
// posted handlers, so the comparison is against Asio at its best, not against a convenient way
// of writing it.
//
// The io_context runs on the benchmark's thread. This source is built twice, with two
// concurrency hints (ART_BENCH_ASIO_CONCURRENCY_HINT, set in CMakeLists.txt):
//
// - bench-asio: hint 1. Asio knows that one thread runs the context, so a handler posted from
//   inside a running handler goes to that thread's private queue without a lock; but the
//   scheduler still locks its mutex around every handler it runs, to take the handler from its
//   shared queue and to move the private queue into that one afterwards.
// - bench-asio-unsafe: BOOST_ASIO_CONCURRENCY_HINT_UNSAFE. The same single-thread path, with the
//   scheduler's and the reactor's mutexes disabled: no lock anywhere (the count of outstanding
//   work is still an atomic). Nothing may then touch the context from another thread, which
//   these workloads never do. This is the fair single-thread peer of an art executor, whose own
//   loop takes no lock either.
//
// Each benchmark creates one io_context and reuses it for all its iterations (restart() after
// each run): creating a context is not what the workloads measure, and a program creates one once.
#include <optional>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "asio_peer.hpp"
#include "workloads.hpp"

#ifndef ART_BENCH_ASIO_CONCURRENCY_HINT
#define ART_BENCH_ASIO_CONCURRENCY_HINT 1
#endif

namespace asio = boost::asio;
namespace bench = art::bench;

namespace {

constexpr int kConcurrencyHint = ART_BENCH_ASIO_CONCURRENCY_HINT;

using bench::run_all;

// A one-shot channel: one value, one receiver. Boost 1.74 has no asio::experimental::channel
// (it came with 1.78), and the workloads need no more than this: a value slot and a handler
// slot. A value that arrives while a receiver waits posts the receiver, so every wake-up goes
// through the io_context's queue. A receiver that finds the value already there continues at
// once, as a coroutine awaiting a ready future does: the same passes through the queue as the
// other peers make.
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

// What the root does once "done" arrives: note it. With handlers, the root's wait for "done" is
// this continuation, stored in the channel until the last task sends.
struct RootContinues {
  bool* done;
  void operator()(bool value) const { *done = value; }
};
using Done = OneShot<bool, RootContinues>;

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

  void when_done(bool* done) { done_.receive(RootContinues{done}); }

 private:
  int left_;
  Done done_;
};

// spawn_many. A spawned task is a posted lambda: the cheapest unit of work Asio has. The
// countdown lives in the loop's body, as it would in the root coroutine's frame.
void spawn_many(benchmark::State& state) {
  asio::io_context ctx(kConcurrencyHint);
  for (auto _ : state) {
    bool done = false;
    Countdown remaining(ctx, bench::kNumSpawn);
    asio::post(ctx, [&ctx, &remaining, &done] {
      for (int i = 0; i < bench::kNumSpawn; ++i) {
        asio::post(ctx, [&remaining] { remaining.count_down(); });
      }
      remaining.when_done(&done);
    });
    run_all(ctx);
    if (!done) {
      state.SkipWithError("spawn_many: a task did not run, or the root was not told");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kNumSpawn);
}
BENCHMARK(spawn_many)->Unit(benchmark::kMicrosecond);

// yield_many. A task is a handler that yields by posting itself again, to the back of the queue.
// The coroutine form, `co_await asio::post(executor, asio::use_awaitable)` in a co_spawn'ed
// awaitable, is several times slower (bench-asio-coro measures it): each co_await goes through
// Asio's awaitable thread and frame machinery, where a re-posted handler is one queue push.
class YieldingTask {
 public:
  YieldingTask(asio::io_context& ctx, int& yields, Countdown& finished)
      : ctx_(&ctx), yields_(&yields), finished_(&finished) {}

  void operator()() {
    if (left_ < bench::kNumYield) {
      ++*yields_;  // back from a yield
    }
    if (left_ == 0) {
      finished_->count_down();
      return;
    }
    --left_;
    // Asio copied this handler out of its operation before calling it, so the operation's memory
    // is already back in Asio's per-thread cache for this post to reuse.
    asio::post(*ctx_, *this);
  }

 private:
  asio::io_context* ctx_;
  int* yields_;
  Countdown* finished_;
  int left_ = bench::kNumYield;
};

void yield_many(benchmark::State& state) {
  asio::io_context ctx(kConcurrencyHint);
  for (auto _ : state) {
    int yields = 0;
    bool done = false;
    Countdown finished(ctx, bench::kYieldTasks);
    asio::post(ctx, [&] {
      for (int t = 0; t < bench::kYieldTasks; ++t) {
        asio::post(ctx, YieldingTask(ctx, yields, finished));
      }
      finished.when_done(&done);
    });
    run_all(ctx);
    if (!done || yields != bench::kYieldTasks * bench::kNumYield) {
      state.SkipWithError("yield_many: yields were lost, or the root was not told");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerYield, bench::kYieldTasks * bench::kNumYield);
}
BENCHMARK(yield_many)->Unit(benchmark::kMicrosecond);

// ping_pong. A ping is a chain of handlers, and what a coroutine would keep in its frame (its
// two channels) has to live somewhere between them: a slot of its own. The slots are made once
// and reused by every iteration, as art's frame pool hands the same blocks back; a ping fills
// its slot with fresh channels when it starts.
struct PingSlot;

// The pong, once the ping's value arrives: it answers with the value plus one.
struct PongReceives {
  PingSlot* slot;
  void operator()(int value) const;
};

// The ping, once the answer arrives: it checks it and counts itself done.
struct PingResumes {
  int value;
  Countdown* remaining;
  int* wrong;
  void operator()(int answer) const {
    if (answer != value + 1) {
      ++*wrong;
    }
    remaining->count_down();
  }
};

struct PingSlot {
  explicit PingSlot(asio::io_context& ctx) : to_pong(ctx), from_pong(ctx) {}
  OneShot<int, PongReceives> to_pong;
  OneShot<int, PingResumes> from_pong;
};

void PongReceives::operator()(int value) const { slot->from_pong.send(value + 1); }

// A ping, when it runs: fresh channels, spawn the pong, send, and wait for the answer.
struct Ping {
  asio::io_context* ctx;
  PingSlot* slot;
  int value;
  Countdown* remaining;
  int* wrong;

  void operator()() const {
    *slot = PingSlot(*ctx);
    asio::post(*ctx, [slot = slot] { slot->to_pong.receive(PongReceives{slot}); });
    slot->to_pong.send(value);
    slot->from_pong.receive(PingResumes{value, remaining, wrong});
  }
};

void ping_pong(benchmark::State& state) {
  asio::io_context ctx(kConcurrencyHint);
  std::vector<PingSlot> slots(bench::kNumPings, PingSlot(ctx));
  for (auto _ : state) {
    int wrong = 0;
    bool done = false;
    Countdown remaining(ctx, bench::kNumPings);
    asio::post(ctx, [&] {
      asio::post(ctx, [&] {  // the task that spawns the pings
        for (int i = 0; i < bench::kNumPings; ++i) {
          asio::post(ctx, Ping{&ctx, &slots[i], i, &remaining, &wrong});
        }
      });
      remaining.when_done(&done);
    });
    run_all(ctx);
    if (!done || wrong != 0) {
      state.SkipWithError("ping_pong: a ping was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerPing, bench::kNumPings);
}
BENCHMARK(ping_pong)->Unit(benchmark::kMicrosecond);

// chained_spawn. Each link is a new handler that posts the next one; link 0 tells the root.
struct ChainLink {
  asio::io_context* ctx;
  int n;
  int* links;
  Done* chain_done;

  void operator()() const {
    ++*links;
    if (n == 0) {
      chain_done->send(true);
    } else {
      asio::post(*ctx, ChainLink{ctx, n - 1, links, chain_done});
    }
  }
};

void chained_spawn(benchmark::State& state) {
  asio::io_context ctx(kConcurrencyHint);
  for (auto _ : state) {
    int links = 0;
    bool done = false;
    Done chain_done(ctx);
    asio::post(ctx, [&] {
      asio::post(ctx, ChainLink{&ctx, bench::kChainIter, &links, &chain_done});
      chain_done.receive(RootContinues{&done});
    });
    run_all(ctx);
    if (!done || links != bench::kChainLinks) {
      state.SkipWithError("chained_spawn: the chain broke");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerTask, bench::kChainLinks);
}
BENCHMARK(chained_spawn)->Unit(benchmark::kMicrosecond);

// ping_pong_serial. The root is a chain of handlers, one per round; the round's two channels live
// in it, as they would in the frame of a root coroutine that awaits the answer.
class SerialPingPong {
 public:
  explicit SerialPingPong(asio::io_context& ctx) : ctx_(&ctx), to_pong_(ctx), from_pong_(ctx) {}

  void start() {
    rounds_ = 0;
    wrong_answers_ = 0;
    asio::post(*ctx_, [this] { round(); });
  }

  bool all_rounds_ran() const { return rounds_ == bench::kSerialRounds && wrong_answers_ == 0; }

 private:
  // The pong, once the value arrives: it answers with the value plus one.
  struct Pong {
    SerialPingPong* self;
    void operator()(int value) const { self->from_pong_.send(value + 1); }
  };

  // The root, once the answer arrives: it checks it and starts the next round.
  struct Root {
    SerialPingPong* self;
    void operator()(int answer) const { self->on_answer(answer); }
  };

  void round() {
    to_pong_ = OneShot<int, Pong>(*ctx_);
    from_pong_ = OneShot<int, Root>(*ctx_);
    asio::post(*ctx_, [this] { to_pong_.receive(Pong{this}); });
    to_pong_.send(rounds_);
    from_pong_.receive(Root{this});
  }

  void on_answer(int answer) {
    if (answer != rounds_ + 1) {
      ++wrong_answers_;
    }
    if (++rounds_ < bench::kSerialRounds) {
      round();
    }
  }

  asio::io_context* ctx_;
  OneShot<int, Pong> to_pong_;
  OneShot<int, Root> from_pong_;
  int rounds_ = 0;
  int wrong_answers_ = 0;
};

void ping_pong_serial(benchmark::State& state) {
  asio::io_context ctx(kConcurrencyHint);
  SerialPingPong workload(ctx);
  for (auto _ : state) {
    workload.start();
    run_all(ctx);
    if (!workload.all_rounds_ran()) {
      state.SkipWithError("ping_pong_serial: a round was lost or answered wrongly");
      break;
    }
  }
  bench::report_per_item(state, bench::kPerRound, bench::kSerialRounds);
}
BENCHMARK(ping_pong_serial)->Unit(benchmark::kMicrosecond);

}  // namespace
