// The slab and the executor under fiber tasks: slots that flow back to the
// side that allocates, ids that name one task of one executor, and the
// thread that owns an executor.
#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "art/await.hpp"
#include "art/executor.hpp"
#include "art/spawn_fiber.hpp"
#include "art/task_slab.hpp"
#include "probe_future.hpp"
#include "test_futures.hpp"

namespace art {
namespace {

using testing::Immediately;
using testing::PendingForever;
using testing::Probe;
using testing::ProbeFuture;

// Every round, another thread spawns fibers (the slab's shared side) and
// the executor's loop runs and frees them (the owner's side).
TEST(FiberSlab, FibersSpawnedFromAnotherThreadKeepTheSlotCountFlat) {
  constexpr int kRounds = 50;
  constexpr int kTasks = 2'000;
  constexpr std::size_t kBound = kTasks + TaskSlab::kMaxCachedSlots + TaskSlab::kSlotsPerPage;
  Executor executor;
  Spawner spawner = executor.spawner();
  std::size_t warm = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::jthread other([&] {
      for (int i = 0; i < kTasks; ++i)
        (void)spawner.spawn(fiber([i] { return i; }));
    });
    other.join();
    executor.run_until_stalled();
    ASSERT_LE(executor.task_slots(), kBound) << "after round " << round;
    if (round == 2)
      warm = executor.task_slots();
  }
  EXPECT_EQ(executor.task_slots(), warm);
  EXPECT_EQ(executor.metrics().completed, std::uint64_t{kRounds} * kTasks);
}

TEST(FiberTaskId, AbortRefusesAFibersIdOfAnotherExecutor) {
  auto destroyed = std::make_shared<std::atomic<int>>(0);
  Executor mine;
  Executor other;
  auto my_task = mine.spawn(PendingForever(destroyed));
  auto other_fiber =
      other.spawn(fiber([destroyed] { return art::await(PendingForever(destroyed)); }));
  mine.run_until_stalled();
  other.run_until_stalled();
  ASSERT_EQ(my_task.id().index, other_fiber.id().index);  // same slot, same generation
  EXPECT_FALSE(mine.abort(other_fiber.id()));
  EXPECT_EQ(destroyed->load(), 0);  // neither task was touched
  EXPECT_EQ(mine.live_tasks(), 1U);
  EXPECT_EQ(other.live_tasks(), 1U);
  EXPECT_TRUE(mine.abort(my_task.id()));
  EXPECT_EQ(destroyed->load(), 1);
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

TEST(FiberExecutor, SpawnAndAbortFromAThreadThatDoesNotOwnTheExecutorAreRefused) {
  auto probe = std::make_shared<Probe>();
  Executor executor;  // created here: this thread owns it
  auto handle = executor.spawn(fiber([probe] { return art::await(ProbeFuture(probe)); }));
  executor.run_until_stalled();
  const std::size_t slots = executor.task_slots();
  std::string message =
      logic_error_on_another_thread([&] { (void)executor.spawn(fiber([] { return 1; })); });
  EXPECT_NE(message.find("Executor::spawn called on a thread that does not own the executor"),
            std::string::npos)
      << message;
  message = logic_error_on_another_thread([&] { (void)executor.abort(handle.id()); });
  EXPECT_NE(message.find("Executor::abort called on a thread that does not own the executor"),
            std::string::npos)
      << message;
  EXPECT_EQ(executor.live_tasks(), 1U);
  EXPECT_EQ(executor.task_slots(), slots);
  EXPECT_FALSE(probe->destroyed);
  Spawner spawner = executor.spawner();  // the way for other threads
  std::jthread other([spawner]() mutable { (void)spawner.spawn(Immediately(2)); });
  other.join();
  executor.run_until_stalled();
  EXPECT_EQ(executor.metrics().completed, 1U);
  EXPECT_TRUE(executor.abort(handle.id()));  // on the owner thread
}

}  // namespace
}  // namespace art
