// What spending a token of the cooperative budget costs, two ways:
//
//   through_the_context   chapter 11's: the bucket is a plain count on the
//                         polling worker's stack, reached through the poll's
//                         Context (take_token, then made_progress)
//   global_atomic_slab    the first design of this runtime: one
//                         std::atomic<uint32_t> per task slot in a global
//                         array, indexed by the task's slot; a spend is a
//                         load and a fetch_sub on it
//
// Each benchmark thread plays one worker polling one task, and spends a token
// per iteration, refilling when the bucket is empty, as a task whose leaves
// are always ready does. At 2 threads the slab's tasks sit in neighbouring
// slots, as tasks spawned one after the other do: their counters share a
// cache line, which the two workers then pass back and forth. The Context's
// bucket is on each worker's own stack and shares nothing. Not a peer
// comparison, so not in the table: run build/default/bench/budget-cost.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include <benchmark/benchmark.h>

#include "art/budget.hpp"
#include "art/context.hpp"
#include "art/waker.hpp"

namespace {

constexpr std::uint32_t kTokens = art::Budget::kDefaultTokens;

// ANCHOR: context_spend
void through_the_context(benchmark::State& state) {
  const art::Waker waker = art::noop_waker();
  art::Budget budget(kTokens);
  art::Context cx(waker, budget);
  for (auto _ : state) {
    art::TokenGuard token = art::take_token(cx);
    if (token) {
      token.made_progress();
    } else {
      budget = art::Budget(kTokens);  // the next poll's bucket
    }
    benchmark::DoNotOptimize(budget);
  }
}
// ANCHOR_END: context_spend

// The seed's slab: a counter per task slot, shared by every worker.
// ANCHOR: slab
std::array<std::atomic<std::uint32_t>, 4096> slab_budgets{};

void global_atomic_slab(benchmark::State& state) {
  // Relaxed everywhere: the count orders nothing else, and each slot's task
  // is polled by one worker at a time, as in the design being measured.
  std::atomic<std::uint32_t>& mine =
      slab_budgets[static_cast<std::size_t>(state.thread_index())];
  mine.store(kTokens, std::memory_order_relaxed);
  for (auto _ : state) {
    if (mine.load(std::memory_order_relaxed) == 0)
      mine.store(kTokens, std::memory_order_relaxed);  // the next poll's bucket
    else
      mine.fetch_sub(1, std::memory_order_relaxed);
    benchmark::DoNotOptimize(mine);
  }
}
// ANCHOR_END: slab

}  // namespace

BENCHMARK(through_the_context)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(global_atomic_slab)->Threads(1)->Threads(2)->UseRealTime();
