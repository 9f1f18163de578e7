#include "art/trace.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace art::trace {

namespace detail {
constinit std::atomic<Switch> tracing_switch{Switch::unread};
}  // namespace detail

namespace {

using detail::Switch;
using detail::tracing_switch;

// One recorded event: 32 bytes, written once by its thread and never changed.
struct Event {
  std::uint64_t ns;  // steady_clock, nanoseconds
  std::uint64_t task_id;
  const char* what;  // an instant's name, a string literal
  EventKind kind;
};

// ANCHOR: thread_buffer
// One thread's events. Only the owning thread writes `events`, `published`
// and `dropped` (start() resets them while no thread records); flush() reads.
struct ThreadBuffer {
  // An array left uninitialised, so that its pages are touched only as it fills.
  // NOLINTNEXTLINE(*-avoid-c-arrays)
  std::unique_ptr<Event[]> events{new Event[kEventsPerThread]};
  // events[0, published) are complete and never written again.
  std::atomic<std::size_t> published{0};
  std::atomic<std::uint64_t> dropped{0};
  std::uint32_t lane = 0;  // the tid in the trace, from 1, never reused
  std::string name;        // guarded by Registry::mutex
};
// ANCHOR_END: thread_buffer

struct Registry {
  std::mutex mutex;  // guards the members below it, up to flush_mutex
  std::vector<std::unique_ptr<ThreadBuffer>> buffers;
  std::string path;             // where flush() writes; empty: no trace started
  std::uint64_t origin_ns = 0;  // the trace's time zero
  bool exit_flush_registered = false;
  // Events recorded or dropped, all threads, when flush() last looked; the
  // exit flush skips a trace that has not changed since (or failed to write).
  std::optional<std::uint64_t> events_at_last_flush;

  std::mutex flush_mutex;  // one flush (or start) at a time; taken before `mutex`
  std::atomic<detail::FlushHook> flush_hook{nullptr};
  std::once_flag environment_read;
};

// Never destroyed: a thread still recording while the process exits, or the
// exit flush itself, must not find it gone.
Registry& registry() {
  static auto* const instance = new Registry;
  return *instance;
}

// Events recorded or dropped so far; the caller holds the registry's mutex.
std::uint64_t events_seen(const Registry& trace) {
  std::uint64_t total = 0;
  for (const auto& buffer : trace.buffers) {
    // Relaxed: a number to compare; no event is read on its account.
    total += buffer->published.load(std::memory_order_relaxed) +
             buffer->dropped.load(std::memory_order_relaxed);
  }
  return total;
}

thread_local ThreadBuffer* this_thread_buffer = nullptr;
thread_local bool this_thread_without_buffer = false;  // its allocation failed

std::uint64_t now_ns() noexcept {
  const auto since_epoch = std::chrono::steady_clock::now().time_since_epoch();
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count());
}

void flush_at_exit() noexcept {
  // Relaxed: exit runs after the main thread's own stores; a trace stopped
  // by a test must not be written again into a directory it removed.
  if (tracing_switch.load(std::memory_order_relaxed) != Switch::on) {
    return;
  }
  {
    Registry& trace = registry();
    const std::lock_guard lock(trace.mutex);
    if (trace.events_at_last_flush == events_seen(trace)) {
      return;  // the runtime flushed at shutdown and nothing happened since
    }
  }
  try {
    flush();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s\n", error.what());
  }
}

void read_environment_once() noexcept {
  try {
    std::call_once(registry().environment_read, [] {
      // Acquire: pairs with start()'s release; if a test started a trace of
      // its own first, ART_TRACE is not read at all.
      if (tracing_switch.load(std::memory_order_acquire) != Switch::unread) {
        return;
      }
      // Not thread-safe against setenv: the program sets ART_TRACE before it starts.
      const char* path = std::getenv("ART_TRACE");  // NOLINT(concurrency-mt-unsafe)
      if (path != nullptr && *path != '\0') {
        detail::start(path);
      } else {
        // Relaxed: "off" publishes nothing another thread reads.
        tracing_switch.store(Switch::off, std::memory_order_relaxed);
      }
    });
  } catch (const std::exception& error) {
    std::fprintf(stderr, "art::trace: tracing stays off: %s\n", error.what());
    tracing_switch.store(Switch::off, std::memory_order_relaxed);
  }
}

