// parker.cpp: a mutex, a condition variable, a token, and the waker vtable
// that turns wake() into unpark().
#include "art/parker.hpp"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>

#include "art/log.hpp"

namespace art {

// ANCHOR: state
struct ParkerState {
  std::atomic<std::size_t> references{1};
  std::mutex mutex;
  std::condition_variable condition;
  bool token = false;  // an unpark that no park has consumed yet
};
// ANCHOR_END: state

namespace {

// ANCHOR: vtable
RawWaker clone_waker(void* data);
void wake(void* data);
void wake_by_ref(void* data);
void drop_waker(void* data) noexcept;

constexpr WakerVTable parker_vtable{clone_waker, wake, wake_by_ref, drop_waker};
// ANCHOR_END: vtable

// ANCHOR: references
void release(ParkerState* state) noexcept {
  // acq_rel: the thread that frees the state must see every write made by the
  // threads that released their references before it.
  if (state->references.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    delete state;
  }
}

RawWaker clone_waker(void* data) {
  // relaxed: a new reference is made from an existing one, which already
  // keeps the state alive; nothing needs to be ordered with it.
  static_cast<ParkerState*>(data)->references.fetch_add(1, std::memory_order_relaxed);
  return {data, &parker_vtable};
}

void drop_waker(void* data) noexcept { release(static_cast<ParkerState*>(data)); }
// ANCHOR_END: references

// ANCHOR: unpark
void unpark_state(ParkerState* state) {
  {
    std::lock_guard lock(state->mutex);
    state->token = true;
  }
  // Notify after unlocking, so the woken thread does not wake up only to
  // block on the mutex we still hold.
  state->condition.notify_one();
}

void wake_by_ref(void* data) { unpark_state(static_cast<ParkerState*>(data)); }

void wake(void* data) {
  unpark_state(static_cast<ParkerState*>(data));
  release(static_cast<ParkerState*>(data));  // wake consumes the reference
}
// ANCHOR_END: unpark

}  // namespace

Parker::Parker() : state_(new ParkerState) {}
Parker::~Parker() { release(state_); }

// ANCHOR: park
void Parker::park() {
  std::unique_lock lock(state_->mutex);
  state_->condition.wait(lock, [this] { return state_->token; });
  state_->token = false;
}
// ANCHOR_END: park

void Parker::unpark() const { unpark_state(state_); }

Waker Parker::waker() const { return Waker(clone_waker(state_)); }

}  // namespace art
