// What 100,000 pending timers cost, and cancelling them: chapter 12's timing
// wheel (timer_wheel.hpp), alone and behind its TimerDriver (the lock and the
// waker table), against chapter 02's design, a binary heap of weak_ptrs to a
// shared timer state with lazy cancellation (chapter 02's timer_thread.hpp,
// which chapter 12 retires), and, to tell
// the data structure from the allocations, a heap of plain ids with a
// cancelled flag per id.
//
// Each round, on a structure that has already held 100,000 timers once:
//   insert   100,000 timers, deadlines uniformly random in 1 ms .. 10 min
//   cancel   all of them (a heap only marks them: the entries stay)
//   insert   100,000 more (for a heap, on top of the dead ones)
//   fire     all due ones, the clock jumping to 10 min at once
// and, separately, "fire by 1 ms": 100,000 timers fired by a clock that
// moves one millisecond at a time, as a reactor that wakes every millisecond
// for ten minutes would (600,000 turns; the figure is per turn).
// Figures are the median of 7 rounds, nanoseconds of the thread's CPU time
// per operation. Not a
// Google Benchmark and not in the peer table: run build/default/bench/timers.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <queue>
#include <random>
#include <vector>

#include "art/timer_driver.hpp"
#include "art/timer_wheel.hpp"
#include "art/waker.hpp"

namespace {

constexpr std::size_t kTimers = 100'000;
constexpr std::uint64_t kHorizonMs = 10 * 60 * 1000;
constexpr int kRounds = 7;

std::vector<std::uint64_t> random_deadlines(std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<std::uint64_t> in_horizon(1, kHorizonMs);
  std::vector<std::uint64_t> deadlines(kTimers);
  for (auto& deadline : deadlines)
    deadline = in_horizon(random);
  return deadlines;
}

// The thread's CPU time, not the wall clock's: on a shared machine another
// program's turn on this core is not the timers' cost.
double thread_cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

template <class Work>
double ns_per(std::size_t operations, Work&& work) {
  const double start = thread_cpu_ns();
  work();
  return (thread_cpu_ns() - start) / static_cast<double>(operations);
}

struct Figures {
  double insert = 0, cancel = 0, insert_again = 0, fire = 0, fire_by_ms = 0;
  std::size_t entries_after_cancel = 0;
};

// ------------------------------------------------------------------ designs

// The wheel alone: ticks are milliseconds.
struct WheelDesign {
  art::TimerWheel wheel;
  std::vector<art::TimerId> ids;
  std::uint64_t base = 0;  // rounds continue where the last one ended

  void insert(const std::vector<std::uint64_t>& deadlines) {
    ids.clear();
    for (std::uint64_t deadline : deadlines)
      ids.push_back(wheel.insert(base + deadline));
  }
  void cancel_all() {
    for (art::TimerId id : ids)
      wheel.cancel(id);
  }
  std::size_t entries() const { return wheel.size(); }
  std::size_t fire_until(std::uint64_t ms) {
    std::size_t fired = 0;
    wheel.advance(base + ms, [&](art::TimerId) { ++fired; });
    return fired;
  }
  void next_round() { base = wheel.elapsed() + 1; }
};

// The driver: the wheel, its mutex and the waker table (a no-op waker).
struct DriverDesign {
  const art::Clock::time_point origin{};
  art::TimerDriver driver{origin};
  const art::Waker waker = art::noop_waker();
  std::vector<art::TimerId> ids;
  std::uint64_t base = 0;

  art::Clock::time_point at(std::uint64_t ms) const {
    return origin + std::chrono::milliseconds(base + ms);
  }
  void insert(const std::vector<std::uint64_t>& deadlines) {
    ids.clear();
    for (std::uint64_t deadline : deadlines)
      ids.push_back(*driver.register_timer(at(deadline), waker));
  }
  void cancel_all() {
    for (art::TimerId id : ids)
      driver.cancel(id);
  }
  std::size_t entries() const { return driver.pending(); }
  std::size_t fire_until(std::uint64_t ms) { return driver.fire_due(at(ms)); }
  void next_round() {
    base = static_cast<std::uint64_t>(
               std::chrono::floor<std::chrono::milliseconds>(driver.now() - origin)
                   .count()) +
           1;
  }
};

// Chapter 02: each timer's state shared (make_shared) between the future and
// a heap entry that holds it weakly; a cancel drops the state, the entry
// stays until its deadline is popped.
struct SharedStateHeapDesign {
  // What chapter 02's TimerFuture shared with its timer thread.
  struct TimerState {
    std::mutex mutex;
    bool fired = false;
    art::Waker waker;
  };
  struct Entry {
    std::uint64_t deadline;
    std::weak_ptr<TimerState> timer;
    bool operator>(const Entry& other) const { return deadline > other.deadline; }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  std::vector<std::shared_ptr<TimerState>> timers;  // what the futures hold
  const art::Waker waker = art::noop_waker();
  std::uint64_t base = 0;