// The calling thread's buffer, created and registered on its first event.
ThreadBuffer* this_thread_events() noexcept {
  if (this_thread_buffer != nullptr || this_thread_without_buffer) {
    return this_thread_buffer;
  }
  try {
    auto buffer = std::make_unique<ThreadBuffer>();
    Registry& trace = registry();
    const std::lock_guard lock(trace.mutex);
    buffer->lane = static_cast<std::uint32_t>(trace.buffers.size() + 1);
    trace.buffers.push_back(std::move(buffer));
    this_thread_buffer = trace.buffers.back().get();
  } catch (const std::bad_alloc&) {
    this_thread_without_buffer = true;
    std::fprintf(stderr,
                 "art::trace: no memory for a thread's trace buffer; "
                 "this thread's events are not recorded\n");
  }
  return this_thread_buffer;
}

// ANCHOR: append
void append(ThreadBuffer& buffer, const Event& event) noexcept {
  // Relaxed: only this thread stores `published`, so it reads its own store.
  const std::size_t count = buffer.published.load(std::memory_order_relaxed);
  if (count == kEventsPerThread) {
    // Relaxed: a statistic that guards no data; only this thread writes it,
    // so load-and-store (no read-modify-write) cannot lose a count.
    const auto dropped = buffer.dropped.load(std::memory_order_relaxed);
    buffer.dropped.store(dropped + 1, std::memory_order_relaxed);
    return;
  }
  buffer.events[count] = event;
  // Release: a flush that reads count + 1 (acquire) also sees the event
  // written above; the slot is never written again, so it reads it whole.
  buffer.published.store(count + 1, std::memory_order_release);
}
// ANCHOR_END: append

// ---- Writing the JSON ------------------------------------------------------

// What flush() needs of one lane, copied under the registry's lock.
struct LaneView {
  const ThreadBuffer* buffer;
  std::uint32_t lane;
  std::string name;
};

// A span closed from a begin/end pair, or still open at the flush.
struct Span {
  const char* name;  // "poll" or "parked"
  std::uint64_t begin_ns;
  std::uint64_t end_ns;
  std::uint64_t task_id;
  bool has_task;
  bool open;
};

// One output record of a lane, in the order of its (begin) timestamp.
struct Item {
  bool is_span;
  Span span;        // when is_span
  const Event* at;  // an instant's event otherwise
  const char* label;
};

class JsonWriter {
 public:
  JsonWriter(std::FILE* file, std::uint64_t origin_ns)
      : file_(file), origin_(origin_ns) {}

  void raw(std::string_view text) {
    if (used_ + text.size() > chunk_.size()) {
      drain();
    }
    if (text.size() > chunk_.size()) {
      std::fwrite(text.data(), 1, text.size(), file_);
      return;
    }
    std::memcpy(chunk_.data() + used_, text.data(), text.size());
    used_ += text.size();
  }
  void put(char c) {
    if (used_ == chunk_.size()) {
      drain();
    }
    chunk_[used_++] = c;
  }
  void number(std::uint64_t value) {
    std::array<char, 24> text{};
    const char* const end =
        std::to_chars(text.data(), text.data() + text.size(), value).ptr;
    raw(std::string_view(text.data(), static_cast<std::size_t>(end - text.data())));
  }

  // Nanoseconds since the trace's origin, as microseconds with three decimals.
  void micros_since_origin(std::uint64_t ns) { micros(ns > origin_ ? ns - origin_ : 0); }
  void micros(std::uint64_t ns) {
    number(ns / 1000);
    const auto fraction = static_cast<unsigned>(ns % 1000);
    const std::array<char, 4> digits{'.', static_cast<char>('0' + fraction / 100),
                                     static_cast<char>('0' + fraction / 10 % 10),
                                     static_cast<char>('0' + fraction % 10)};
    raw(std::string_view(digits.data(), digits.size()));
  }

  // A JSON string; bytes that are not valid UTF-8 become U+FFFD.
  void string(std::string_view text) {
    put('"');
    for (std::size_t i = 0; i < text.size();) {
      const auto byte = static_cast<unsigned char>(text[i]);
      if (byte == '"' || byte == '\\') {
        put('\\');
        put(static_cast<char>(byte));
        ++i;
      } else if (byte < 0x20) {
        constexpr std::string_view hex = "0123456789abcdef";
        const std::array<char, 6> escaped{
            '\\', 'u', '0', '0', hex[byte >> 4], hex[byte & 0xFU]};
        raw(std::string_view(escaped.data(), escaped.size()));
        ++i;
      } else if (byte < 0x80) {
        put(static_cast<char>(byte));
        ++i;
      } else if (const std::size_t length = utf8_sequence_length(text.substr(i))) {
        raw(text.substr(i, length));
        i += length;
      } else {
        raw("\xEF\xBF\xBD");
        ++i;
      }
    }
    put('"');
  }

