// How long a wake through chapter 12's reactor takes, and what a reactor
// loop that comes round every 100 ms would cost instead.
//
//   build/default/bench/reactor-wake [samples]
//
// Two measurements, each a median, 99th percentile and maximum:
//
// 1. "pipe to task": a thread writes an 8-byte timestamp into a pipe; a task
//    on chapter 12's runtime (one worker) is waiting in `co_await read` on
//    the other end. The figure is the time from just before the write to the
//    moment the task runs with the bytes: epoll's wake of whoever waits in
//    it, the slot's readiness, the task's wake, a worker's poll. Measured
//    for both placements of the reactor: on its own thread (the wake
//    crosses to the parked worker) and driven by the worker (the worker
//    itself sleeps in epoll_wait and polls the task it woke). The
//    writer waits for the task's answer, then a random 0.1-1 ms, so that
//    each sample finds the reactor asleep in epoll_wait and the worker
//    parked: the cold path, on purpose.
//
// 2. "request to loop": what a wake costs that only the reactor loop's next
//    round can serve (a new earliest timer, a shutdown, or in the seed's
//    design a newly registered interest). A loop thread built like the
//    reactor's waits in epoll_wait; another thread queues a request (an
//    atomic counter) and the loop serves it when it next comes round. With
//    an eventfd the requester writes it, and the loop wakes at once; with a
//    100 ms timeout and no eventfd (the seed's loop) the request waits for
//    the timeout. Requests come at random moments, 0-100 ms apart, so the
//    second case shows the wait a caller would see: on average half a
//    period, up to a whole one.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <span>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "art/io_wrapper.hpp"
#include "art/owned_fd.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Micros = std::chrono::duration<double, std::micro>;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             Clock::now().time_since_epoch())
      .count();
}

void report(const char* name, std::vector<double>& micros) {
  std::sort(micros.begin(), micros.end());
  const auto at = [&](double q) {
    return micros[std::min(micros.size() - 1,
                           static_cast<std::size_t>(q * micros.size()))];
  };
  std::printf("%-44s n=%5zu  p50 %10.1f us  p99 %10.1f us  max %10.1f us\n", name,
              micros.size(), at(0.5), at(0.99), micros.back());
}

// ---- 1. pipe to task ----

art::Task<int> receive_stamps(art::IoWrapper<art::OwnedFd>& pipe, int samples,
                              std::vector<double>& micros, std::atomic<int>& answered) {
  for (int i = 0; i < samples; ++i) {
    std::array<std::byte, sizeof(std::int64_t)> stamp{};
    co_await pipe.read_exact(stamp);
    std::int64_t sent = 0;
    std::memcpy(&sent, stamp.data(), sizeof sent);
    micros.push_back(static_cast<double>(now_ns() - sent) / 1000.0);
    answered.fetch_add(1, std::memory_order_release);  // the writer may go on
    answered.notify_one();
  }
  co_return samples;
}

void pipe_to_task(const char* name, art::ReactorPlacement placement, int samples) {
  std::array<int, 2> fds{};
  if (pipe2(fds.data(), O_NONBLOCK | O_CLOEXEC) != 0) {
    std::perror("pipe2");
    std::exit(1);
  }
  art::OwnedFd write_end(fds[1]);
  art::Runtime runtime(art::RuntimeOptions{.workers = 1, .reactor = placement});
  art::IoWrapper<art::OwnedFd> read_end{art::OwnedFd(fds[0]), runtime.reactor()};
  std::vector<double> micros;
  micros.reserve(static_cast<std::size_t>(samples));
  // Release by the task after it stored its sample, acquire by the writer:
  // the count says the sample is in, and micros is read only after the join.
  std::atomic<int> answered{0};
  art::JoinHandle<int> reader =
      runtime.spawn(receive_stamps(read_end, samples, micros, answered));
  std::mt19937 random(12);
  std::uniform_int_distribution<int> gap_us(100, 1000);
  for (int i = 0; i < samples; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(gap_us(random)));
    const std::int64_t stamp = now_ns();
    if (write(write_end.fd(), &stamp, sizeof stamp) != sizeof stamp) {
      std::perror("write");
      std::exit(1);
    }
    for (int seen = answered.load(std::memory_order_acquire); seen <= i;
         seen = answered.load(std::memory_order_acquire))
      answered.wait(seen, std::memory_order_acquire);
  }
  art::block_on(reader);
  report(name, micros);
}

