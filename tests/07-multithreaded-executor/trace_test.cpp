// Tests of the trace recorder: the ART_TRACE switch, lanes and nested spans,
// buffers that outlive their threads, flushes racing recorders, full buffers,
// and JSON that a strict parser accepts.
#include "art/trace.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <latch>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;
namespace trace = art::trace;

// ---- A strict, minimal JSON reader: what the tests need and no more --------

struct Json {
  enum class Type { null, boolean, number, string, array, object };
  Type type = Type::null;
  bool boolean = false;
  double number = 0;
  std::string text;
  std::vector<Json> items;
  std::vector<std::string> keys;  // an object's member names, in order
  std::vector<Json> values;       // and their values

  const Json* find(std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) {
        return &values[i];
      }
    }
    return nullptr;
  }
  const Json& at(std::string_view key) const {
    if (const Json* value = find(key)) {
      return *value;
    }
    throw std::runtime_error("no member '" + std::string(key) + "'");
  }
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  Json document() {
    Json value = parse_value(0);
    skip_space();
    if (at_ != text_.size()) {
      fail("text after the document");
    }
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("invalid JSON at byte " + std::to_string(at_) + ": " + what);
  }
  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n' ||
                                  text_[at_] == '\t' || text_[at_] == '\r')) {
      ++at_;
    }
  }
  char peek() {
    skip_space();
    return at_ < text_.size() ? text_[at_] : '\0';
  }
  void expect(char c) {
    if (peek() != c) {
      fail(std::string("expected '") + c + "'");
    }
    ++at_;
  }
  bool literal(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) {
      return false;
    }
    at_ += word.size();
    return true;
  }

  Json parse_value(int depth) {
    if (depth > 64) {
      fail("nested too deep");
    }
    Json value;
    const char c = peek();
    if (c == '{') {
      value.type = Json::Type::object;
      ++at_;
      if (peek() == '}') {
        ++at_;
        return value;
      }
      do {
        if (peek() != '"') {
          fail("expected a member name");
        }
        value.keys.push_back(parse_string());
        expect(':');
        value.values.push_back(parse_value(depth + 1));
      } while (peek() == ',' && ++at_);
      expect('}');
    } else if (c == '[') {
      value.type = Json::Type::array;
      ++at_;
      if (peek() == ']') {
        ++at_;
        return value;
      }
      do {
        value.items.push_back(parse_value(depth + 1));
      } while (peek() == ',' && ++at_);
      expect(']');
    } else if (c == '"') {
      value.type = Json::Type::string;
      value.text = parse_string();
    } else if (literal("true")) {
      value.type = Json::Type::boolean;
      value.boolean = true;
    } else if (literal("false")) {
      value.type = Json::Type::boolean;
    } else if (literal("null")) {
      value.type = Json::Type::null;
    } else {
      value.type = Json::Type::number;
      value.number = parse_number();
    }
    return value;
  }

  std::string parse_string() {
    expect('"');
    std::string out;
    while (true) {
      if (at_ >= text_.size()) {
        fail("unterminated string");
      }
      const auto c = static_cast<unsigned char>(text_[at_++]);
      if (c == '"') {
        return out;
      }
      if (c < 0x20) {
        fail("raw control character in a string");
      }
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        continue;
      }
      const char escape = at_ < text_.size() ? text_[at_++] : '\0';
      switch (escape) {
        case '"':
        case '\\':
        case '/':
          out.push_back(escape);
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'u': {
          if (at_ + 4 > text_.size()) {
            fail("short \\u escape");
          }
          const unsigned code =
              std::stoul(std::string(text_.substr(at_, 4)), nullptr, 16);
          at_ += 4;
          if (code >= 0x80) {
            fail("the tests only expect \\u escapes of ASCII");
          }
          out.push_back(static_cast<char>(code));
          break;
        }
        default:
          fail("unknown escape");
      }
    }
  }

  double parse_number() {
    const std::size_t begin = at_;
    if (at_ < text_.size() && text_[at_] == '-') {
      ++at_;
    }
    const std::size_t digits = at_;
    while (at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_]))) {
      ++at_;
    }
    if (at_ == digits) {
      fail("expected a value");
    }
    if (at_ < text_.size() && text_[at_] == '.') {
      const std::size_t fraction = ++at_;
      while (at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_]))) {
        ++at_;
      }
      if (at_ == fraction) {
        fail("a number's '.' needs digits after it");
      }
    }
    return std::stod(std::string(text_.substr(begin, at_ - begin)));
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// ---- The trace as the tests look at it --------------------------------------

