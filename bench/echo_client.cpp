// echo-client: the load client of the echo benchmark (tools/echo_bench.py). Plain
// threads, epoll and non-blocking sockets: neither art nor Asio, so that it favours
// neither of the servers it measures.
//
//   echo-client HOST:PORT [--connections=N] [--size=BYTES] [--duration=S]
//                         [--warmup=S] [--threads=T]
//
// Closed loop: each connection sends one message, waits until the whole echo is back,
// checks every byte of it, records the round trip and sends the next one. A message
// differs from the one before it on the same connection and from the other
// connections' (it is a window into a random pattern, at an offset made of the
// connection and the message number), so an echo of stale or foreign bytes is caught.
// A wrong byte, a connection the server closes or resets: each is an error, reported
// on stderr and counted, and the client then exits with status 1.
//
// Before the clock starts, connections are made in batches of kConnectBatch, each
// batch finished with one checked echo on each of its connections: that proves the
// server accepted them, so no more than one batch ever waits in the server's listen
// backlog, and 1,000 connections never overflow it. A connect that fails is retried
// (kConnectAttempts in all); one that never succeeds is counted in connect_failures,
// and also makes the exit status 1. After a batch with a failure the client stops
// connecting (the rest count as connect_failures) and measures the connections it has.
//
// The connections are dealt out in turn to T threads (default 1), each with its own
// epoll instance (edge-triggered: a connection is driven until a call would block).
// Round trips that complete during the warm-up (default 0.5 s) are not recorded; those
// that complete within the duration (default 3 s) after it are. Prints one JSON
// object: messages/s, MB/s (message bytes echoed, counted once), the round trip's p50,
// p99 and max in microseconds, errors and connect_failures. A message is at most 64 KiB
// (kMaxSize).
#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <latch>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <vector>

#include "open_file_limit.hpp"

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kProgram = "echo-client";
constexpr const char* kUsage =
    "usage: echo-client HOST:PORT [--connections=N] [--size=BYTES] [--duration=S] "
    "[--warmup=S] [--threads=T]";
constexpr int kConnectBatch = 64;
constexpr int kConnectAttempts = 5;
constexpr int kConnectTimeoutMs = 2000;
constexpr int kFirstEchoTimeoutMs = 5000;
// Descriptors besides the connections: stdio, one epoll instance per thread, slack.
constexpr int kSpareDescriptors = 64;
// The random bytes messages are cut from; each message starts at its own offset.
constexpr std::size_t kPatternSize = std::size_t{1} << 16;
constexpr int kMaxEvents = 256;
// A connection sends its whole message before it reads the echo: the message must fit in
// the sockets' buffers on the way (loopback's are larger than this by default), or client
// and server would both wait to write.
constexpr long kMaxSize = 65536;
// epoll_wait returns at least this often, so that a thread sees the end of the run.
constexpr int kWaitMs = 10;

struct Options {
  std::string host;
  std::string port;
  int connections = 1;
  std::size_t size = 64;
  double duration_s = 3.0;
  double warmup_s = 0.5;
  int threads = 1;
};

// Bad arguments: main prints the message and the usage line, and exits with status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void usage_error(const std::string& message) { throw UsageError(message); }

long parse_integer(std::string_view name, const std::string& text, long low, long high) {
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < low || value > high)
    usage_error("--" + std::string(name) + " wants an integer from " +
                std::to_string(low) + " to " + std::to_string(high) + ", not '" + text +
                "'");
  return value;
}

double parse_seconds(std::string_view name, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(value) || value < 0 || value > 3600)
    usage_error("--" + std::string(name) + " wants seconds from 0 to 3600, not '" + text +
                "'");
  return value;
}

