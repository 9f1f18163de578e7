#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "art/block_on.hpp"
#include "art/join_all.hpp"
#include "art/map.hpp"
#include "art/race.hpp"
#include "art/ready_future.hpp"
#include "art/then.hpp"
#include "art/timer_future.hpp"
#include "counting_waker.hpp"
#include "probe_future.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::CountingWaker;
using testing::Probe;
using testing::ProbeFuture;

auto numbered_timer(int i) {
  return map(TimerFuture(i * 10ms), [i] { return i; });
}

TEST(Map, TransformsTheValue) {
  auto future = map(ReadyFuture<int>(20), [](int x) { return std::to_string(x + 1); });
  EXPECT_EQ(block_on(future), "21");
}

TEST(Map, VoidInputAndVoidOutput) {
  int calls = 0;
  block_on(map(TimerFuture(1ms), [&] { ++calls; }));
  EXPECT_EQ(calls, 1);
}

TEST(Map, ForwardsPendingAndTheWaker) {
  auto probe = std::make_shared<Probe>();
  auto future = map(ProbeFuture(probe), [](int x) { return x * 2; });
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  EXPECT_TRUE(future.poll(cx).is_pending());
  EXPECT_TRUE(probe->waker.will_wake(waker)) << "the inner future must see the outer waker";
  probe->complete(4);
  EXPECT_EQ(counter.total_wakes(), 1);
  EXPECT_EQ(future.poll(cx).value(), 8);
}

TEST(Then, RunsTheSecondFutureAfterTheFirst) {
  auto first = std::make_shared<Probe>();
  auto second = std::make_shared<Probe>();
  int seen = 0;
  auto future = then(ProbeFuture(first), [&](int x) {
    seen = x;
    return ProbeFuture(second);
  });
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_TRUE(future.poll(cx).is_pending());
  first->complete(1);
  EXPECT_TRUE(future.poll(cx).is_pending());
  EXPECT_EQ(seen, 1);
  EXPECT_TRUE(first->destroyed) << "the first future is destroyed when the second starts";
  EXPECT_EQ(second->polls, 1) << "the second future is polled at once, to register the waker";
  second->complete(2);
  EXPECT_EQ(future.poll(cx).value(), 2);
  EXPECT_THROW((void)future.poll(cx), std::logic_error);
}

TEST(Then, ChainsWithVoidFutures) {
  const auto start = Clock::now();
  int value = block_on(then(TimerFuture(10ms), [] { return ReadyFuture<int>(3); }));
  EXPECT_EQ(value, 3);
  EXPECT_GE(Clock::now() - start, 10ms);
}

TEST(Ex2_2_JoinAll, ResultsKeepTheOrderOfTheFutures) {
  std::vector<std::shared_ptr<Probe>> probes;
  std::vector<ProbeFuture> futures;
  for (int i = 0; i < 3; ++i) {
    probes.push_back(std::make_shared<Probe>());
    futures.emplace_back(probes.back());
  }
  auto all = join_all(std::move(futures));
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_TRUE(all.poll(cx).is_pending());
  probes[2]->complete(30);  // completes out of order
  EXPECT_TRUE(all.poll(cx).is_pending());
  probes[0]->complete(10);
  probes[1]->complete(20);
  Poll<std::vector<int>> result = all.poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value(), (std::vector<int>{10, 20, 30}));
}

TEST(Ex2_2_JoinAll, FinishedFuturesAreNotPolledAgain) {
  auto done = std::make_shared<Probe>();
  auto waiting = std::make_shared<Probe>();
  done->value = 1;
  std::vector<ProbeFuture> futures;
  futures.emplace_back(done);
  futures.emplace_back(waiting);
  auto all = join_all(std::move(futures));
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_TRUE(all.poll(cx).is_pending());
  EXPECT_TRUE(all.poll(cx).is_pending());
  EXPECT_EQ(done->polls, 1);  // the probe also fails the test if polled after Ready
  EXPECT_EQ(waiting->polls, 2);
}

TEST(Ex2_2_JoinAll, TimersWaitSideBySide) {
  std::vector<decltype(numbered_timer(0))> timers;
  for (int i = 3; i >= 1; --i)
    timers.push_back(numbered_timer(i));
  EXPECT_EQ(block_on(join_all(std::move(timers))), (std::vector<int>{3, 2, 1}));
}

TEST(Ex2_2_JoinAll, EmptyVectorIsReadyAtOnce) {
  EXPECT_TRUE(block_on(join_all(std::vector<ReadyFuture<int>>{})).empty());
}

TEST(Ex2_3_Race, FirstReadyWinsAndTheLoserIsDestroyedAtOnce) {
  auto a = std::make_shared<Probe>();
  auto b = std::make_shared<Probe>();
  auto contest = race(ProbeFuture(a), ProbeFuture(b));
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_TRUE(contest.poll(cx).is_pending());
  b->complete(2);
  auto result = contest.poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value().index(), 1U);
  EXPECT_EQ(std::get<1>(result.value()), 2);
  EXPECT_TRUE(a->destroyed) << "the loser must be destroyed when the race is decided";
  EXPECT_TRUE(contest.finished());
}

TEST(Ex2_3_Race, FirstFutureWinsATie) {
  auto a = std::make_shared<Probe>();
  auto b = std::make_shared<Probe>();
  a->value = 1;
  b->value = 2;
  auto result = block_on(race(ProbeFuture(a), ProbeFuture(b)));
  EXPECT_EQ(result.index(), 0U);
  EXPECT_EQ(b->polls, 0) << "a decided race polls nothing else";
}

TEST(Ex2_3_Race, ValueAgainstTimer) {
  auto result = block_on(race(TimerFuture(10s), map(TimerFuture(5ms), [] { return 5; })));
  ASSERT_EQ(result.index(), 1U);
  EXPECT_EQ(std::get<1>(result), 5);
}

TEST(Ex2_3_Race, VoidWinnerIsMonostate) {
  auto result = block_on(race(TimerFuture(1ms), TimerFuture(10s)));
  static_assert(std::is_same_v<decltype(result), std::variant<std::monostate, std::monostate>>);
  EXPECT_EQ(result.index(), 0U);
}

}  // namespace
}  // namespace art