  void drain() {
    std::fwrite(chunk_.data(), 1, used_, file_);
    used_ = 0;
  }

 private:
  // The length of the well-formed UTF-8 sequence `text` starts with, or 0.
  static std::size_t utf8_sequence_length(std::string_view text) {
    const auto lead = static_cast<unsigned char>(text[0]);
    std::size_t length = 0;
    char32_t code = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2, code = lead & 0x1FU;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3, code = lead & 0x0FU;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4, code = lead & 0x07U;
    } else {
      return 0;
    }
    if (text.size() < length) {
      return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
      const auto next = static_cast<unsigned char>(text[i]);
      if ((next & 0xC0U) != 0x80U) {
        return 0;
      }
      code = (code << 6) | (next & 0x3FU);
    }
    const bool overlong =
        (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
    const bool surrogate = code >= 0xD800 && code <= 0xDFFF;
    return overlong || surrogate || code > 0x10FFFF ? 0 : length;
  }

  std::FILE* file_;
  std::uint64_t origin_;
  // Written out when full and by drain(); on the heap, as flush() may run on a
  // small stack (a fiber's).
  std::vector<char> chunk_ = std::vector<char>(std::size_t{1} << 16);
  std::size_t used_ = 0;
};

void write_common(JsonWriter& json, std::string_view name, std::string_view phase,
                  std::uint32_t lane) {
  json.raw(R"({"name":)");
  json.string(name);
  json.raw(R"(,"ph":")");
  json.raw(phase);
  json.raw(R"(","pid":1,"tid":)");
  json.number(lane);
}

void write_metadata(JsonWriter& json, const LaneView& view) {
  const std::string label =
      view.name.empty() ? "thread " + std::to_string(view.lane) : view.name;
  write_common(json, "thread_name", "M", view.lane);
  json.raw(R"(,"args":{"name":)");
  json.string(label);
  // No thread_sort_index: lanes are numbered in order of first event, and
  // viewers order "worker 0, worker 1" by name better than by that.
  json.raw("}}");
}

void write_span(JsonWriter& json, std::uint32_t lane, const Span& span) {
  write_common(json, span.name, "X", lane);
  json.raw(R"(,"ts":)");
  json.micros_since_origin(span.begin_ns);
  json.raw(R"(,"dur":)");
  json.micros(span.end_ns > span.begin_ns ? span.end_ns - span.begin_ns : 0);
  if (span.has_task || span.open) {
    json.raw(R"(,"args":{)");
    if (span.has_task) {
      json.raw(R"("task":)");
      json.number(span.task_id);
    }
    if (span.open) {
      json.raw(span.has_task ? R"(,"open":true)" : R"("open":true)");
    }
    json.raw("}");
  }
  json.raw("}");
}

void write_instant(JsonWriter& json, std::uint32_t lane, const Event& event,
                   const char* label) {
  write_common(json, label, "i", lane);
  json.raw(R"(,"s":"t","ts":)");
  json.micros_since_origin(event.ns);
  if (event.task_id != 0) {
    json.raw(R"(,"args":{"task":)");
    json.number(event.task_id);
    json.raw("}");
  }
  json.raw("}");
}

// Pairs a lane's begin/end events into spans, keeping begin order, so that
// viewers see parents before the spans nested in them.
std::vector<Item> lane_items(const Event* events, std::size_t count,
                             std::uint64_t end_ns) {
  std::vector<Item> items;
  items.reserve(count);
  std::vector<std::size_t> open_polls;  // indices into items
  std::vector<std::size_t> open_parks;
  auto begin_span = [&](std::vector<std::size_t>& open, const char* name, const Event& e,
                        bool has_task) {
    open.push_back(items.size());
    items.push_back(
        Item{true, Span{name, e.ns, e.ns, e.task_id, has_task, true}, &e, name});
  };
  auto end_span = [&](std::vector<std::size_t>& open, const Event& e,
                      const char* unmatched) {
    if (!open.empty() && items[open.back()].span.task_id == e.task_id) {
      Span& span = items[open.back()].span;
      span.end_ns = e.ns;
      span.open = false;
      open.pop_back();
    } else {
      items.push_back(Item{false, {}, &e, unmatched});
    }
  };
  for (std::size_t i = 0; i < count; ++i) {
    const Event& event = events[i];
    switch (event.kind) {
      case EventKind::poll_begin:
        begin_span(open_polls, "poll", event, true);
        break;
      case EventKind::poll_end:
        end_span(open_polls, event, "poll_end without its poll_begin");
        break;
      case EventKind::park:
        begin_span(open_parks, "parked", event, false);
        break;
      case EventKind::unpark:
        end_span(open_parks, event, "unpark without park");
        break;
      case EventKind::instant:
        items.push_back(Item{false, {}, &event, event.what ? event.what : "instant"});
        break;
    }
  }
  for (Item& item : items) {
    if (item.is_span && item.span.open) {
      item.span.end_ns = std::max(end_ns, item.span.begin_ns);
    }
  }
  return items;
}

