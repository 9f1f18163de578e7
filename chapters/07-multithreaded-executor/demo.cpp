// Chapter 07 demo: tasks on two worker threads, joined from anywhere.
//
//   ./ch07-demo                    prints what the runtime did
//   ART_TRACE=run.json ./ch07-demo also writes a trace of the run: one lane
//                                  per worker, a span per poll (see the book)
//
// A parent task spawns children that compute, yield and wait for a timer;
// they run on whichever worker is free. A plain thread spawns too, and
// joins a task it did not spawn. Then a shutdown with tasks still waiting.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "art/log.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "art/timer_future.hpp"
#include "art/yield_now.hpp"

using namespace std::chrono_literals;

namespace {

std::mutex seen_mutex;
std::set<std::thread::id> threads_seen;  // which threads ran a child's poll

void note_thread() {
  std::lock_guard lock(seen_mutex);
  threads_seen.insert(std::this_thread::get_id());
}

// ANCHOR: child
art::Task<long> child(int id) {
  long sum = 0;
  for (int round = 0; round < 4; ++round) {
    note_thread();
    for (int i = 0; i < 500'000; ++i)
      sum += (i * id) % 7;
    co_await art::yield_now();  // back into the shared queue: any worker may take it
  }
  co_await art::TimerFuture(1ms * id);
  note_thread();
  co_return sum;
}

art::Task<long> parent(int children) {
  std::vector<art::JoinHandle<long>> handles;
  for (int id = 1; id <= children; ++id)
    handles.push_back(art::spawn(child(id)));
  long total = 0;
  for (auto& handle : handles)
    total += co_await handle;
  co_return total;
}
// ANCHOR_END: child

// Pending for good, and keeps no waker: only a shutdown ends its task.
struct Never {
  using Output = void;
  art::Poll<void> poll(art::Context& /*cx*/) { return art::pending; }
};

art::Task<void> waits_for(art::JoinHandle<void> other) { co_await other; }

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (std::getenv("SPDLOG_LEVEL") ==
      nullptr) {  // NOLINT(concurrency-mt-unsafe): no threads yet
    art::logger().set_level(spdlog::level::info);
  }
  art::Runtime runtime(2);
  const long total = runtime.block_on(parent(8));
  std::printf("=> 8 children summed to %ld; their polls ran on %zu threads\n", total,
              threads_seen.size());

  // ANCHOR: from_a_thread
  art::Spawner spawner = runtime.spawner();
  long from_thread = 0;
  std::thread plain([&spawner, &from_thread] {
    auto handle = spawner.spawn(child(3));  // spawned from a thread that is no worker
    from_thread = art::block_on(handle);    // and joined there, parked until it is done
  });
  plain.join();
  std::printf("=> a plain thread spawned and joined a task: %ld\n", from_thread);
  // ANCHOR_END: from_a_thread

  auto stuck = runtime.spawn(Never{});
  std::vector<art::JoinHandle<void>> waiting;
  for (int i = 0; i < 1000; ++i)
    waiting.push_back(runtime.spawn(waits_for(runtime.spawn(Never{}))));
  runtime.shutdown();  // 2001 tasks still waiting: every one is cancelled
  const art::RuntimeMetrics metrics = runtime.metrics();
  std::printf("=> shutdown cancelled %llu tasks; %llu polls in all, %llu parks\n",
              static_cast<unsigned long long>(metrics.cancelled),
              static_cast<unsigned long long>(metrics.polls),
              static_cast<unsigned long long>(metrics.parks));
  std::printf("=> a join after shutdown: %s\n", [&] {
    try {
      art::block_on(stuck);
      return "finished?";
    } catch (const art::TaskCancelled&) {
      return "TaskCancelled";
    }
  }());
}