Options parse_options(int argc, char** argv) {
  Options options;
  bool have_address = false;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument.rfind("--", 0) != 0) {
      if (have_address)
        usage_error("one address only, got '" + argument + "' too");
      const std::size_t colon = argument.rfind(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == argument.size())
        usage_error("the address must be HOST:PORT, not '" + argument + "'");
      options.host = argument.substr(0, colon);
      if (options.host.size() > 2 && options.host.front() == '[' &&
          options.host.back() == ']')
        options.host = options.host.substr(1, options.host.size() - 2);  // [::1]:port
      options.port = argument.substr(colon + 1);
      parse_integer("port", options.port, 1, 65535);
      have_address = true;
      continue;
    }
    const std::size_t equals = argument.find('=');
    if (equals == std::string::npos)
      usage_error("options are written --name=value, not '" + argument + "'");
    const std::string name = argument.substr(2, equals - 2);
    const std::string value = argument.substr(equals + 1);
    if (name == "connections")
      options.connections = static_cast<int>(parse_integer(name, value, 1, 60000));
    else if (name == "size")
      options.size = static_cast<std::size_t>(parse_integer(name, value, 1, kMaxSize));
    else if (name == "duration")
      options.duration_s = parse_seconds(name, value);
    else if (name == "warmup")
      options.warmup_s = parse_seconds(name, value);
    else if (name == "threads")
      options.threads = static_cast<int>(parse_integer(name, value, 1, 256));
    else
      usage_error("unknown option '--" + name + "'");
  }
  if (!have_address)
    usage_error("no server address");
  if (options.duration_s <= 0)
    usage_error("--duration must be more than 0");
  options.threads = std::min(options.threads, options.connections);
  return options;
}

// The first error of the run, and how many there were.
class Errors {
 public:
  void report(const std::string& message) {
    const int before = count_.fetch_add(1, std::memory_order_relaxed);
    // relaxed: the count is read after every thread was joined, which orders it.
    if (before < kPrinted)
      std::fprintf(stderr, "%s: %s\n", kProgram, message.c_str());
  }
  int count() const { return count_.load(std::memory_order_relaxed); }

 private:
  static constexpr int kPrinted = 10;
  std::atomic<int> count_{0};
};

// Random bytes (splitmix64), the same every run.
std::vector<unsigned char> make_pattern(std::size_t message_size) {
  std::vector<unsigned char> pattern(kPatternSize + message_size);
  std::uint64_t state = 0x9E3779B97F4A7C15U;
  for (unsigned char& byte : pattern) {
    state += 0x9E3779B97F4A7C15U;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9U;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBU;
    byte = static_cast<unsigned char>(z ^ (z >> 31));
  }
  return pattern;
}

// Where message `sequence` of connection `id` starts in the pattern.
std::size_t message_offset(int id, std::uint64_t sequence) {
  return (static_cast<std::size_t>(id) * 7919U + sequence * 104729U) % kPatternSize;
}

std::string errno_text(int error) { return std::generic_category().message(error); }

// The server's addresses, or nullptr after saying why there are none.
addrinfo* resolve(const Options& options) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  const int status =
      getaddrinfo(options.host.c_str(), options.port.c_str(), &hints, &result);
  if (status != 0) {
    std::fprintf(stderr, "%s: cannot resolve %s: %s\n", kProgram, options.host.c_str(),
                 gai_strerror(status));
    return nullptr;
  }
  return result;
}

bool wait_for(int fd, short events, int timeout_ms) {
  pollfd entry{fd, events, 0};
  return poll(&entry, 1, timeout_ms) == 1;
}

// One non-blocking socket connected to `address`, or -1 (and `error` says why).
int connect_once(const addrinfo& address, std::string& error) {
  const int fd =
      socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK, address.ai_protocol);
  if (fd < 0) {
    error = "socket: " + errno_text(errno);
    return -1;
  }
  int status = connect(fd, address.ai_addr, address.ai_addrlen);
  if (status != 0 && errno == EINPROGRESS) {
    if (!wait_for(fd, POLLOUT, kConnectTimeoutMs)) {
      error = "connect: no answer within " + std::to_string(kConnectTimeoutMs) + " ms";
      close(fd);
      return -1;
    }
    int socket_error = 0;
    socklen_t length = sizeof socket_error;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &socket_error, &length);
    errno = socket_error;
    status = socket_error == 0 ? 0 : -1;
  }
  if (status != 0) {
    error = "connect: " + errno_text(errno);
    close(fd);
    return -1;
  }
  // Every message is sent whole and waited for: Nagle's delay would only add latency.
  const int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  return fd;
}

