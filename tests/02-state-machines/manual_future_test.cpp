#include "art/manual_future.hpp"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>

#include <gtest/gtest.h>

#include "art/context.hpp"
#include "art/block_on.hpp"
#include "counting_waker.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::CountingWaker;

TEST(ManualFuture, CompletedFromAnotherThread) {
  auto [future, completer] = make_manual_future<std::string>();
  std::jthread other([completer = std::move(completer)]() mutable {
    std::this_thread::sleep_for(10ms);
    completer.complete("done");
  });
  EXPECT_EQ(block_on(future), "done");
}

TEST(ManualFuture, CompletionWakesTheNewestWaker) {
  auto [future, completer] = make_manual_future<int>();
  CountingWaker first;
  CountingWaker second;
  {
    const Waker waker = first.waker();
    Context cx(waker);
    ASSERT_TRUE(future.poll(cx).is_pending());
  }
  const Waker waker = second.waker();
  Context cx(waker);
  ASSERT_TRUE(future.poll(cx).is_pending());
  completer.complete(7);
  EXPECT_EQ(first.total_wakes(), 0);
  EXPECT_EQ(second.total_wakes(), 1);
  Poll<int> result = future.poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value(), 7);
}

TEST(ManualFuture, CompletingTwiceIsAClearError) {
  auto [future, completer] = make_manual_future<int>();
  completer.complete(1);
  EXPECT_THROW(completer.complete(2), std::logic_error);
  const Waker waker = noop_waker();
  Context cx(waker);
  Poll<int> result = future.poll(cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value(), 1) << "the second complete() must not replace the first value";
}

TEST(ManualFuture, DroppedCompleterFailsThePollInsteadOfHanging) {
  auto [future, completer] = make_manual_future<int>();
  std::jthread other([completer = std::move(completer)] {});  // drops it unused
  EXPECT_THROW(block_on(future), BrokenCompleter);
}

TEST(ManualFuture, MoveOnlyValue) {
  auto [future, completer] = make_manual_future<std::unique_ptr<int>>();
  completer.complete(std::make_unique<int>(5));
  EXPECT_EQ(*block_on(future), 5);
}

TEST(ManualFuture, PollAfterReadyIsAClearError) {
  auto [future, completer] = make_manual_future<int>();
  completer.complete(1);
  EXPECT_EQ(block_on(future), 1);
  EXPECT_THROW(block_on(future), std::logic_error);
}

// A Context refers to its waker; one built from a temporary would dangle.
TEST(Context, CannotBeBuiltFromATemporaryWaker) {
  EXPECT_FALSE((std::is_constructible_v<Context, Waker&&>));
  EXPECT_TRUE((std::is_constructible_v<Context, const Waker&>));
  EXPECT_TRUE((std::is_constructible_v<Context, Waker&>));
}

}  // namespace
}  // namespace art
