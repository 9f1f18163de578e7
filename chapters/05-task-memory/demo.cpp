// Chapter 05 demo: where tasks live, and what spawning costs in allocations.
//
//   ./ch05-demo                    prints allocation counts per round
//   SPDLOG_LEVEL=debug ./ch05-demo also logs the executor's shutdown
//
// Three rounds of the same work: a root task spawns 10 000 coroutine tasks
// and joins them. The first round grows the task slab and the frame pool;
// the later ones reuse what the first left behind and call the global
// allocator only for what the demo itself does.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "art/allocation_counter.hpp"
#include "art/executor.hpp"
#include "art/frame_pool.hpp"
#include "art/task.hpp"
#include "art/yield_now.hpp"

namespace {

constexpr int kTasks = 10'000;

art::Task<int> square(int x) {
  co_await art::yield_now();
  co_return x* x;
}

// ANCHOR: round
art::Task<std::int64_t> round_of_tasks(std::vector<art::JoinHandle<int>>& handles) {
  for (int i = 0; i < kTasks; ++i)
    handles.push_back(art::spawn(square(i % 100)));
  std::int64_t sum = 0;
  for (auto& handle : handles)
    sum += co_await handle;
  handles.clear();  // keeps its capacity: the next round does not allocate here
  co_return sum;
}
// ANCHOR_END: round

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  art::Executor executor;
  std::vector<art::JoinHandle<int>> handles;
  handles.reserve(kTasks);
  for (int round = 1; round <= 3; ++round) {
    const std::uint64_t before = art::global_allocations();
    const art::FramePool::Stats pool_before = art::FramePool::stats();
    const std::int64_t sum = executor.block_on(round_of_tasks(handles));
    const std::uint64_t allocations = art::global_allocations() - before;
    const art::FramePool::Stats pool = art::FramePool::stats();
    std::printf(
        "=> round %d: %d tasks, sum %lld, global allocations %llu (%.3f per task), "
        "frames reused %llu, fresh %llu, task slots %zu\n",
        round, kTasks + 1, static_cast<long long>(sum),
        static_cast<unsigned long long>(allocations),
        static_cast<double>(allocations) / (kTasks + 1),
        static_cast<unsigned long long>(pool.reused - pool_before.reused),
        static_cast<unsigned long long>(pool.fresh - pool_before.fresh), executor.task_slots());
  }
}
