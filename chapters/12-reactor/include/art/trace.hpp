// trace.hpp: a recorder of what each thread of the runtime does, for pictures.
//
// Set ART_TRACE=run.json in the environment and the runtime records, per
// thread, when it polls which task, when it parks and wakes, and instants such
// as "steal" or "spawn". flush() writes them as Chrome trace-event JSON, which
// Perfetto (ui.perfetto.dev) and chrome://tracing open, and which
// tools/trace_timeline.py draws as an SVG timeline with one lane per thread.
//
// Without ART_TRACE, tracing is off and each recording call costs one relaxed
// load of a global switch and a branch the CPU predicts: the calls are inline
// below, everything else is out of line in trace.cpp.
//
// Each thread records into its own buffer of fixed-size events: no lock and no
// allocation per event once the buffer exists. A full buffer counts further
// events as dropped instead of overwriting older ones. The buffers belong to a
// global registry, so a thread that exited is still in the trace, and flush()
// may run while other threads go on recording.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace art::trace {

// What one recorded event says happened.
enum class EventKind : std::uint8_t { poll_begin, poll_end, park, unpark, instant };

// Events each thread's buffer holds (2 MiB, touched as it fills): about 32,000
// polls per thread, plenty for a picture. Further events are counted as dropped.
inline constexpr std::size_t kEventsPerThread = std::size_t{1} << 16;

namespace detail {

// The global switch. `unread` until the first call reads ART_TRACE (once,
// whichever thread comes first); then `on` or `off`.
enum class Switch : std::uint8_t { off, unread, on };
extern std::atomic<Switch> tracing_switch;

// Relaxed: the switch only decides whether to take the slow path. The slow
// path reads it again with acquire (or behind std::call_once) before it
// touches anything start() prepared, so a stale value can at worst lose or
// send to the slow path an event recorded right as tracing is switched.
inline bool may_record() noexcept {
#ifdef ART_TRACE_COMPILED_OUT  // the benchmark's build without any trace point
  return false;
#else
  return tracing_switch.load(std::memory_order_relaxed) != Switch::off;
#endif
}

// The slow paths: read ART_TRACE if not done yet, then record if tracing is on.
bool enabled_slow() noexcept;
void record(EventKind kind, std::uint64_t task_id, const char* what) noexcept;
void name_thread_slow(std::string_view lane);

// Starts a new trace written to `path`, whatever ART_TRACE says: events
// recorded before are forgotten, lane names cleared, the clock restarted, and
// ART_TRACE will not be read any more. The first read of ART_TRACE calls it
// when the variable names a file; tests call it to trace to a file of their
// own. Call it while no other thread records (before the workers start).
void start(std::string_view path);

// Turns recording off; what was recorded stays and flush() still writes it.
void stop() noexcept;

// Events held (recorded) and refused by full buffers (dropped), all threads.
struct Counts {
  std::uint64_t recorded = 0;
  std::uint64_t dropped = 0;
};
Counts counts();

// A function flush() calls first, before it looks at any buffer (nullptr: none).
// Tests use it to make recording threads run while a flush is under way.
using FlushHook = void (*)();
void set_flush_hook(FlushHook hook) noexcept;

}  // namespace detail

// ANCHOR: trace_api
// True when this process records a trace (ART_TRACE names a file, or a test
// called detail::start).
inline bool enabled() noexcept { return detail::may_record() && detail::enabled_slow(); }

// The label of the calling thread's lane in the trace, e.g. "worker 0".
inline void name_thread(std::string_view lane) {
  if (detail::may_record()) [[unlikely]] {
    detail::name_thread_slow(lane);
  }
}

// The calling thread starts / ends polling task `task_id`. Spans may nest.
inline void poll_begin(std::uint64_t task_id) noexcept {
  if (detail::may_record()) [[unlikely]] {
    detail::record(EventKind::poll_begin, task_id, nullptr);
  }
}
inline void poll_end(std::uint64_t task_id) noexcept {
  if (detail::may_record()) [[unlikely]] {
    detail::record(EventKind::poll_end, task_id, nullptr);
  }
}

// The calling thread goes to sleep for want of work / wakes up again.
inline void park() noexcept {
  if (detail::may_record()) [[unlikely]] {
    detail::record(EventKind::park, 0, nullptr);
  }
}
inline void unpark() noexcept {
  if (detail::may_record()) [[unlikely]] {
    detail::record(EventKind::unpark, 0, nullptr);
  }
}

// A moment worth marking, e.g. instant("steal", id). `what` is kept as a
// pointer until the flush: pass a string literal.
inline void instant(const char* what, std::uint64_t task_id = 0) noexcept {
  if (detail::may_record()) [[unlikely]] {
    detail::record(EventKind::instant, task_id, what);
  }
}

// Writes everything recorded so far to the trace file, replacing it (a reader
// never sees half a file); safe while other threads record. Runs at exit too,
// if tracing is still on. Throws std::runtime_error if the file cannot be
// written. Does nothing if no trace was started.
void flush();
// ANCHOR_END: trace_api

}  // namespace art::trace
