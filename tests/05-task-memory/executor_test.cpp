// The executor loop: spawning (from outside, from tasks, from other
// threads), joining, exceptions, detaching and metrics.
#include "art/executor.hpp"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/block_on.hpp"
#include "art/manual_future.hpp"
#include "art/task.hpp"
#include "art/timer_future.hpp"
#include "probe_future.hpp"
#include "test_futures.hpp"
#include "test_thread.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::Immediately;
using testing::Probe;
using testing::ProbeFuture;
using testing::TestThread;

Task<int> twice(int x) { co_return 2 * x; }

Task<int> sum_of_spawned(int n) {
  std::vector<JoinHandle<int>> handles;
  for (int i = 1; i <= n; ++i)
    handles.push_back(spawn(twice(i)));
  int sum = 0;
  for (auto& handle : handles)
    sum += co_await handle;
  co_return sum;
}

TEST(Executor, BlockOnReturnsTheOutput) {
  Executor executor;
  EXPECT_EQ(executor.block_on(twice(21)), 42);
}

TEST(Executor, TasksSpawnTasksAndJoinThem) {
  Executor executor;
  EXPECT_EQ(executor.block_on(sum_of_spawned(10)), 110);
  EXPECT_EQ(executor.metrics().spawned, 11U);
  EXPECT_EQ(executor.metrics().completed, 11U);
}

Task<void> throws_later() {
  co_await TimerFuture(1ms);
  throw std::runtime_error("boom");
}

Task<int> joins_a_failing_task() {
  try {
    co_await spawn(throws_later());
  } catch (const std::runtime_error& error) {
    co_return std::string(error.what()) == "boom" ? 1 : 0;
  }
  co_return -1;
}

TEST(Executor, JoinRethrowsTheTasksException) {
  Executor executor;
  EXPECT_EQ(executor.block_on(joins_a_failing_task()), 1);
}

TEST(Executor, BlockOnRethrowsTooAndTheExecutorCarriesOn) {
  Executor executor;
  EXPECT_THROW(executor.block_on(throws_later()), std::runtime_error);
  EXPECT_EQ(executor.block_on(twice(1)), 2);
}

TEST(Executor, ADetachedTaskStillRuns) {
  Executor executor;
  auto probe = std::make_shared<Probe>();
  (void)executor.spawn(ProbeFuture(probe));  // handle dropped at once
  executor.run_until_stalled();
  probe->complete(1);
  executor.run_until_stalled();
  EXPECT_TRUE(probe->finished);
  EXPECT_TRUE(probe->destroyed);  // the future goes as soon as it is done
  EXPECT_EQ(executor.live_tasks(), 0U);
}

Task<std::uint64_t> spawn_many(int n, std::shared_ptr<std::atomic<int>> ran) {
  for (int i = 0; i < n; ++i)
    (void)spawn(Immediately(i));
  ran->fetch_add(1);
  co_return 0;
}

TEST(Executor, AMillionSpawnedTasksAllComplete) {
  constexpr int kTasks = 1'000'000;
  Executor executor;
  auto ran = std::make_shared<std::atomic<int>>(0);
  executor.block_on(spawn_many(kTasks, ran));
  executor.run();
  EXPECT_EQ(ran->load(), 1);
  EXPECT_EQ(executor.metrics().spawned, kTasks + 1U);
  EXPECT_EQ(executor.metrics().completed, kTasks + 1U);
  EXPECT_EQ(executor.metrics().polls, kTasks + 1U);
  EXPECT_EQ(executor.live_tasks(), 0U);
}

TEST(Executor, ASpawnerSendsTasksFromAnotherThread) {
  Executor executor;
  Spawner spawner = executor.spawner();
  auto [result, completer] = make_manual_future<int>();
  TestThread other([spawner, completer = std::move(completer)]() mutable {
    auto handle = spawner.spawn(twice(50));
    completer.complete(1);
    (void)handle;  // joined on the executor's thread only: dropping detaches
  });
  int sent = 0;
  try {
    sent = executor.block_on(std::move(result));  // throws if the thread failed first
  } catch (...) {
    other.join();  // rethrows what failed there, the cause
    throw;
  }
  EXPECT_EQ(sent, 1);
  other.join();
  executor.run();
  EXPECT_EQ(executor.metrics().spawned, 2U);
  EXPECT_EQ(executor.metrics().completed, 2U);
}

TEST(Executor, MetricsCountPollsAndBusyTime) {
  Executor executor;
  auto probe = std::make_shared<Probe>();
  auto handle = executor.spawn(ProbeFuture(probe));
  executor.run_until_stalled();
  probe->complete(3);
  executor.run_until_stalled();
  EXPECT_EQ(executor.metrics().polls, 2U);
  EXPECT_EQ(executor.metrics().completed, 1U);
  EXPECT_GT(executor.metrics().busy_time.count(), 0);
}