struct TraceEvent {
  std::string name;
  std::string phase;
  int tid = 0;
  double ts = 0;
  double dur = 0;
  std::optional<std::uint64_t> task;
  bool open = false;
};

struct Trace {
  std::map<std::string, int> lanes;  // thread_name -> tid
  std::vector<TraceEvent> events;    // everything but metadata, in file order

  std::vector<TraceEvent> on_lane(const std::string& lane, std::string_view name) const {
    std::vector<TraceEvent> found;
    for (const TraceEvent& event : events) {
      if (event.tid == lanes.at(lane) && event.name == name) {
        found.push_back(event);
      }
    }
    return found;
  }
};

Trace parse_trace(const std::string& text) {
  const Json document = JsonReader(text).document();
  Trace trace;
  for (const Json& entry : document.at("traceEvents").items) {
    TraceEvent event;
    event.name = entry.at("name").text;
    event.phase = entry.at("ph").text;
    EXPECT_EQ(entry.at("pid").number, 1);
    event.tid = static_cast<int>(entry.at("tid").number);
    if (event.phase == "M") {
      if (event.name == "thread_name") {
        const std::string lane = entry.at("args").at("name").text;
        EXPECT_FALSE(trace.lanes.contains(lane)) << "two lanes named " << lane;
        trace.lanes[lane] = event.tid;
      }
      continue;
    }
    event.ts = entry.at("ts").number;
    if (const Json* dur = entry.find("dur")) {
      event.dur = dur->number;
    }
    if (const Json* args = entry.find("args")) {
      if (const Json* task = args->find("task")) {
        event.task = static_cast<std::uint64_t>(task->number);
      }
      event.open = args->find("open") != nullptr;
    }
    trace.events.push_back(event);
  }
  return trace;
}

// Half a nanosecond, in the trace's microseconds: ts and dur carry whole ns.
constexpr double kSlack = 0.0005;

bool contains(const TraceEvent& outer, const TraceEvent& inner) {
  return inner.ts + kSlack >= outer.ts &&
         inner.ts + inner.dur <= outer.ts + outer.dur + kSlack;
}

// A directory of the test's own, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "art-trace-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot create a temporary directory");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Every test but the ART_TRACE ones traces to a file of its own.
class TraceTest : public ::testing::Test {
 protected:
  void SetUp() override { trace::detail::start(file_.string()); }
  void TearDown() override {
    trace::detail::stop();
    trace::detail::set_flush_hook(nullptr);
  }
  Trace flushed() {
    trace::flush();
    return parse_trace(read_file(file_));
  }

  TempDir dir_;
  fs::path file_ = dir_.path() / "trace.json";
};

// ---- ART_TRACE, read once per process: each case runs trace-probe -----------

struct ProbeRun {
  std::string output;
  std::vector<std::string> files;  // in the directory it ran in, sorted
};

ProbeRun run_probe(const TempDir& dir, const std::string& environment,
                   const std::string& argument = "") {
  const std::string command = "cd '" + dir.path().string() + "' && " + environment +
                              " '" + ART_TRACE_PROBE + "' " + argument + " > probe.out";
  // The tests run one at a time: nothing else touches the environment meanwhile.
  EXPECT_EQ(std::system(command.c_str()), 0) << command;  // NOLINT(concurrency-mt-unsafe)
  ProbeRun run{read_file(dir.path() / "probe.out"), {}};
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    run.files.push_back(entry.path().filename().string());
  }
  std::sort(run.files.begin(), run.files.end());
  return run;
}

TEST(TraceEnvironment, OffWhenArtTraceIsUnset) {
  TempDir dir;
  const ProbeRun run = run_probe(dir, "env -u ART_TRACE", "flush");
  EXPECT_EQ(run.output, "enabled=0 recorded=0\n");
  EXPECT_EQ(run.files, std::vector<std::string>{"probe.out"}) << "no trace file";
}

