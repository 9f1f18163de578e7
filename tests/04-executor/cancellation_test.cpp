// The order of a cancellation as other threads see it: the future is
// destroyed first, then the task is published as done, then its joiner is
// woken. A joiner that sees "done" may free what the future was using.
#include <atomic>
#include <latch>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "art/executor.hpp"
#include "test_futures.hpp"

namespace art {
namespace {

using testing::PausesInItsDestructor;

TEST(Ex4_4_Shutdown, AJoinerSeesTheTaskCancelledOnlyAfterItsFutureIsDestroyed) {
  std::latch destroying(1);
  std::latch looked(1);
  Executor executor;
  auto handle = executor.spawn(PausesInItsDestructor(&destroying, &looked));
  executor.run_until_stalled();
  std::atomic<bool> done_while_destroying{true};
  std::jthread joiner([&] {
    destroying.wait();  // the shutdown is inside the future's destructor now
    done_while_destroying.store(handle.is_finished());
    looked.count_down();
  });
  executor.shutdown();
  joiner.join();
  EXPECT_FALSE(done_while_destroying.load());
  EXPECT_TRUE(handle.is_finished());
}

}  // namespace
}  // namespace art
