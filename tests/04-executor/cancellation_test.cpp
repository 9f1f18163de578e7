// The order of a cancellation as other threads see it: the future is
// destroyed first, then the task is published as done, then its joiner is
// woken. A joiner that sees "done" may free what the future was using.
#include <atomic>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "art/executor.hpp"
#include "test_futures.hpp"

namespace art {
namespace {

using testing::AbandonAtScopeEnd;
using testing::DestructorPause;
using testing::PausesInItsDestructor;

TEST(Ex4_4_Shutdown, AJoinerSeesTheTaskCancelledOnlyAfterItsFutureIsDestroyed) {
  DestructorPause pause;
  Executor executor;
  // A call may throw before the joiner runs: the destructor must not pause then.
  const AbandonAtScopeEnd give_up_early{pause};
  auto handle = executor.spawn(PausesInItsDestructor(&pause));
  executor.run_until_stalled();
  std::atomic<bool> done_while_destroying{true};
  std::jthread joiner([&] {
    if (pause.wait_until_entered())  // the shutdown is inside the future's destructor now
      done_while_destroying.store(handle.is_finished());
    pause.resume();
  });
  const AbandonAtScopeEnd give_up{pause};  // if the shutdown throws: before the join
  executor.shutdown();
  pause.abandon();
  joiner.join();
  EXPECT_FALSE(done_while_destroying.load());
  EXPECT_TRUE(handle.is_finished());
}

}  // namespace
}  // namespace art
