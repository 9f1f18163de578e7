// trace-sample: writes a small trace of two workers sharing a queue of tasks,
// the shape of a multi-threaded runtime's run: a task spawns a burst of
// tasks, each polled a few times in whichever worker is free, so tasks move
// between workers; workers park when the queue is empty. The main thread only
// starts the bursts and records nothing: the trace has the workers' two lanes.
// tools/testdata/trace-sample.json comes from
//   trace-sample tools/testdata/trace-sample.json
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

#include "art/trace.hpp"

namespace {

struct SampleTask {
  std::uint64_t id;
  int polls_left;
  int spawns;  // tasks its first poll spawns
};

class SharedQueue {
 public:
  void push(SampleTask task) {
    {
      const std::lock_guard lock(mutex_);
      tasks_.push_back(task);
    }
    ready_.notify_one();
  }
  void close() {
    {
      const std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }
  // The next task; parks (and records it) while there is none. False: closed.
  bool pop(SampleTask& task) {
    std::unique_lock lock(mutex_);
    while (tasks_.empty() && !closed_) {
      art::trace::park();
      ready_.wait(lock);
      art::trace::unpark();
    }
    if (tasks_.empty()) {
      return false;
    }
    task = tasks_.front();
    tasks_.pop_front();
    return true;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<SampleTask> tasks_;
  bool closed_ = false;
};

void spin_for(std::chrono::microseconds work) {
  const auto until = std::chrono::steady_clock::now() + work;
  while (std::chrono::steady_clock::now() < until) {
  }
}

constexpr int kPollsPerTask = 6;
std::atomic<std::uint64_t> next_id{1};

void poll(SampleTask& task, SharedQueue& queue) {
  art::trace::poll_begin(task.id);
  for (; task.spawns > 0; --task.spawns) {
    // Relaxed: ids only need to be unique.
    const std::uint64_t id = next_id.fetch_add(1, std::memory_order_relaxed);
    art::trace::instant("spawn", id);
    queue.push(SampleTask{id, kPollsPerTask, 0});
  }
  // Polls of uneven length, so that tasks do not keep to one worker.
  spin_for(std::chrono::microseconds(
      12 + 7 * ((static_cast<int>(task.id) + task.polls_left) % 5)));
  art::trace::poll_end(task.id);
}

void worker(int index, SharedQueue& queue, std::atomic<int>& unfinished) {
  art::trace::name_thread("worker " + std::to_string(index));
  SampleTask task{};
  while (queue.pop(task)) {
    poll(task, queue);
    if (--task.polls_left > 0) {
      queue.push(task);  // it yielded: polled again later, maybe by the other worker
    } else {
      art::trace::instant("done", task.id);
      // Relaxed: the queue's mutex orders what the workers do after close().
      if (unfinished.fetch_sub(1, std::memory_order_relaxed) == 1) {
        queue.close();
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: trace-sample OUTPUT.json\n");
    return 2;
  }
  art::trace::detail::start(argv[1]);
  constexpr int kBursts = 3;
  constexpr int kTasksPerBurst = 8;
  SharedQueue queue;
  std::atomic<int> unfinished{kBursts * (kTasksPerBurst + 1)};
  std::thread first(worker, 0, std::ref(queue), std::ref(unfinished));
  std::thread second(worker, 1, std::ref(queue), std::ref(unfinished));
  for (int burst = 0; burst < kBursts; ++burst) {
    std::this_thread::sleep_for(std::chrono::microseconds(600));
    // Relaxed: ids only need to be unique.
    const std::uint64_t id = next_id.fetch_add(1, std::memory_order_relaxed);
    queue.push(SampleTask{id, 1, kTasksPerBurst});
  }
  first.join();
  second.join();
  try {
    art::trace::flush();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
  }
  return 0;
}