// ---- 2. request to loop ----

// A reactor-shaped loop: epoll_wait, then serve what was asked. With an
// eventfd, a request wakes it; without, only the timeout brings it round.
class Loop {
 public:
  Loop(bool eventfd_wakes, int timeout_ms)
      : eventfd_wakes_(eventfd_wakes), timeout_ms_(timeout_ms) {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    wake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event event{};
    event.events = EPOLLIN;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &event);
    thread_ = std::thread([this] { run(); });
  }
  ~Loop() {
    stop_.store(true, std::memory_order_release);
    ring();
    thread_.join();
    close(wake_);
    close(epoll_);
  }

  // Queues a request stamped now; returns when the loop served it.
  double request() {
    const std::int64_t asked = now_ns();
    asked_at_.store(asked, std::memory_order_release);
    if (eventfd_wakes_)
      ring();
    for (std::int64_t served = served_at_.load(std::memory_order_acquire); served < asked;
         served = served_at_.load(std::memory_order_acquire))
      served_at_.wait(served, std::memory_order_acquire);
    return static_cast<double>(served_at_.load(std::memory_order_acquire) - asked) /
           1000.0;
  }

 private:
  void ring() const {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = write(wake_, &one, sizeof one);
  }
  void run() {
    std::array<epoll_event, 8> events{};
    while (!stop_.load(std::memory_order_acquire)) {
      const int ready = epoll_wait(epoll_, events.data(), 8, timeout_ms_);
      if (ready > 0) {
        std::uint64_t count = 0;
        [[maybe_unused]] const ssize_t got = read(wake_, &count, sizeof count);
      }
      const std::int64_t asked = asked_at_.load(std::memory_order_acquire);
      if (asked > served_at_.load(std::memory_order_relaxed)) {
        served_at_.store(now_ns(), std::memory_order_release);
        served_at_.notify_all();
      }
    }
  }

  const bool eventfd_wakes_;
  const int timeout_ms_;
  int epoll_ = -1;
  int wake_ = -1;
  // Release stores and acquire loads throughout: each hands a timestamp to
  // the other thread, and nothing else; the waits only sleep on them.
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> asked_at_{0};
  std::atomic<std::int64_t> served_at_{0};
  std::thread thread_;
};

void request_to_loop(const char* name, bool eventfd_wakes, int timeout_ms, int samples) {
  Loop loop(eventfd_wakes, timeout_ms);
  std::mt19937 random(7);
  std::uniform_int_distribution<int> gap_us(0, 100'000);
  std::vector<double> micros;
  for (int i = 0; i < samples; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(gap_us(random)));
    micros.push_back(loop.request());
  }
  report(name, micros);
}

}  // namespace

int main(int argc, char** argv) {
  const int samples = argc > 1 ? std::atoi(argv[1]) : 2000;
  if (samples < 10 || samples > 1'000'000) {
    std::fprintf(stderr, "usage: %s [samples, 10 to 1000000; 2000 by default]\n",
                 argv[0]);
    return 2;
  }
  pipe_to_task("pipe to task (reactor thread, 1 worker)",
               art::ReactorPlacement::own_thread, samples);
  pipe_to_task("pipe to task (driven by the worker)", art::ReactorPlacement::workers,
               samples);
  // The loop comparison sleeps up to 100 ms per sample: fewer samples.
  const int loop_samples = std::max(10, samples / 40);
  request_to_loop("request to loop, eventfd, no timeout", true, -1, loop_samples);
  request_to_loop("request to loop, 100 ms timeout, no eventfd", false, 100,
                  loop_samples);
  return 0;
}
