// block_on returns when its own future is done, and is refused where it
// would run the executor from inside itself. A Context cannot dangle.
#include <memory>
#include <stdexcept>
#include <type_traits>

#include <gtest/gtest.h>

#include "art/context.hpp"
#include "art/executor.hpp"
#include "art/task.hpp"
#include "art/yield_now.hpp"
#include "probe_future.hpp"
#include "test_futures.hpp"

namespace art {
namespace {

using testing::Probe;
using testing::ProbeFuture;

Task<void> yield_forever(std::shared_ptr<int> turns) {
  for (;;) {
    ++*turns;
    co_await yield_now();
  }
}

TEST(BlockOn, ReturnsWhenItsFutureIsDoneThoughOtherTasksStayReady) {
  Executor executor;
  auto turns = std::make_shared<int>(0);
  auto background = executor.spawn(yield_forever(turns));  // always ready again
  EXPECT_EQ(executor.block_on(testing::Immediately(7)), 7);
  EXPECT_LE(*turns, 1);  // it ran at most once before the future's first poll
  EXPECT_EQ(executor.live_tasks(), 1U);  // the background task is still there
}

Task<int> block_on_inside(Executor* executor, std::shared_ptr<Probe> probe) {
  try {
    co_return executor->block_on(ProbeFuture(probe));
  } catch (const std::logic_error&) {
    co_return -1;
  }
}

TEST(BlockOn, InsideOneOfItsOwnTasksIsRefusedBeforeTheFutureRuns) {
  Executor executor;
  auto probe = std::make_shared<Probe>();
  probe->value = 5;
  EXPECT_EQ(executor.block_on(block_on_inside(&executor, probe)), -1);
  EXPECT_EQ(probe->polls, 0);     // the inner future never ran
  EXPECT_TRUE(probe->destroyed);  // and nothing kept it
  EXPECT_EQ(executor.live_tasks(), 0U);
}

// A Context refers to its waker; one built from a temporary would dangle.
TEST(Context, CannotBeBuiltFromATemporaryWaker) {
  EXPECT_FALSE((std::is_constructible_v<Context, Waker&&>));
  EXPECT_TRUE((std::is_constructible_v<Context, const Waker&>));
  EXPECT_TRUE((std::is_constructible_v<Context, Waker&>));
}

}  // namespace
}  // namespace art