// Connects with retries; a connection that never connects is reported but not counted
// as an error: the output has connect_failures for it.
int connect_with_retries(const addrinfo& address, int id) {
  std::string error;
  for (int attempt = 1; attempt <= kConnectAttempts; ++attempt) {
    const int fd = connect_once(address, error);
    if (fd >= 0)
      return fd;
    std::this_thread::sleep_for(std::chrono::milliseconds(10 << attempt));
  }
  std::fprintf(stderr, "%s: connection %d failed to connect %d times, last: %s\n",
               kProgram, id, kConnectAttempts, error.c_str());
  return -1;
}

int milliseconds_until(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::int64_t>(left.count(), 0));
}

// The blocking echo of the connect phase: sends message 0 whole, reads it back whole
// and checks it, by `deadline` (one for the whole batch, so that a server that stopped
// answering costs one timeout, not one per connection). Returns an empty string, or
// what went wrong.
std::string first_echo(int fd, const unsigned char* message, std::size_t size,
                       Clock::time_point deadline) {
  std::string late =
      "no echo within " + std::to_string(kFirstEchoTimeoutMs) + " ms of connecting";
  std::size_t sent = 0;
  while (sent < size) {
    const ssize_t n = send(fd, message + sent, size - sent, MSG_NOSIGNAL);
    if (n > 0)
      sent += static_cast<std::size_t>(n);
    else if (n < 0 && errno != EAGAIN)
      return "send: " + errno_text(errno);
    else if (!wait_for(fd, POLLOUT, milliseconds_until(deadline)))
      return late;
  }
  std::vector<unsigned char> echo(size);
  std::size_t received = 0;
  while (received < size) {
    const ssize_t n = recv(fd, echo.data() + received, size - received, 0);
    if (n > 0) {
      received += static_cast<std::size_t>(n);
    } else if (n == 0) {
      return "the server closed the connection before its first echo";
    } else if (errno != EAGAIN) {
      return "recv: " + errno_text(errno);
    } else if (!wait_for(fd, POLLIN, milliseconds_until(deadline))) {
      return late;
    }
  }
  if (std::memcmp(echo.data(), message, size) != 0)
    return "the first echo differs from the message";
  return {};
}

struct Connection {
  int id = 0;
  int fd = -1;
  std::uint64_t sequence = 0;  // the message in flight
  std::size_t sent = 0;
  std::size_t received = 0;
  Clock::time_point started;
  bool closed = false;
};

// Connects every connection (in checked batches, see the opening comment). Those that
// never connected are left out and counted in connect_failures; those whose first echo
// failed are left out and counted in errors. After a batch with a failure it stops: the
// connections it did not try count in connect_failures too (a server that stopped
// accepting or answering would otherwise cost a timeout per connection).
std::vector<Connection> connect_all(const addrinfo& address, const Options& options,
                                    Errors& errors,
                                    const std::vector<unsigned char>& pattern,
                                    int& connect_failures) {
  std::vector<Connection> connections;
  connections.reserve(static_cast<std::size_t>(options.connections));
  bool failed = false;
  for (int first = 0; first < options.connections; first += kConnectBatch) {
    if (failed) {
      const int untried = options.connections - first;
      std::fprintf(stderr,
                   "%s: stopped connecting after a failure: %d connections untried\n",
                   kProgram, untried);
      connect_failures += untried;
      break;
    }
    const int last = std::min(options.connections, first + kConnectBatch);
    const std::size_t batch_start = connections.size();
    for (int id = first; id < last; ++id) {
      const int fd = connect_with_retries(address, id);
      if (fd >= 0) {
        Connection& connection = connections.emplace_back();
        connection.id = id;
        connection.fd = fd;
      } else {
        ++connect_failures;
        failed = true;
      }
    }
    const Clock::time_point deadline =
        Clock::now() + std::chrono::milliseconds(kFirstEchoTimeoutMs);
    for (std::size_t i = batch_start; i < connections.size(); ++i) {
      Connection& connection = connections[i];
      const std::string failure =
          first_echo(connection.fd, pattern.data() + message_offset(connection.id, 0),
                     options.size, deadline);
      if (!failure.empty()) {
        failed = true;
        errors.report("connection " + std::to_string(connection.id) + ": " + failure);
        close(connection.fd);
        connection.closed = true;
      }
      connection.sequence = 1;
    }
  }
  std::erase_if(connections,
                [](const Connection& connection) { return connection.closed; });
  return connections;
}

