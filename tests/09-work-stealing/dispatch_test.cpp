// Round robin in a running runtime: which worker polls which task, and where
// it falls short. Only the test thread spawns, so the scheduler's turns are
// the spawn order: the n-th spawn is polled by worker n % 2.
#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "art/runtime.hpp"
#include "art/shared_queue_scheduler.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::Gate;
using testing::OpenOnExit;
using testing::RoundRobinRuntime;

// Records which thread polled it; Ready at once.
struct RecordsItsWorker {
  using Output = void;
  std::thread::id* ran_on;  // read by the test after the join
  Poll<void> poll(Context& /*cx*/) const {
    *ran_on = std::this_thread::get_id();
    return ready;
  }
};

// Two of these meet: each waits (at most a while) until both are being
// polled at once, which only two different workers can do. Ready with
// whether they met; records its worker.
struct MeetsTheOther {
  using Output = bool;
  std::atomic<int>* arrived;
  std::thread::id* ran_on;
  Poll<bool> poll(Context& /*cx*/) {
    *ran_on = std::this_thread::get_id();
    arrived->fetch_add(1);
    return eventually([this] { return arrived->load() == 2; }, 2s);
  }
};

// The first two tasks run at once, so they are on different workers: that
// names the workers. The twenty after them alternate between the two.
TEST(Ex8_1_Dispatch, TheNthSpawnedTaskIsPolledByWorkerNModuloTwo) {
  std::atomic<int> arrived{0};
  std::array<std::thread::id, 2> worker{};
  RoundRobinRuntime rr(2);
  auto first = rr.runtime.spawn(MeetsTheOther{&arrived, &worker.at(0)});
  auto second = rr.runtime.spawn(MeetsTheOther{&arrived, &worker.at(1)});
  const bool first_met = art::block_on(first);
  const bool second_met = art::block_on(second);
  ASSERT_TRUE(first_met && second_met)
      << "the first two tasks were not polled at once: they went to one worker";
  ASSERT_NE(worker[0], worker[1]);
  constexpr int kTasks = 20;
  std::vector<std::thread::id> ran_on(kTasks);
  std::vector<JoinHandle<void>> handles;
  handles.reserve(kTasks);
  for (int i = 0; i < kTasks; ++i)
    handles.push_back(rr.runtime.spawn(RecordsItsWorker{&ran_on[i]}));
  for (auto& handle : handles)
    art::block_on(handle);
  for (int i = 0; i < kTasks; ++i)
    EXPECT_EQ(ran_on[i], worker[i % 2])
        << "spawn " << i + 2 << " went to the other worker";
}

// Holds its worker until the gate opens. Records its worker.
struct HoldsItsWorker {
  using Output = void;
  std::shared_ptr<Gate> gate;
  std::atomic<bool>* holding;
  std::thread::id* ran_on;
  Poll<void> poll(Context& /*cx*/) {
    *ran_on = std::this_thread::get_id();
    holding->store(true);
    gate->wait();
    return ready;
  }
};

// Short: records its worker, and whether the gate was open when it ran.
struct Short {
  using Output = void;
  std::shared_ptr<Gate> gate;
  std::thread::id* ran_on;
  std::atomic<bool>* after_the_gate;
  std::atomic<int>* done;
  Poll<void> poll(Context& /*cx*/) {
    *ran_on = std::this_thread::get_id();
    after_the_gate->store(gate->is_open());
    done->fetch_add(1);
    return ready;
  }
};

// One worker is held inside a long poll; six short tasks follow it. Round
// robin gives three of them to the held worker, where they wait although
// the other worker has run its three and gone to sleep. They run only when
// the long poll ends, on the worker that was held.
TEST(RoundRobinShortfall, TasksWaitBehindABusyWorkerWhileTheOtherSleeps) {
  constexpr int kShort = 6;  // what the tasks write outlives the runtime
  std::atomic<bool> holding{false};
  std::thread::id held_worker;
  std::array<std::thread::id, kShort> ran_on{};
  std::array<std::atomic<bool>, kShort> after_the_gate{};
  std::atomic<int> done_by_worker_1{0};
  std::atomic<int> done_by_worker_0{0};
  RoundRobinRuntime rr(2);
  auto gate = std::make_shared<Gate>();
  OpenOnExit opener(gate);
  ASSERT_TRUE(eventually([&] { return rr.scheduler.parks() >= 2; }))
      << "the idle workers never went to sleep";
  auto holder =
      rr.runtime.spawn(HoldsItsWorker{gate, &holding, &held_worker});  // worker 0
  ASSERT_TRUE(eventually([&] { return holding.load(); }));
  const std::size_t idle_parks = rr.scheduler.parks_of(1);
  std::vector<JoinHandle<void>> handles;
  for (int i = 0; i < kShort; ++i) {  // turns 1..6: worker 1, 0, 1, 0, 1, 0
    std::atomic<int>* done = i % 2 == 0 ? &done_by_worker_1 : &done_by_worker_0;
    handles.push_back(
        rr.runtime.spawn(Short{gate, &ran_on[i], &after_the_gate[i], done}));
  }
  ASSERT_TRUE(eventually([&] {
    return done_by_worker_1.load() == kShort / 2 && rr.scheduler.parks_of(1) > idle_parks;
  })) << "the free worker did not run its share and go back to sleep";
  EXPECT_EQ(done_by_worker_0.load(), 0)
      << "a task dealt to the held worker ran while it was held";
  gate->open();
  art::block_on(holder);
  for (auto& handle : handles)
    art::block_on(handle);
  for (int i = 1; i < kShort; i += 2) {
    EXPECT_EQ(ran_on[i], held_worker) << "short task " << i;
    EXPECT_TRUE(after_the_gate[i].load())
        << "short task " << i << " ran before the long poll ended";
  }
}

// The same run on chapter 07's shared queue: the held worker's share is
// taken by the free one, and every short task is done before the gate opens.
TEST(SharedQueueContrast, TheFreeWorkerRunsEverythingWhileTheOtherIsHeld) {
  constexpr int kShort = 6;
  std::atomic<bool> holding{false};
  std::thread::id held_worker;
  std::array<std::thread::id, kShort> ran_on{};
  std::array<std::atomic<bool>, kShort> after_the_gate{};
  std::atomic<int> done{0};
  Runtime runtime(2, std::make_unique<SharedQueueScheduler>());
  auto gate = std::make_shared<Gate>();
  OpenOnExit opener(gate);
  auto holder = runtime.spawn(HoldsItsWorker{gate, &holding, &held_worker});
  ASSERT_TRUE(eventually([&] { return holding.load(); }));
  std::vector<JoinHandle<void>> handles;
  handles.reserve(kShort);
  for (int i = 0; i < kShort; ++i)
    handles.push_back(runtime.spawn(Short{gate, &ran_on[i], &after_the_gate[i], &done}));
  ASSERT_TRUE(eventually([&] { return done.load() == kShort; }))
      << "the free worker left tasks waiting";
  gate->open();
  art::block_on(holder);
  for (auto& handle : handles)
    art::block_on(handle);
  for (int i = 0; i < kShort; ++i) {
    EXPECT_NE(ran_on[i], held_worker);
    EXPECT_FALSE(after_the_gate[i].load());
  }
}

}  // namespace
}  // namespace art
