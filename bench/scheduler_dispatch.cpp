// What a virtual call costs a scheduler (chapter 07's Scheduler interface):
// one schedule() and one next_task() per iteration, on one thread, through
// a Scheduler& whose dynamic type the compiler cannot see, and on the
// SharedQueueScheduler itself, which is final, so its calls are direct (and
// may be inlined). Both take the same uncontended mutex twice.
#include <benchmark/benchmark.h>

#include "art/shared_queue_scheduler.hpp"
#include "art/task_header.hpp"

namespace {

// A bare task header: enough to be a queue entry.
class Entry final : public art::TaskHeader {
 public:
  Entry() : TaskHeader(nullptr, art::TaskId{1}) {}
  bool poll_future(art::Context& /*cx*/) override { return true; }
  void drop_future() noexcept override {}
  void wake_joiner() override {}
  void drop_output() noexcept override {}

 private:
  void destroy() noexcept override {}
};

// Hides where the pointer came from, so the call through it stays virtual.
template <class T>
T* opaque(T* pointer) {
  asm volatile("" : "+r"(pointer));
  return pointer;
}

void through_the_interface(benchmark::State& state) {
  art::SharedQueueScheduler concrete;
  art::Scheduler* scheduler = opaque<art::Scheduler>(&concrete);
  scheduler->start(1);
  Entry entry;
  for (auto _ : state) {
    scheduler->schedule(&entry);
    benchmark::DoNotOptimize(scheduler->next_task(0));
  }
  scheduler->close();
}

void on_the_final_class(benchmark::State& state) {
  art::SharedQueueScheduler scheduler;
  scheduler.start(1);
  Entry entry;
  for (auto _ : state) {
    scheduler.schedule(&entry);
    benchmark::DoNotOptimize(scheduler.next_task(0));
  }
  scheduler.close();
}

}  // namespace

BENCHMARK(through_the_interface);
BENCHMARK(on_the_final_class);
