#include <memory>
#include <stdexcept>

#include <gtest/gtest.h>

#include "art/countdown_future.hpp"
#include "art/future.hpp"
#include "art/ready_future.hpp"
#include "counting_waker.hpp"

namespace art {
namespace {

using testing::CountingWaker;

static_assert(Future<ReadyFuture<int>>);
static_assert(Future<CountdownFuture>);
static_assert(!Future<int>);

TEST(ReadyFuture, ReadyOnFirstPoll) {
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  ReadyFuture<int> future(5);
  Poll<int> result = future.poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value(), 5);
  EXPECT_EQ(counter.total_wakes(), 0);
}

TEST(ReadyFuture, MoveOnlyValue) {
  const Waker waker = noop_waker();
  Context cx(waker);
  ReadyFuture<std::unique_ptr<int>> future(std::make_unique<int>(3));
  Poll<std::unique_ptr<int>> result = future.poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(*result.value(), 3);
}

TEST(ReadyFuture, PollAfterReadyIsAClearError) {
  const Waker waker = noop_waker();
  Context cx(waker);
  ReadyFuture<int> future(1);
  (void)future.poll(cx);
  EXPECT_THROW((void)future.poll(cx), std::logic_error);
}

TEST(Ex1_2_Countdown, ReadyAfterThreePendingPolls) {
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  CountdownFuture future(3);
  EXPECT_TRUE(future.poll(cx).is_pending());
  EXPECT_TRUE(future.poll(cx).is_pending());
  EXPECT_TRUE(future.poll(cx).is_pending());
  EXPECT_TRUE(future.poll(cx).is_ready());
  EXPECT_EQ(future.remaining(), 0);
}

TEST(Ex1_2_Countdown, WakesItsWakerBeforeEveryPending) {
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  CountdownFuture future(2);
  for (int poll = 1; poll <= 2; ++poll) {
    ASSERT_TRUE(future.poll(cx).is_pending());
    EXPECT_EQ(counter.wakes_by_ref, poll) << "a Pending without a wake is never polled again";
  }
  ASSERT_TRUE(future.poll(cx).is_ready());
  EXPECT_EQ(counter.wakes_by_ref, 2) << "Ready needs no wake";
  EXPECT_EQ(counter.references(), 1) << "the countdown keeps no reference of its own";
}

TEST(Ex1_2_Countdown, ZeroIsReadyAtOnce) {
  CountingWaker counter;
  const Waker waker = counter.waker();
  Context cx(waker);
  CountdownFuture future(0);
  EXPECT_TRUE(future.poll(cx).is_ready());
  EXPECT_EQ(counter.total_wakes(), 0);
}

}  // namespace
}  // namespace art