TEST(TraceEnvironment, OffWhenArtTraceIsEmpty) {
  TempDir dir;
  const ProbeRun run = run_probe(dir, "ART_TRACE=", "flush");
  EXPECT_EQ(run.output, "enabled=0 recorded=0\n");
  EXPECT_EQ(run.files, std::vector<std::string>{"probe.out"});
}

TEST(TraceEnvironment, OnWhenArtTraceNamesAFileWrittenAtExit) {
  TempDir dir;
  const ProbeRun run = run_probe(dir, "ART_TRACE=run.json");  // no explicit flush
  EXPECT_EQ(run.output, "enabled=1 recorded=3\n");
  ASSERT_EQ(run.files, (std::vector<std::string>{"probe.out", "run.json"}));
  const Trace written = parse_trace(read_file(dir.path() / "run.json"));
  ASSERT_TRUE(written.lanes.contains("main"));
  const auto polls = written.on_lane("main", "poll");
  ASSERT_EQ(polls.size(), 1U);
  EXPECT_EQ(polls[0].task, 7U);
  EXPECT_EQ(written.on_lane("main", "spawn").size(), 1U);
}

// ---- Recording ---------------------------------------------------------------

TEST_F(TraceTest, StoppedTraceRecordsNothing) {
  trace::detail::stop();
  EXPECT_FALSE(trace::enabled());
  trace::name_thread("main");
  trace::poll_begin(1);
  trace::poll_end(1);
  trace::instant("spawn");
  EXPECT_EQ(trace::detail::counts().recorded, 0U);
  EXPECT_TRUE(flushed().events.empty());
}

// Each worker polls task 10+k, inside it task 20+k (a nested poll), marks an
// instant inside the inner poll, then parks and wakes.
void work_in_lane(std::uint64_t k) {
  trace::name_thread("worker " + std::to_string(k));
  const std::uint64_t outer = 10 + k;
  const std::uint64_t inner = 20 + k;
  trace::poll_begin(outer);
  trace::poll_begin(inner);
  trace::instant("spawn", 30 + k);
  trace::poll_end(inner);
  trace::poll_end(outer);
  trace::park();
  trace::unpark();
}

TEST_F(TraceTest, TwoThreadsRecordIntoTheirOwnLanesWithNestedPolls) {
  std::thread first(work_in_lane, 0);
  std::thread second(work_in_lane, 1);
  first.join();
  second.join();
  const Trace written = flushed();

  ASSERT_EQ(written.lanes.size(), 2U) << "one lane per thread that recorded";
  EXPECT_NE(written.lanes.at("worker 0"), written.lanes.at("worker 1"));
  for (std::uint64_t k = 0; k < 2; ++k) {
    SCOPED_TRACE("worker " + std::to_string(k));
    const std::string lane = "worker " + std::to_string(k);
    const auto polls = written.on_lane(lane, "poll");
    ASSERT_EQ(polls.size(), 2U);
    const TraceEvent& outer = polls[0];  // parents come before their children
    const TraceEvent& inner = polls[1];
    EXPECT_EQ(outer.phase, "X");
    EXPECT_EQ(outer.task, 10 + k);
    EXPECT_EQ(inner.task, 20 + k);
    EXPECT_FALSE(outer.open || inner.open);
    EXPECT_TRUE(contains(outer, inner));

    const auto spawns = written.on_lane(lane, "spawn");
    ASSERT_EQ(spawns.size(), 1U);
    EXPECT_EQ(spawns[0].phase, "i");
    EXPECT_EQ(spawns[0].task, 30 + k);
    EXPECT_TRUE(contains(inner, spawns[0]));

    const auto parked = written.on_lane(lane, "parked");
    ASSERT_EQ(parked.size(), 1U);
    EXPECT_EQ(parked[0].phase, "X");
    EXPECT_GE(parked[0].ts + kSlack, outer.ts + outer.dur) << "parked after the polls";
  }
}

TEST_F(TraceTest, ThreadThatExitedIsStillFlushed) {
  std::thread short_lived([] {
    trace::name_thread("short-lived");
    trace::poll_begin(5);
    trace::poll_end(5);
  });
  short_lived.join();  // its thread-local buffer pointer is gone; the buffer is not
  const Trace written = flushed();
  ASSERT_TRUE(written.lanes.contains("short-lived"));
  const auto polls = written.on_lane("short-lived", "poll");
  ASSERT_EQ(polls.size(), 1U);
  EXPECT_EQ(polls[0].task, 5U);
}