  void insert(const std::vector<std::uint64_t>& deadlines) {
    timers.clear();
    for (std::uint64_t deadline : deadlines) {
      auto timer = std::make_shared<TimerState>();
      timer->waker = waker;
      heap.push({base + deadline, timer});
      timers.push_back(std::move(timer));
    }
  }
  void cancel_all() { timers.clear(); }  // the futures are dropped
  std::size_t entries() const { return heap.size(); }
  std::size_t fire_until(std::uint64_t ms) {
    std::size_t fired = 0;
    while (!heap.empty() && heap.top().deadline <= base + ms) {
      if (std::shared_ptr<TimerState> timer = heap.top().timer.lock()) {
        std::lock_guard lock(timer->mutex);
        timer->fired = true;
        timer->waker.wake_by_ref();
        ++fired;
      }
      heap.pop();
    }
    return fired;
  }
  void next_round() {
    timers.clear();
    base += kHorizonMs + 1;
  }
};

// A heap of (deadline, id) with a cancelled flag per id: no allocation per
// timer, the heap's own costs only.
struct IdHeapDesign {
  struct Entry {
    std::uint64_t deadline;
    std::uint32_t id;
    bool operator>(const Entry& other) const { return deadline > other.deadline; }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  std::vector<char> cancelled;
  std::vector<std::uint32_t> ids;
  std::uint32_t next_id = 0;
  std::uint64_t base = 0;

  void insert(const std::vector<std::uint64_t>& deadlines) {
    ids.clear();
    cancelled.resize(next_id + deadlines.size());
    for (std::uint64_t deadline : deadlines) {
      heap.push({base + deadline, next_id});
      ids.push_back(next_id++);
    }
  }
  void cancel_all() {
    for (std::uint32_t id : ids)
      cancelled[id] = 1;
  }
  std::size_t entries() const { return heap.size(); }
  std::size_t fire_until(std::uint64_t ms) {
    std::size_t fired = 0;
    while (!heap.empty() && heap.top().deadline <= base + ms) {
      fired += cancelled[heap.top().id] == 0 ? 1 : 0;
      heap.pop();
    }
    return fired;
  }
  void next_round() {
    base += kHorizonMs + 1;
    next_id = 0;
    cancelled.assign(cancelled.size(), 0);
  }
};

// -------------------------------------------------------------------- rounds

template <class Design>
Figures one_round(Design& design, const std::vector<std::uint64_t>& first,
                  const std::vector<std::uint64_t>& second) {
  Figures figures;
  figures.insert = ns_per(kTimers, [&] { design.insert(first); });
  figures.cancel = ns_per(kTimers, [&] { design.cancel_all(); });
  figures.entries_after_cancel = design.entries();
  figures.insert_again = ns_per(kTimers, [&] { design.insert(second); });
  std::size_t fired = 0;
  figures.fire = ns_per(kTimers, [&] { fired = design.fire_until(kHorizonMs); });
  if (fired != kTimers)
    std::fprintf(stderr, "fired %zu of %zu\n", fired, kTimers);
  design.next_round();
  design.insert(first);
  fired = 0;
  figures.fire_by_ms = ns_per(kHorizonMs, [&] {
    for (std::uint64_t ms = 1; ms <= kHorizonMs; ++ms)
      fired += design.fire_until(ms);
  });
  if (fired != kTimers)
    std::fprintf(stderr, "fired %zu of %zu by ms\n", fired, kTimers);
  design.next_round();
  return figures;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

template <class Design>
void measure(const char* name, const std::vector<std::uint64_t>& first,
             const std::vector<std::uint64_t>& second) {
  Design design;
  one_round(design, first, second);  // warm-up: every container has grown
  std::vector<double> insert, cancel, insert_again, fire, fire_by_ms;
  std::size_t entries_after_cancel = 0;
  for (int round = 0; round < kRounds; ++round) {
    const Figures figures = one_round(design, first, second);
    insert.push_back(figures.insert);
    cancel.push_back(figures.cancel);
    insert_again.push_back(figures.insert_again);
    fire.push_back(figures.fire);
    fire_by_ms.push_back(figures.fire_by_ms);
    entries_after_cancel = figures.entries_after_cancel;
  }
  std::printf("%-28s %9.1f %9.1f %9.1f %9.1f %11.1f %12zu\n", name, median(insert),
              median(cancel), median(insert_again), median(fire), median(fire_by_ms),
              entries_after_cancel);
}

}  // namespace

int main() {
  const std::vector<std::uint64_t> first = random_deadlines(1);
  const std::vector<std::uint64_t> second = random_deadlines(2);
  std::printf(
      "%zu timers, deadlines 1 ms .. 10 min; CPU ns per operation, median of %d\n",
      kTimers, kRounds);
  std::printf("%-28s %9s %9s %9s %9s %11s %12s\n", "design", "insert", "cancel",
              "insert+", "fire", "fire by 1ms", "left after");
  std::printf("%-28s %9s %9s %9s %9s %11s %12s\n", "", "", "", "", "", "(per turn)",
              "cancel");
  measure<WheelDesign>("timing wheel", first, second);
  measure<DriverDesign>("timing wheel + driver", first, second);
  measure<SharedStateHeapDesign>("heap, shared state (ch. 02)", first, second);
  measure<IdHeapDesign>("heap of ids, lazy cancel", first, second);
}
