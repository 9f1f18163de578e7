// A wake that cannot be queued because memory ran out fails loudly and
// leaves the task idle, so that the next wake queues it: it is never left
// "scheduled" in no queue, where every later wake would be ignored.
#include <cstddef>
#include <memory>
#include <new>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/executor.hpp"
#include "failing_allocator.hpp"
#include "probe_future.hpp"

namespace art {
namespace {

using testing::Probe;
using testing::ProbeFuture;

TEST(Ex4_1_Wake, AWakeThatCannotBeQueuedLeavesTheTaskIdleForTheNextWake) {
  constexpr std::size_t kTasks = 1000;
  Executor executor;
  std::vector<std::shared_ptr<Probe>> probes;
  std::vector<JoinHandle<int>> handles;
  for (std::size_t i = 0; i < kTasks; ++i) {
    probes.push_back(std::make_shared<Probe>());
    handles.push_back(executor.spawn(ProbeFuture(probes.back())));
  }
  executor.run_until_stalled();  // every task idle, its waker kept by its probe
  for (auto& probe : probes)
    probe->value = 1;  // ready at the next poll

  std::vector<std::size_t> failed;
  failed.reserve(kTasks);
  std::jthread([&] {  // another thread: the wakes go through the channel's queue
    testing::FailAllocations no_memory;
    for (std::size_t i = 0; i < kTasks; ++i) {
      try {
        probes[i]->waker.wake_by_ref();
      } catch (const std::bad_alloc&) {
        failed.push_back(i);
      }
    }
  }).join();
  ASSERT_FALSE(failed.empty()) << "the channel's queue never had to grow";

  for (std::size_t i : failed)
    probes[i]->waker.wake_by_ref();  // memory is back: these wakes queue the task
  executor.run_until_stalled();
  EXPECT_EQ(executor.live_tasks(), 0U);
  for (auto& probe : probes)
    EXPECT_EQ(probe->polls, 2);
}

}  // namespace
}  // namespace art
