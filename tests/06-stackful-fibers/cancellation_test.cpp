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

// Cancels a waiting task with `cancel(executor, handle)` while another
// thread looks at its handle from inside the future's destructor. Returns
// whether that thread saw the task finished then (it must not).
template <class Cancel>
bool finished_while_the_future_was_destroyed(Cancel cancel) {
  DestructorPause pause;
  Executor executor;
  auto handle = executor.spawn(PausesInItsDestructor(&pause));
  executor.run_until_stalled();
  std::atomic<bool> finished_then{true};
  std::jthread joiner([&] {
    if (pause.wait_until_entered())  // the cancel is inside the destructor now
      finished_then.store(handle.is_finished());
    pause.resume();
  });
  const AbandonAtScopeEnd give_up{pause};  // also if the cancel throws
  cancel(executor, handle);
  pause.abandon();
  joiner.join();
  EXPECT_TRUE(handle.is_finished());  // and after it, it is
  return finished_then.load();
}

TEST(Shutdown, AJoinerSeesTheTaskCancelledOnlyAfterItsFutureIsDestroyed) {
  EXPECT_FALSE(finished_while_the_future_was_destroyed(
      [](Executor& executor, JoinHandle<int>& /*handle*/) { executor.shutdown(); }));
}

TEST(Abort, AJoinerSeesTheTaskCancelledOnlyAfterItsFutureIsDestroyed) {
  EXPECT_FALSE(finished_while_the_future_was_destroyed(
      [](Executor& executor, JoinHandle<int>& handle) {
        EXPECT_TRUE(executor.abort(handle.id()));
      }));
}

}  // namespace
}  // namespace art