// Writes one lane; returns how many events its full buffer refused.
std::uint64_t write_lane(JsonWriter& json, const LaneView& view, std::uint64_t flush_ns,
                         bool& first) {
  const ThreadBuffer& buffer = *view.buffer;
  // Acquire: pairs with append()'s release, so events[0, count) are complete.
  const std::size_t count = buffer.published.load(std::memory_order_acquire);
  // Relaxed: a statistic; no data is read on its account.
  const std::uint64_t dropped = buffer.dropped.load(std::memory_order_relaxed);
  if (count == 0 && dropped == 0 && view.name.empty()) {
    return 0;
  }
  const Event* events = buffer.events.get();
  const std::uint64_t last_ns = count == 0 ? flush_ns : events[count - 1].ns;
  auto separate = [&] {
    json.raw(first ? "\n" : ",\n");
    first = false;
  };
  separate();
  write_metadata(json, view);
  for (const Item& item : lane_items(events, count, std::max(flush_ns, last_ns))) {
    separate();
    if (item.is_span) {
      write_span(json, view.lane, item.span);
    } else {
      write_instant(json, view.lane, *item.at, item.label);
    }
  }
  if (dropped != 0) {
    separate();
    write_common(json, "events dropped", "i", view.lane);
    json.raw(R"(,"s":"t","ts":)");
    json.micros_since_origin(last_ns);
    json.raw(R"(,"args":{"count":)");
    json.number(dropped);
    json.raw("}}");
  }
  return dropped;
}

[[noreturn]] void fail_to_write(const std::string& path, const std::string& step,
                                int error) {
  throw std::runtime_error("art::trace: cannot write the trace to '" + path + "' (" +
                           step + "): " + std::generic_category().message(error) +
                           "; point ART_TRACE at a file in a writable directory");
}

// Where the trace is written first: beside `path`, renamed over it when
// complete, so that a reader never sees half a trace. Anything but a regular
// file or a new name (a symbolic link such as /dev/stdout, a pipe) is written
// directly: renaming over it would replace the link, not what it points to.
std::string first_written_to(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::symlink_status(path, error);
  const bool plain = error || !std::filesystem::exists(status) ||
                     std::filesystem::is_regular_file(status);
  return plain ? path + ".tmp" : path;
}

void write_events(std::FILE* file, std::uint64_t origin_ns,
                  const std::vector<LaneView>& lanes, std::uint64_t& dropped) {
  const std::uint64_t flush_ns = now_ns();
  JsonWriter json(file, origin_ns);
  json.raw(R"({"traceEvents":[)");
  bool first = true;
  for (const LaneView& view : lanes) {
    dropped += write_lane(json, view, flush_ns, first);
  }
  json.raw("\n],\n");
  json.raw(R"("otherData":{"dropped_events":")");
  json.number(dropped);
  json.raw(R"(","events_per_thread":")");
  json.number(kEventsPerThread);
  json.raw("\"}}\n");
  json.drain();
}

void write_trace(const std::string& path, std::uint64_t origin_ns,
                 const std::vector<LaneView>& lanes) {
  const std::string target = first_written_to(path);
  std::FILE* file = std::fopen(target.c_str(), "w");
  if (file == nullptr) {
    fail_to_write(path, "opening " + target, errno);
  }
  std::uint64_t dropped = 0;
  write_events(file, origin_ns, lanes, dropped);
  const bool write_failed = std::ferror(file) != 0;
  const int write_error = errno;
  if (std::fclose(file) != 0 || write_failed) {
    const int error = write_failed ? write_error : errno;
    if (target != path) {
      std::remove(target.c_str());
    }
    fail_to_write(path, "writing " + target, error);
  }
  if (target != path && std::rename(target.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(target.c_str());
    fail_to_write(path, "renaming " + target + " to it", error);
  }
  if (dropped != 0) {
    std::fprintf(stderr,
                 "art::trace: %llu events dropped (each thread keeps the first %zu); "
                 "the trace in '%s' is incomplete\n",
                 static_cast<unsigned long long>(dropped), kEventsPerThread,
                 path.c_str());
  }
}

}  // namespace