TEST(Executor, MoveAssigningAHandleDetachesTheTaskItNamedBefore) {
  Executor executor;
  auto probe = std::make_shared<Probe>();
  auto handle = executor.spawn(ProbeFuture(probe));
  handle = executor.spawn(Immediately(2));  // the probe's task is detached, not joined
  executor.run_until_stalled();
  EXPECT_EQ(art::block_on(handle), 2);
  probe->complete(1);
  executor.run_until_stalled();
  EXPECT_TRUE(probe->finished);
  EXPECT_EQ(executor.live_tasks(), 0U);
}

TEST(Executor, SpawnOutsideAnExecutorIsAnError) {
  EXPECT_THROW((void)spawn(Immediately(1)), std::logic_error);
}

TEST(Executor, JoiningOutsideTheExecutorBeforeTheTaskIsDoneIsRefused) {
  Executor executor;
  auto probe = std::make_shared<Probe>();
  auto handle = executor.spawn(ProbeFuture(probe));
  executor.run_until_stalled();
  EXPECT_THROW(art::block_on(handle), std::logic_error);
}

TEST(Executor, AFinishedTaskCanBeJoinedAnywhere) {
  Executor executor;
  auto handle = executor.spawn(twice(4));
  executor.run_until_stalled();
  EXPECT_EQ(art::block_on(handle), 8);
}

Task<int> runs_its_own_executor(Executor* executor) {
  executor->run_until_stalled();
  co_return 0;
}

TEST(Executor, RunningAnExecutorFromItsOwnTaskIsAnError) {
  Executor executor;
  EXPECT_THROW(executor.block_on(runs_its_own_executor(&executor)), std::logic_error);
}

// Runs `call` on a thread of its own; returns the message of the
// std::logic_error it threw, or "" if it threw none.
template <class Call>
std::string logic_error_on_another_thread(Call call) {
  std::string message;
  std::jthread other([&] {
    try {
      call();
    } catch (const std::logic_error& error) {
      message = error.what();
    }
  });
  other.join();
  return message;
}

TEST(Executor, SpawnFromAThreadThatDoesNotOwnTheExecutorIsRefused) {
  auto probe = std::make_shared<Probe>();
  Executor executor;  // created here: this thread owns it
  auto kept = executor.spawn(ProbeFuture(probe));
  const std::size_t slots = executor.task_slots();
  const std::string message =
      logic_error_on_another_thread([&] { (void)executor.spawn(Immediately(1)); });
  EXPECT_NE(message.find("Executor::spawn called on a thread that does not own the executor"),
            std::string::npos)
      << message;
  EXPECT_EQ(executor.live_tasks(), 1U);
  EXPECT_EQ(executor.task_slots(), slots);
  EXPECT_EQ(executor.metrics().spawned, 1U);
  Spawner spawner = executor.spawner();  // the way for other threads
  std::jthread other([spawner]() mutable { (void)spawner.spawn(Immediately(2)); });
  other.join();
  executor.run_until_stalled();
  EXPECT_EQ(executor.metrics().spawned, 2U);
  EXPECT_EQ(executor.metrics().completed, 1U);
}

TEST(Executor, AbortFromAThreadThatDoesNotOwnTheExecutorIsRefused) {
  auto probe = std::make_shared<Probe>();
  Executor executor;
  auto handle = executor.spawn(ProbeFuture(probe));
  executor.run_until_stalled();
  const std::string message =
      logic_error_on_another_thread([&] { (void)executor.abort(handle.id()); });
  EXPECT_NE(message.find("Executor::abort called on a thread that does not own the executor"),
            std::string::npos)
      << message;
  EXPECT_FALSE(probe->destroyed);
  EXPECT_EQ(executor.live_tasks(), 1U);
  EXPECT_EQ(executor.metrics().cancelled, 0U);
  EXPECT_TRUE(executor.abort(handle.id()));  // on the owner thread
  EXPECT_TRUE(probe->destroyed);
}

TEST(Executor, ShutdownFromAThreadThatDoesNotOwnTheExecutorIsRefused) {
  auto probe = std::make_shared<Probe>();
  Executor executor;
  auto handle = executor.spawn(ProbeFuture(probe));
  executor.run_until_stalled();
  const std::string message = logic_error_on_another_thread([&] { executor.shutdown(); });
  EXPECT_NE(message.find("Executor::shutdown called on a thread that does not own the executor"),
            std::string::npos)
      << message;
  EXPECT_FALSE(probe->destroyed);  // nothing was cancelled
  EXPECT_EQ(executor.live_tasks(), 1U);
  executor.shutdown();  // on the owner thread
  EXPECT_TRUE(probe->destroyed);
}

TEST(Executor, RunningOnAThreadThatDoesNotOwnTheExecutorIsRefused) {
  auto probe = std::make_shared<Probe>();
  Executor executor;
  auto handle = executor.spawn(ProbeFuture(probe));
  const std::string message = logic_error_on_another_thread([&] { executor.run_until_stalled(); });
  EXPECT_NE(message.find("Executor::run called on a thread that does not own the executor"),
            std::string::npos)
      << message;
  EXPECT_EQ(probe->polls, 0);
  executor.run_until_stalled();
  EXPECT_EQ(probe->polls, 1);
}

}  // namespace
}  // namespace art