struct Window {
  Clock::time_point measure_from;  // round trips that complete before this are warm-up
  Clock::time_point end;           // and those that complete after this are not counted
};

// One client thread: its connections, its epoll instance, its round trips.
class Driver {
 public:
  Driver(std::vector<Connection*> connections, const Options& options,
         const std::vector<unsigned char>& pattern, Errors& errors)
      : connections_(std::move(connections)),
        size_(options.size),
        pattern_(pattern),
        errors_(errors),
        scratch_(options.size) {
    // About what the thread's connections complete in the run, so the vector rarely
    // grows.
    round_trips_ns_.reserve(1 << 18);
  }

  void run(Window window, std::latch& start) {
    const int epoll = epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) {
      errors_.report("epoll_create1: " + errno_text(errno));
      start.count_down();
      return;
    }
    for (Connection* connection : connections_) {
      epoll_event event{};
      event.events = EPOLLIN | EPOLLOUT | EPOLLET;
      event.data.ptr = connection;
      if (epoll_ctl(epoll, EPOLL_CTL_ADD, connection->fd, &event) != 0)
        fail(*connection, "epoll_ctl: " + errno_text(errno));
    }
    start.arrive_and_wait();
    window_ = window;
    for (Connection* connection : connections_) {
      if (!connection->closed) {
        begin_message(*connection, Clock::now());
        drive(*connection);
      }
    }
    std::array<epoll_event, kMaxEvents> events{};
    while (Clock::now() < window_.end) {
      const int ready = epoll_wait(epoll, events.data(), kMaxEvents, kWaitMs);
      if (ready < 0 && errno != EINTR) {
        errors_.report("epoll_wait: " + errno_text(errno));
        break;
      }
      for (int i = 0; i < ready; ++i) {
        Connection& connection = *static_cast<Connection*>(events[i].data.ptr);
        if (!connection.closed)
          drive(connection);
      }
    }
    close(epoll);
    for (Connection* connection : connections_) {
      if (!connection->closed)
        close(connection->fd);
    }
  }

  const std::vector<std::uint64_t>& round_trips_ns() const { return round_trips_ns_; }

 private:
  void begin_message(Connection& connection, Clock::time_point now) {
    connection.started = now;
    connection.sent = 0;
    connection.received = 0;
  }

  const unsigned char* message(const Connection& connection) const {
    return pattern_.data() + message_offset(connection.id, connection.sequence);
  }

  // Sends and receives until a call would block (edge-triggered epoll then reports the
  // next change), the connection fails, or the run is over.
  void drive(Connection& connection) {
    for (;;) {
      if (connection.sent < size_) {
        const ssize_t n = send(connection.fd, message(connection) + connection.sent,
                               size_ - connection.sent, MSG_NOSIGNAL);
        if (n < 0) {
          if (errno != EAGAIN && errno != EINTR)
            fail(connection, "send: " + errno_text(errno));
          if (errno != EINTR)
            return;
          continue;
        }
        connection.sent += static_cast<std::size_t>(n);
        continue;
      }
      const ssize_t n =
          recv(connection.fd, scratch_.data(), size_ - connection.received, 0);
      if (n <= 0) {
        if (n == 0)
          fail(connection, "the server closed the connection");
        else if (errno != EAGAIN && errno != EINTR)
          fail(connection, "recv: " + errno_text(errno));
        if (n < 0 && errno == EINTR)
          continue;
        return;
      }
      if (!check(connection, static_cast<std::size_t>(n)))
        return;
      connection.received += static_cast<std::size_t>(n);
      if (connection.received < size_)
        continue;
      const Clock::time_point now = Clock::now();
      if (now >= window_.end)
        return;
      if (now >= window_.measure_from)
        round_trips_ns_.push_back(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - connection.started)
                .count()));
      ++connection.sequence;
      begin_message(connection, now);
    }
  }

  // Compares the n bytes just received with what was sent at the same place.
  bool check(Connection& connection, std::size_t n) {
    const unsigned char* expected = message(connection) + connection.received;
    if (std::memcmp(scratch_.data(), expected, n) == 0)
      return true;
    std::size_t at = 0;
    while (scratch_[at] == expected[at])
      ++at;
    std::array<char, 160> detail{};
    std::snprintf(detail.data(), detail.size(),
                  "message %llu, byte %zu of %zu: sent 0x%02x, echoed 0x%02x",
                  static_cast<unsigned long long>(connection.sequence),
                  connection.received + at, size_, expected[at], scratch_[at]);
    fail(connection, std::string("wrong echo: ") + detail.data());
    return false;
  }

  void fail(Connection& connection, const std::string& what) {
    errors_.report("connection " + std::to_string(connection.id) + ": " + what);
    close(connection.fd);  // also takes it out of the epoll set
    connection.closed = true;
  }

  std::vector<Connection*> connections_;
  std::size_t size_;
  const std::vector<unsigned char>& pattern_;
  Errors& errors_;
  std::vector<unsigned char> scratch_;
  Window window_{};
  std::vector<std::uint64_t> round_trips_ns_;
};

