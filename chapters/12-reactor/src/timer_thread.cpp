#include "art/timer_thread.hpp"

#include <utility>

#include "art/log.hpp"

namespace art {

TimerThread& TimerThread::global() {
  static TimerThread instance;
  return instance;
}

TimerThread::TimerThread() : thread_([this] { run(); }) {
  // The timer thread logs until it stops. Making the logger before the first
  // timer ensures it is destroyed after this object at exit.
  (void)logger();
}

TimerThread::~TimerThread() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_one();
  thread_.join();
}

void TimerThread::schedule(Clock::time_point deadline, std::weak_ptr<TimerState> timer) {
  bool earliest = false;
  {
    std::lock_guard lock(mutex_);
    earliest = entries_.empty() || deadline < entries_.top().deadline;
    entries_.push(Entry{deadline, std::move(timer)});
  }
  // Only a new earliest deadline changes how long the thread should sleep.
  if (earliest) {
    changed_.notify_one();
  }
}

namespace {

// ANCHOR: fire
void fire(const std::shared_ptr<TimerState>& timer) {
  Waker waker;
  {
    std::lock_guard lock(timer->mutex);
    timer->fired = true;
    waker = std::move(timer->waker);
  }
  // Wake outside the lock: waking may run arbitrary code, which may poll the
  // very future whose state we would still be holding locked.
  logger().debug("timer thread: deadline reached, waking");
  std::move(waker).wake();
}
// ANCHOR_END: fire

}  // namespace

// ANCHOR: run
void TimerThread::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (entries_.empty()) {
      changed_.wait(lock);
      continue;
    }
    // A copy: wait_until reads its deadline again after waking, when
    // schedule() may have reallocated the heap under a reference.
    const Clock::time_point deadline = entries_.top().deadline;
    if (Clock::now() < deadline) {
      changed_.wait_until(lock, deadline);
      continue;  // woken early, by a new earliest timer or by a stop
    }
    std::shared_ptr<TimerState> timer = entries_.top().timer.lock();
    entries_.pop();
    if (timer) {  // null: the future was dropped before its deadline
      lock.unlock();
      fire(timer);
      lock.lock();
    }
  }
}
// ANCHOR_END: run

}  // namespace art