namespace detail {

bool enabled_slow() noexcept {
  // Relaxed: only decides whether to read the environment; call_once orders the rest.
  if (tracing_switch.load(std::memory_order_relaxed) == Switch::unread) {
    read_environment_once();
  }
  // Acquire: pairs with start()'s release, so a thread that sees the trace on
  // also sees the buffers start() emptied (start() runs while none records).
  return tracing_switch.load(std::memory_order_acquire) == Switch::on;
}

void record(EventKind kind, std::uint64_t task_id, const char* what) noexcept {
  if (!enabled_slow()) {
    return;
  }
  const std::uint64_t ns = now_ns();
  if (ThreadBuffer* buffer = this_thread_events()) {
    append(*buffer, Event{ns, task_id, what, kind});
  }
}

void name_thread_slow(std::string_view lane) {
  if (!enabled_slow()) {
    return;
  }
  if (ThreadBuffer* buffer = this_thread_events()) {
    const std::lock_guard lock(registry().mutex);
    buffer->name.assign(lane);
  }
}

void start(std::string_view path) {
  if (path.empty()) {
    throw std::invalid_argument(
        "art::trace: the trace needs a file name; set ART_TRACE=trace.json");
  }
  Registry& trace = registry();
  const std::lock_guard no_flush(trace.flush_mutex);
  const std::lock_guard lock(trace.mutex);
  trace.path.assign(path);
  trace.origin_ns = now_ns();
  trace.events_at_last_flush.reset();
  for (const auto& buffer : trace.buffers) {
    // Relaxed: no thread records during start(); the release store of the
    // switch below publishes these to every thread that records next.
    buffer->published.store(0, std::memory_order_relaxed);
    buffer->dropped.store(0, std::memory_order_relaxed);
    buffer->name.clear();
  }
  if (!trace.exit_flush_registered) {
    trace.exit_flush_registered = std::atexit(flush_at_exit) == 0;
  }
  // Release: see the acquire in enabled_slow().
  tracing_switch.store(Switch::on, std::memory_order_release);
}

void stop() noexcept {
  // Relaxed: "off" publishes nothing; a thread that still sees "on" records
  // into its own buffer as before, which flush() may still write.
  tracing_switch.store(Switch::off, std::memory_order_relaxed);
}

Counts counts() {
  Registry& trace = registry();
  const std::lock_guard lock(trace.mutex);
  Counts total;
  for (const auto& buffer : trace.buffers) {
    // Relaxed: numbers to report; no event is read on their account.
    total.recorded += buffer->published.load(std::memory_order_relaxed);
    total.dropped += buffer->dropped.load(std::memory_order_relaxed);
  }
  return total;
}

void set_flush_hook(FlushHook hook) noexcept {
  // Release: whatever the hook uses, set up before this call, is visible to
  // the flushing thread that loads the hook with acquire.
  registry().flush_hook.store(hook, std::memory_order_release);
}

}  // namespace detail

void flush() {
  if (tracing_switch.load(std::memory_order_relaxed) == Switch::unread) {
    read_environment_once();
  }
  Registry& trace = registry();
  const std::lock_guard one_flush(trace.flush_mutex);
  // Acquire: see set_flush_hook().
  if (const auto hook = trace.flush_hook.load(std::memory_order_acquire)) {
    hook();
  }
  std::string path;
  std::uint64_t origin_ns = 0;
  std::vector<LaneView> lanes;
  {
    const std::lock_guard lock(trace.mutex);
    if (trace.path.empty()) {
      return;
    }
    path = trace.path;
    origin_ns = trace.origin_ns;
    trace.events_at_last_flush = events_seen(trace);
    for (const auto& buffer : trace.buffers) {
      lanes.push_back(LaneView{buffer.get(), buffer->lane, buffer->name});
    }
  }
  // Buffers are never freed and only start() (excluded by flush_mutex) resets
  // them, so they are read without the registry's lock while threads record.
  write_trace(path, origin_ns, lanes);
}

}  // namespace art::trace
