#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "art/block_on.hpp"
#include "art/join_all.hpp"
#include "art/manual_future.hpp"
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

// A value that counts its copies: a combinator hands its futures' values on
// by moving them, so that move-only values work and big ones are not copied.
struct CopyCounted {
  static inline int copies = 0;
  int value = 0;
  explicit CopyCounted(int v) : value(v) {}
  CopyCounted(const CopyCounted& other) : value(other.value) { ++copies; }
  CopyCounted(CopyCounted&&) noexcept = default;
  CopyCounted& operator=(const CopyCounted& other) {
    value = other.value;
    ++copies;
    return *this;
  }
  CopyCounted& operator=(CopyCounted&&) noexcept = default;
  ~CopyCounted() = default;
};

std::vector<std::shared_ptr<Probe>> make_probes(int count) {
  std::vector<std::shared_ptr<Probe>> probes;
  for (int i = 0; i < count; ++i)
    probes.push_back(std::make_shared<Probe>());
  return probes;
}

std::vector<ProbeFuture> futures_of(const std::vector<std::shared_ptr<Probe>>& probes) {
  std::vector<ProbeFuture> futures;
  for (const auto& probe : probes)
    futures.emplace_back(probe);
  return futures;
}

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

TEST(Ex2_2_JoinAll, PollsEveryFutureInTheFirstPoll) {
  // Side by side means every future starts waiting in the first poll. A
  // join_all that stops at the first Pending runs its futures one after the
  // other: the second would not even be polled until the first is done.
  auto probes = make_probes(3);
  auto all = join_all(futures_of(probes));
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_TRUE(all.poll(cx).is_pending());
  for (const auto& probe : probes)
    EXPECT_EQ(probe->polls, 1) << "every unfinished future is polled in every poll";
  probes[1]->complete(2);
  EXPECT_TRUE(all.poll(cx).is_pending());
  for (const auto& probe : probes)
    EXPECT_EQ(probe->polls, 2);
}

TEST(Ex2_2_JoinAll, LeavesTheWakingToTheFutures) {
  // The inner futures keep the waker and wake it when they can progress; a
  // join_all that wakes itself before answering Pending is a busy loop.
  auto probes = make_probes(2);
  auto all = join_all(futures_of(probes));
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  EXPECT_TRUE(all.poll(cx).is_pending());
  EXPECT_TRUE(all.poll(cx).is_pending());
  EXPECT_EQ(counter.total_wakes(), 0) << "join_all woke its own waker: busy polling";
  probes[0]->complete(1);
  EXPECT_EQ(counter.total_wakes(), 1);
}

TEST(Ex2_2_JoinAll, MovesTheResultsOut) {
  std::vector<ReadyFuture<CopyCounted>> futures;
  futures.emplace_back(CopyCounted(1));
  futures.emplace_back(CopyCounted(2));
  auto all = join_all(std::move(futures));
  const Waker waker = noop_waker();
  Context cx(waker);
  CopyCounted::copies = 0;
  Poll<std::vector<CopyCounted>> result = all.poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value().at(1).value, 2);
  EXPECT_EQ(CopyCounted::copies, 0) << "a result was copied (a move-only one would not compile)";
}

// Not an exercise test alone: it needs exercise 2.1's TimerFuture as well.
TEST(JoinAll, TimersWaitSideBySide) {
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

TEST(Ex2_3_Race, PollsBothWhileNeitherIsReady) {
  auto a = std::make_shared<Probe>();
  auto b = std::make_shared<Probe>();
  auto contest = race(ProbeFuture(a), ProbeFuture(b));
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  EXPECT_TRUE(contest.poll(cx).is_pending());
  EXPECT_EQ(a->polls, 1);
  EXPECT_EQ(b->polls, 1) << "both futures must be waiting, each with the waker";
  EXPECT_EQ(counter.total_wakes(), 0) << "race woke its own waker: busy polling";
  b->complete(2);
  EXPECT_EQ(counter.total_wakes(), 1);
}

TEST(Ex2_3_Race, ValueFromAnotherThreadAgainstAFutureThatNeverFinishes) {
  auto [input, completer] = make_manual_future<int>();
  auto never = std::make_shared<Probe>();
  std::jthread other([completer = std::move(completer)]() mutable { completer.complete(5); });
  auto result = block_on(race(ProbeFuture(never), std::move(input)));
  ASSERT_EQ(result.index(), 1U);
  EXPECT_EQ(std::get<1>(result), 5);
  EXPECT_TRUE(never->destroyed);
}

TEST(Ex2_3_Race, VoidWinnerIsMonostate) {
  auto never = std::make_shared<Probe>();
  auto result = block_on(race(map(ReadyFuture<int>(1), [](int) {}), ProbeFuture(never)));
  static_assert(std::is_same_v<decltype(result), std::variant<std::monostate, int>>);
  EXPECT_EQ(result.index(), 0U);
}

TEST(Ex2_3_Race, MovesTheWinnersValueOut) {
  auto never = std::make_shared<Probe>();
  auto contest = race(ReadyFuture<CopyCounted>(CopyCounted(7)), ProbeFuture(never));
  const Waker waker = noop_waker();
  Context cx(waker);
  CopyCounted::copies = 0;
  auto result = contest.poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(std::get<0>(result.value()).value, 7);
  EXPECT_EQ(CopyCounted::copies, 0)
      << "the winner's value was copied (a move-only one would not compile)";
}

TEST(Ex2_3_Race, PollAfterReadyIsAClearError) {
  auto a = std::make_shared<Probe>();
  auto b = std::make_shared<Probe>();
  a->value = 1;
  auto contest = race(ProbeFuture(a), ProbeFuture(b));
  const Waker waker = noop_waker();
  Context cx(waker);
  ASSERT_TRUE(contest.poll(cx).is_ready());
  // Both futures are gone now; polling either would be a use of a destroyed
  // object (the probe also fails the test if the winner is polled again).
  EXPECT_THROW((void)contest.poll(cx), std::logic_error);
  EXPECT_EQ(a->polls, 1);
}

}  // namespace
}  // namespace art
