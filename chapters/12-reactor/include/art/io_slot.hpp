// io_slot.hpp: what the reactor knows about one registered fd.
//
// The problem. epoll tells the reactor thread "fd 7 became readable"; a task
// on a worker wants to read fd 7. The two meet in a slot: the reactor writes
// the readiness it saw and wakes whoever waits; the task reads the readiness,
// tries its system call, and, if the call says EAGAIN, forgets the readiness
// and waits. Three things make this harder than it sounds:
//
//   * epoll is edge-triggered here (reactor.hpp says why): it reports a
//     change once. An event that comes while no task waits must be kept in
//     the slot, or the next read would wait for an edge that already passed.
//   * Forgetting readiness races with the reactor. The reader saw
//     "readable", its read() said EAGAIN, and before it clears the bit a new
//     edge arrives and the reactor sets the bit again. A clear that simply
//     stores 0 erases the new edge: the reader waits for ever on bytes that
//     are already there.
//   * fds are reused. A slot freed when its fd closed is handed to the next
//     registration; an event the kernel queued for the old fd must not wake
//     the new owner.
//
// The idea (tokio's ScheduledIo, runtime/io/scheduled_io.rs, which packs the
// readiness, a tick and the slot's generation into one atomic word): one
// 64-bit word per slot holds all three.
//
//     63            32 31           8 7            0
//     ┌───────────────┬──────────────┬──────────────┐
//     │  generation   │     tick     │  readiness   │
//     └───────────────┴──────────────┴──────────────┘
//
//   readiness  readable, writable, read-closed, write-closed, error, and
//              shutdown (the reactor has stopped: every wait fails)
//   tick       bumped by the reactor on every event it dispatches here
//   generation bumped every time the slot is freed; part of the token the
//              kernel hands back with each event
//
// Every change is one named transition, a compare-and-swap on the word:
//
//   set_readiness(generation, bits)   reactor: fails if the generation is
//                                      not the slot's (a stale event); else
//                                      ORs the bits in and bumps the tick
//   clear_readiness(event)            reader after EAGAIN: clears the bits
//                                      it saw only if the tick is still the
//                                      one it saw; a newer event stays
//   reuse()                           slab: a new generation, no readiness
//
// The invariant: readiness is cleared only by a reader that saw, under the
// current tick, exactly the readiness it clears. The race above, step by
// step:
//
//   reader                      reactor                 word (tick, bits)
//   poll_ready  → (t, R) ──────────────────────────────  (t,   R)
//   read() → EAGAIN
//                               set_readiness(R) ─────▶  (t+1, R)
//   clear_readiness(t, R)  ✗ tick moved: nothing cleared (t+1, R)
//   poll_ready  → (t+1, R): read again, gets the bytes
//
// The closed and error bits are never cleared: once a peer hung up, every
// later read must see it. The tick has 24 bits and wraps: a clear would
// wrongly succeed only if exactly a multiple of 16,777,216 events came
// between the reader's look and its clear (tokio's tick has 8 bits).
//
// The wakers. A slot keeps one waker per direction, so a reader and a
// writer on the same socket wait at once, each woken by its own edge. They
// sit under a small mutex: storing a waker means cloning it, which cannot be
// one atomic step, and the lock is taken once per wait, not per byte. The
// invariant: a poll answers Pending only if the word still showed nothing
// after its waker was where the reactor looks; the reactor publishes the
// readiness before it looks for a waker (and wakes after releasing the
// lock). Whichever side takes the lock first, the other sees what it did,
// so no wake is lost between "not ready" and "waker stored".
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

#include "art/context.hpp"
#include "art/io_slot_atomic.hpp"
#include "art/poll.hpp"
#include "art/waker.hpp"

namespace art {

enum class Direction { read, write };

// ANCHOR: readiness
// The readiness bits of a slot's word.
struct Readiness {
  static constexpr std::uint8_t readable = 1;
  static constexpr std::uint8_t writable = 2;
  static constexpr std::uint8_t read_closed = 4;
  static constexpr std::uint8_t write_closed = 8;
  static constexpr std::uint8_t error = 16;
  static constexpr std::uint8_t shutdown = 32;  // the reactor stopped

  // The bits that end a wait in `direction` (the caller then tries its call).
  static constexpr std::uint8_t of(Direction direction) {
    return direction == Direction::read ? readable | read_closed | error | shutdown
                                        : writable | write_closed | error | shutdown;
  }
  // The bits a reader may clear after EAGAIN: the others are final.
  static constexpr std::uint8_t clearable = readable | writable;
};

// What a poll saw: the readiness for its direction, and the tick it saw it at.
struct ReadyEvent {
  std::uint32_t tick = 0;
  std::uint8_t bits = 0;
  bool shut_down() const { return (bits & Readiness::shutdown) != 0; }
};
// ANCHOR_END: readiness

// ANCHOR: io_slot
class IoSlot {
 public:
  static constexpr std::uint32_t kTickMask = 0xff'ffff;  // 24 bits, wraps

  // ---- the reactor's side ----
  // Stale event (another generation): false, nothing changes.
  bool set_readiness(std::uint32_t generation, std::uint8_t bits);
  // Wakes the wakers of the directions that `bits` end a wait in.
  void wake(std::uint8_t bits);

  // ---- the reader's side ----
  ReadyEvent readiness(Direction direction) const;
  // Ready with what it saw, or Pending with cx's waker stored.
  Poll<ReadyEvent> poll_ready(Direction direction, Context& cx);
  // After EAGAIN: false if an event came since `seen` (nothing cleared).
  bool clear_readiness(ReadyEvent seen);

  // ---- the slab's side ----
  std::uint32_t generation() const;
  void reuse();  // freed: the next generation, no readiness, no wakers

  // For tests: the word's parts.
  std::uint32_t tick() const;

 private:
  static constexpr int kTickShift = 8;
  static constexpr int kGenerationShift = 32;
  static std::uint32_t generation_of(std::uint64_t word) {
    return static_cast<std::uint32_t>(word >> kGenerationShift);
  }
  static std::uint32_t tick_of(std::uint64_t word) {
    return static_cast<std::uint32_t>(word >> kTickShift) & kTickMask;
  }
  static std::uint8_t bits_of(std::uint64_t word) {
    return static_cast<std::uint8_t>(word & 0xff);
  }
  static std::uint64_t make_word(std::uint32_t generation, std::uint32_t tick,
                                 std::uint8_t bits) {
    return (std::uint64_t{generation} << kGenerationShift) |
           (std::uint64_t{tick & kTickMask} << kTickShift) | bits;
  }
  Waker& waker_of(Direction direction) {
    return direction == Direction::read ? reader_ : writer_;
  }

  // Memory orders. The word is the only data the transitions hand over:
  // the bytes themselves are the kernel's, and the wakers are under the
  // mutex. The reactor's set is a release (acq_rel CAS) and every reader's
  // load an acquire, so a reader that sees an event also sees the slot as
  // the reactor left it (its generation checked); the reader's clear is
  // acq_rel for the same pairing in the other direction. On x86-64 every
  // read-modify-write is a full barrier anyway; these are what the
  // argument needs, not what the machine charges. (IoSlotAtomic is
  // std::atomic<std::uint64_t> itself, but in one test's build: see
  // io_slot_atomic.hpp.)
  IoSlotAtomic word_{0};
  std::mutex wakers_mutex_;
  Waker reader_;  // guarded by wakers_mutex_
  Waker writer_;  // guarded by wakers_mutex_
};
// ANCHOR_END: io_slot

}  // namespace art