// The nearest-rank percentile of sorted samples, in microseconds.
double percentile_us(const std::vector<std::uint64_t>& sorted, double percent) {
  if (sorted.empty())
    return 0.0;
  const double rank = std::ceil(percent / 100.0 * static_cast<double>(sorted.size()));
  const std::size_t index =
      std::clamp<std::size_t>(static_cast<std::size_t>(rank), 1, sorted.size()) - 1;
  return static_cast<double>(sorted[index]) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const UsageError& error) {
    std::fprintf(stderr, "%s: %s\n%s\n", kProgram, error.what(), kUsage);
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  if (!art::bench::raise_open_file_limit(
          kProgram, static_cast<rlim_t>(options.connections) + kSpareDescriptors))
    return 2;

  const std::vector<unsigned char> pattern = make_pattern(options.size);
  Errors errors;
  addrinfo* addresses = resolve(options);
  if (addresses == nullptr)
    return 2;
  int connect_failures = 0;
  std::vector<Connection> connections =
      connect_all(*addresses, options, errors, pattern, connect_failures);
  freeaddrinfo(addresses);
  const int connected = static_cast<int>(connections.size());
  const int threads = std::max(1, std::min(options.threads, connected));

  std::vector<std::vector<Connection*>> shares(static_cast<std::size_t>(threads));
  for (std::size_t i = 0; i < connections.size(); ++i)
    shares[i % shares.size()].push_back(&connections[i]);
  std::vector<Driver> drivers;
  drivers.reserve(shares.size());
  for (std::vector<Connection*>& share : shares)
    drivers.emplace_back(std::move(share), options, pattern, errors);

  const auto to_duration = [](double seconds) {
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(seconds));
  };
  std::latch start(threads);
  const Clock::time_point begin = Clock::now();
  const Window window{begin + to_duration(options.warmup_s),
                      begin + to_duration(options.warmup_s + options.duration_s)};
  std::vector<std::thread> workers;
  if (connected > 0) {
    for (Driver& driver : drivers)
      workers.emplace_back([&driver, &start, window] { driver.run(window, start); });
  }
  for (std::thread& worker : workers)
    worker.join();

  std::vector<std::uint64_t> round_trips;
  for (const Driver& driver : drivers)
    round_trips.insert(round_trips.end(), driver.round_trips_ns().begin(),
                       driver.round_trips_ns().end());
  std::sort(round_trips.begin(), round_trips.end());
  const auto messages = static_cast<double>(round_trips.size());
  const double per_second = messages / options.duration_s;

  std::printf(
      "{\"connections\": %d, \"connected\": %d, \"connect_failures\": %d, \"size\": %zu, "
      "\"threads\": %d, \"duration_s\": %.3f, \"warmup_s\": %.3f, \"messages\": %zu, "
      "\"messages_per_s\": %.1f, \"mb_per_s\": %.3f, \"p50_us\": %.2f, \"p99_us\": %.2f, "
      "\"max_us\": %.2f, \"errors\": %d}\n",
      options.connections, connected, connect_failures, options.size, threads,
      options.duration_s, options.warmup_s, round_trips.size(), per_second,
      per_second * static_cast<double>(options.size) / 1e6,
      percentile_us(round_trips, 50.0), percentile_us(round_trips, 99.0),
      round_trips.empty() ? 0.0 : static_cast<double>(round_trips.back()) / 1000.0,
      errors.count());
  return errors.count() == 0 && connect_failures == 0 ? 0 : 1;
}