TEST_F(TraceTest, PollStillRunningAtFlushIsWrittenOpen) {
  trace::name_thread("main");
  trace::poll_begin(9);
  const auto during = flushed().on_lane("main", "poll");
  ASSERT_EQ(during.size(), 1U);
  EXPECT_TRUE(during[0].open);
  EXPECT_EQ(during[0].task, 9U);

  trace::poll_end(9);
  const auto after = flushed().on_lane("main", "poll");
  ASSERT_EQ(after.size(), 1U);
  EXPECT_FALSE(after[0].open);
}

TEST_F(TraceTest, UnmatchedEndsAreMarkedNotPaired) {
  trace::name_thread("main");
  trace::poll_begin(1);
  trace::poll_end(2);  // not the poll that is running
  trace::poll_end(1);
  trace::unpark();  // never parked
  const Trace written = flushed();
  const auto polls = written.on_lane("main", "poll");
  ASSERT_EQ(polls.size(), 1U);
  EXPECT_EQ(polls[0].task, 1U);
  EXPECT_FALSE(polls[0].open);
  const auto unmatched = written.on_lane("main", "poll_end without its poll_begin");
  ASSERT_EQ(unmatched.size(), 1U);
  EXPECT_EQ(unmatched[0].task, 2U) << "the end of task 2 must not close task 1's poll";
  EXPECT_GE(unmatched[0].ts + kSlack, polls[0].ts);
  EXPECT_LE(unmatched[0].ts, polls[0].ts + polls[0].dur + kSlack) << "inside poll 1";
  EXPECT_EQ(written.on_lane("main", "unpark without park").size(), 1U);
}

TEST_F(TraceTest, FullBufferDropsNewEventsAndKeepsTheOldOnes) {
  trace::name_thread("main");
  const std::uint64_t over = 3;
  for (std::uint64_t i = 1; i <= trace::kEventsPerThread + over; ++i) {
    trace::instant("tick", i);
  }
  const trace::detail::Counts counts = trace::detail::counts();
  EXPECT_EQ(counts.recorded, trace::kEventsPerThread);
  EXPECT_EQ(counts.dropped, over);

  trace::flush();
  // Too big to parse quickly under a sanitizer: look for the telling parts.
  const std::string text = read_file(file_);
  const auto has = [&](const std::string& part) {
    return text.find(part) != std::string::npos;
  };
  EXPECT_TRUE(has("\"task\":1}"));
  EXPECT_TRUE(has("\"task\":" + std::to_string(trace::kEventsPerThread) + "}"));
  EXPECT_FALSE(has("\"task\":" + std::to_string(trace::kEventsPerThread + 1) + "}"));
  EXPECT_TRUE(has("\"name\":\"events dropped\""));
  EXPECT_TRUE(has("\"count\":3}"));
  EXPECT_TRUE(has("\"dropped_events\":\"3\""));
}

// ---- A flush racing recording threads -----------------------------------------

// The flush hook waits until the recorders, released by it, have each
// recorded, so the flush reads buffers that are being written.
std::latch* flush_started = nullptr;
std::latch* recorders_running = nullptr;

void wait_for_recorders() {
  flush_started->count_down();
  recorders_running->wait();
}

// Enough to overlap a flush, few enough to stay fast under TSan.
constexpr std::uint64_t kRacingPairs = 2'000;

struct Recorder {
  std::uint64_t pairs = 0;  // poll_begin/poll_end pairs recorded
  std::thread thread;
};

void record_until(Recorder& recorder, const std::string& lane, bool register_early,
                  const std::atomic<bool>& flush_done) {
  if (register_early) {
    trace::name_thread(lane);  // in the registry before the flush starts
  }
  flush_started->wait();
  if (!register_early) {
    trace::name_thread(lane);  // registers while the flush runs
  }
  auto one_pair = [&] {
    trace::poll_begin(recorder.pairs);
    trace::poll_end(recorder.pairs);
    ++recorder.pairs;
  };
  one_pair();
  recorders_running->count_down();
  // Acquire: pairs with the release store after the flush; nothing else is
  // read on its account, it only ends the loop.
  while (!flush_done.load(std::memory_order_acquire) && recorder.pairs < kRacingPairs) {
    one_pair();
  }
}

