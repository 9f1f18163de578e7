// Threads for tests whose body may throw. An exception that leaves a
// std::thread's body terminates the whole test program; on the students'
// copy that is what a TODO stub reached on another thread would do. A
// TestThread keeps the exception instead, and join() rethrows it on the
// test's own thread, so the test fails with the stub's message and the
// tests after it still run.
#pragma once

#include <exception>
#include <thread>
#include <utility>

namespace art::testing {

class TestThread {
 public:
  // `on_throw` runs on the thread after `body` threw: it lets the threads
  // that wait for this one go on (a barrier's arrive_and_drop, say).
  template <class Body, class OnThrow>
  TestThread(Body body, OnThrow on_throw)
      : thread_([this, body = std::move(body), on_throw = std::move(on_throw)]() mutable {
          try {
            body();
          } catch (...) {
            error_ = std::current_exception();  // read after join: no race
            on_throw();
          }
        }) {}
  template <class Body>
  explicit TestThread(Body body) : TestThread(std::move(body), [] {}) {}
  TestThread(const TestThread&) = delete;
  TestThread& operator=(const TestThread&) = delete;
  ~TestThread() {
    if (thread_.joinable())
      thread_.join();  // a test that failed first still waits for its thread
  }

  // Waits for the body to end; rethrows what it threw.
  void join() {
    thread_.join();
    if (error_)
      std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  std::exception_ptr error_;  // before thread_: set up before the thread starts
  std::thread thread_;
};

// Runs `body` on a thread of its own and waits for it to end; rethrows
// what it threw.
template <class Body>
void run_on_another_thread(Body body) {
  TestThread(std::move(body)).join();
}

}  // namespace art::testing
