// Chapter 09 demo: one skewed workload on three schedulers.
//
//   ./ch09-demo                     runs it on all three, prints what each
//                                   worker did
//   ./ch09-demo shared              only on chapter 07's shared queue
//   ./ch09-demo round-robin         only on chapter 08's round robin
//   ./ch09-demo work-stealing       only on work stealing
//   ART_TRACE=run.json ./ch09-demo work-stealing
//                                   writes a trace of the run (see chapter 07)
//
// A dispatcher task spawns 200 requests in a row, from a worker; every tenth
// is a report that keeps a worker busy for 20 ms, the others take 0.2 ms.
// The shared queue lets whichever worker is free take the next request.
// Round robin deals them out in turn, and with two workers all the reports
// land on one worker while the other runs out of work and sleeps. Work
// stealing puts them all in the dispatcher's worker's own deque, and the
// other worker, woken, steals half of what it finds there, again and again.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "art/round_robin_scheduler.hpp"
#include "art/runtime.hpp"
#include "art/shared_queue_scheduler.hpp"
#include "art/task.hpp"
#include "art/work_stealing_scheduler.hpp"

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kRequests = 200;
constexpr int kReportEvery = 10;
constexpr auto kReport = 20ms;
constexpr auto kShort = 200us;

// What one worker thread did, gathered by the requests themselves.
struct WorkerLog {
  Clock::duration busy{};
  int requests = 0;
  int reports = 0;
};

class Logbook {
 public:
  void record(Clock::duration busy, bool report) {
    std::lock_guard lock(mutex_);
    WorkerLog& log = by_thread_[std::this_thread::get_id()];
    log.busy += busy;
    ++log.requests;
    log.reports += report ? 1 : 0;
  }
  // The worker that ran the first request first: under round robin that is
  // worker 0, whose turn the first request was.
  std::vector<WorkerLog> workers(std::thread::id first) const {
    std::lock_guard lock(mutex_);
    std::vector<WorkerLog> logs;
    if (auto it = by_thread_.find(first); it != by_thread_.end())
      logs.push_back(it->second);
    for (const auto& [thread, log] : by_thread_)
      if (thread != first)
        logs.push_back(log);
    return logs;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::thread::id, WorkerLog> by_thread_;
};

// ANCHOR: request
// One request: keeps its worker busy for `cost` (a poll that never waits),
// then says which thread it ran on.
struct Request {
  using Output = std::thread::id;
  Clock::duration cost;
  bool report;
  Logbook* logbook;
  art::Poll<std::thread::id> poll(art::Context& /*cx*/) const {
    const auto start = Clock::now();
    while (Clock::now() - start < cost) {
    }
    logbook->record(Clock::now() - start, report);
    return std::this_thread::get_id();
  }
};
// ANCHOR_END: request

double milliseconds(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Spawns the requests in a row, from a worker, and joins them all. Returns
// the thread that ran the first.
art::Task<std::thread::id> dispatch(Logbook* logbook) {
  std::vector<art::JoinHandle<std::thread::id>> handles;
  handles.reserve(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    const bool report = i % kReportEvery == 0;
    handles.push_back(art::spawn(Request{report ? kReport : kShort, report, logbook}));
  }
  std::thread::id first;
  for (std::size_t i = 0; i < handles.size(); ++i) {
    const std::thread::id ran_on = co_await handles[i];
    if (i == 0)
      first = ran_on;
  }
  co_return first;
}

// Runs the requests on a two-worker runtime over `scheduler` and prints what
// each worker did. `steals`, if given, reads the scheduler's steal count.
void run(const char* name, std::unique_ptr<art::Scheduler> scheduler,
         const std::function<std::size_t()>& steals = {}) {
  Logbook logbook;
  art::Runtime runtime(2, std::move(scheduler));
  const auto start = Clock::now();
  const std::thread::id first = runtime.block_on(dispatch(&logbook));
  const auto wall = Clock::now() - start;
  std::printf("%s: all %d requests done in %.0f ms\n", name, kRequests,
              milliseconds(wall));
  const std::vector<WorkerLog> workers = logbook.workers(first);
  for (std::size_t w = 0; w < workers.size(); ++w) {
    const WorkerLog& log = workers[w];
    std::printf("  worker %zu: %3d requests (%d reports), busy %4.0f ms, idle %4.0f ms\n",
                w, log.requests, log.reports, milliseconds(log.busy),
                milliseconds(wall - log.busy));
  }
  std::printf("  parks of both workers: %llu\n",
              static_cast<unsigned long long>(runtime.metrics().parks));
  if (steals)
    std::printf("  requests stolen: %zu\n", steals());
}

}  // namespace

int main(int argc, char** argv) {
  const std::string only = argc > 1 ? argv[1] : "";
  if (argc > 2 || (!only.empty() && only != "shared" && only != "round-robin" &&
                   only != "work-stealing")) {
    std::fprintf(stderr,
                 "usage: %s [shared|round-robin|work-stealing]  (no argument: all)\n",
                 argv[0]);
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::printf(
      "%d requests on 2 workers, spawned by a task; every %dth is a %lld ms report, the "
      "others take %lld us\n",
      kRequests, kReportEvery, static_cast<long long>(kReport.count()),
      static_cast<long long>(kShort.count()));
  if (only.empty() || only == "shared") {
    std::printf("\n");
    run("shared queue (chapter 07)", std::make_unique<art::SharedQueueScheduler>());
  }
  if (only.empty() || only == "round-robin") {
    std::printf("\n");
    run("round robin (chapter 08)", std::make_unique<art::RoundRobinScheduler>());
  }
  if (only.empty() || only == "work-stealing") {
    std::printf("\n");
    auto stealing = std::make_unique<art::WorkStealingScheduler>();
    const art::WorkStealingScheduler& view = *stealing;  // the runtime keeps it alive
    run("work stealing (chapter 09)", std::move(stealing),
        [&view] { return view.steals(); });
  }
  return 0;
}