TEST_F(TraceTest, FlushWhileThreadsRecordReadsOnlyWholeEvents) {
  std::latch started(1);
  std::latch running(2);
  flush_started = &started;
  recorders_running = &running;
  trace::detail::set_flush_hook(wait_for_recorders);

  std::atomic<bool> flush_done{false};
  Recorder early;
  Recorder late;
  early.thread =
      std::thread(record_until, std::ref(early), "early", true, std::cref(flush_done));
  late.thread =
      std::thread(record_until, std::ref(late), "late", false, std::cref(flush_done));
  trace::flush();  // releases the recorders and reads while they record
  // Release: see the acquire in record_until.
  flush_done.store(true, std::memory_order_release);
  const std::string during = read_file(file_);
  early.thread.join();
  late.thread.join();
  trace::detail::set_flush_hook(nullptr);

  // The racing flush: valid JSON, polls of task 0, 1, 2... in order, whole.
  const Trace racing = parse_trace(during);
  ASSERT_TRUE(racing.lanes.contains("early")) << "registered before the flush";
  const auto early_polls = racing.on_lane("early", "poll");
  ASSERT_FALSE(early_polls.empty());
  for (std::size_t i = 0; i < early_polls.size(); ++i) {
    ASSERT_EQ(early_polls[i].task, i);
    EXPECT_GE(early_polls[i].dur, 0);
  }
  // "late" registered after the flush started, before the hook let it go on.
  ASSERT_TRUE(racing.lanes.contains("late"));
  const auto late_polls = racing.on_lane("late", "poll");
  ASSERT_FALSE(late_polls.empty());
  for (std::size_t i = 0; i < late_polls.size(); ++i) {
    ASSERT_EQ(late_polls[i].task, i);
  }

  // Nothing lost: every call was recorded or counted as dropped, and a quiet
  // flush writes every recorded pair (a buffer holds an even number of events).
  const trace::detail::Counts counts = trace::detail::counts();
  EXPECT_EQ(counts.recorded + counts.dropped, 2 * (early.pairs + late.pairs));
  const Trace quiet = flushed();
  const std::size_t written =
      quiet.on_lane("early", "poll").size() + quiet.on_lane("late", "poll").size();
  EXPECT_EQ(written, counts.recorded / 2);
}

// ---- JSON ----------------------------------------------------------------------

TEST_F(TraceTest, LaneNamesAreEscapedAndInvalidUtf8Replaced) {
  trace::name_thread("lane \"quoted\" \\ new\nline \x01 bad \xff caf\xc3\xa9");
  trace::poll_begin(1);
  trace::poll_end(1);
  const Trace written = flushed();
  ASSERT_EQ(written.lanes.size(), 1U);
  EXPECT_EQ(written.lanes.begin()->first,
            "lane \"quoted\" \\ new\nline \x01 bad \xef\xbf\xbd caf\xc3\xa9");
}

TEST_F(TraceTest, UnwritableFileGivesAnErrorThatNamesIt) {
  const fs::path missing = dir_.path() / "no-such-directory" / "trace.json";
  trace::detail::start(missing.string());
  trace::poll_begin(1);
  try {
    trace::flush();
    FAIL() << "flush into a missing directory did not throw";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(missing.string()), std::string::npos) << message;
    EXPECT_NE(message.find("ART_TRACE"), std::string::npos) << message;
  }
  EXPECT_FALSE(fs::exists(missing));
}

TEST_F(TraceTest, SymbolicLinkIsWrittenThroughNotReplaced) {
  // Like ART_TRACE=/dev/stdout: renaming a finished file over the link would
  // replace the link itself.
  const fs::path target = dir_.path() / "target.json";
  const fs::path link = dir_.path() / "link.json";
  fs::create_symlink(target, link);
  trace::detail::start(link.string());
  trace::name_thread("main");
  trace::poll_begin(4);
  trace::poll_end(4);
  trace::flush();
  EXPECT_TRUE(fs::is_symlink(link));
  const auto polls = parse_trace(read_file(target)).on_lane("main", "poll");
  ASSERT_EQ(polls.size(), 1U);
  EXPECT_EQ(polls[0].task, 4U);
}

}  // namespace
