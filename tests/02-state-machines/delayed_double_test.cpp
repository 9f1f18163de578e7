#include "art/delayed_double.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "art/block_on.hpp"
#include "counting_waker.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::CountingWaker;
using State = DelayedDouble::State;

TEST(Ex2_4_DelayedDouble, WalksThroughItsStates) {
  auto [input, completer] = make_manual_future<int>();
  DelayedDouble function(std::move(input), 20ms);
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);

  EXPECT_TRUE(function.poll(cx).is_pending());
  EXPECT_EQ(function.state(), State::AwaitingInput);

  completer.complete(21);
  EXPECT_EQ(counter.total_wakes(), 1);
  EXPECT_TRUE(function.poll(cx).is_pending());
  EXPECT_EQ(function.state(), State::Sleeping);

  const auto deadline = Clock::now() + 5s;
  while (counter.total_wakes() < 2 && Clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  ASSERT_EQ(counter.total_wakes(), 2) << "the timer started in Sleeping must wake the same waker";
  Poll<int> result = function.poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value(), 42);
  EXPECT_EQ(function.state(), State::Done);
}

TEST(Ex2_4_DelayedDouble, ReadyInputGoesStraightToSleeping) {
  auto [input, completer] = make_manual_future<int>();
  completer.complete(1);
  DelayedDouble function(std::move(input), 1s);
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  EXPECT_TRUE(function.poll(cx).is_pending());
  EXPECT_EQ(function.state(), State::Sleeping) << "one poll runs until the next real wait";
  EXPECT_EQ(counter.references(), 2) << "the new timer must be polled at once and keep our waker";
}

TEST(Ex2_4_DelayedDouble, EachFutureLivesOnlyInItsState) {
  auto [input, completer] = make_manual_future<int>();
  DelayedDouble function(std::move(input), 0ms);
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_TRUE(function.poll(cx).is_pending());
  EXPECT_TRUE(function.holds_input());
  EXPECT_FALSE(function.holds_timer())
      << "the timer starts when the input arrives: its delay counts from then";
  completer.complete(4);
  Poll<int> result = function.poll(cx);  // a zero delay: Ready in the same poll
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value(), 8);
  EXPECT_FALSE(function.holds_input()) << "a finished future is released when its state ends";
  EXPECT_FALSE(function.holds_timer()) << "a finished future is released when its state ends";
}

TEST(Ex2_4_DelayedDouble, LeavingAwaitingInputReleasesTheInput) {
  auto [input, completer] = make_manual_future<int>();
  completer.complete(1);
  DelayedDouble function(std::move(input), 10s);
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_TRUE(function.poll(cx).is_pending());
  EXPECT_FALSE(function.holds_input());
  EXPECT_TRUE(function.holds_timer());
}

TEST(Ex2_4_DelayedDouble, RunsUnderBlockOn) {
  auto [input, completer] = make_manual_future<int>();
  std::jthread other([completer = std::move(completer)]() mutable { completer.complete(5); });
  const auto start = Clock::now();
  EXPECT_EQ(block_on(DelayedDouble(std::move(input), 10ms)), 10);
  EXPECT_GE(Clock::now() - start, 10ms);
}

TEST(Ex2_4_DelayedDouble, PollAfterReadyIsAClearError) {
  auto [input, completer] = make_manual_future<int>();
  completer.complete(1);
  DelayedDouble function(std::move(input), 0ms);
  EXPECT_EQ(block_on(function), 2);
  const Waker waker = noop_waker();
  Context cx(waker);
  EXPECT_THROW((void)function.poll(cx), std::logic_error);
}

}  // namespace
}  // namespace art
