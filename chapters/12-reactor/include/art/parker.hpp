// parker.hpp: putting a thread to sleep until a waker says "poll again".
//
// block_on polls a future on the calling thread. When the future answers
// Pending there is nothing to do until its waker is woken, so the thread must
// sleep (park) instead of polling in a loop. The Parker is that sleep:
//
//   park()    blocks until unpark() has been called, then consumes that call
//   unpark()  wakes the parked thread, or, if it is not parked yet, makes the
//             next park() return at once
//   waker()   a Waker whose wake is unpark()
//
// The "or" in unpark is the whole difficulty. A future may wake its waker
// before it even returns Pending (another thread was quick, or the future
// wakes itself), so the wake-up can arrive before the thread parks. Parker
// keeps it as a flag, a *token*, under a mutex, and park() checks the token
// before sleeping. Without the token that wake-up would be lost and the thread
// would sleep forever: the classic lost wake-up.
//
// The state lives on the heap with a reference count, because wakers may
// outlive the block_on call that made them: a timer thread can still hold a
// clone after the future completed. The last reference frees it.
#pragma once

#include "art/waker.hpp"

namespace art {

struct ParkerState;  // defined in parker.cpp: token, mutex, condition, count

// ANCHOR: parker
class Parker {
 public:
  Parker();
  ~Parker();
  Parker(const Parker&) = delete;
  Parker& operator=(const Parker&) = delete;

  void park();
  void unpark() const;
  Waker waker() const;

 private:
  ParkerState* state_;
};
// ANCHOR_END: parker

}  // namespace art
