// Chapter 12 at scale: 10,000 concurrent connections through one echo
// server, and a server shut down with a thousand connections still open.
#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <poll.h>
#include <signal.h>
#include <span>
#include <spawn.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "art/net.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "open_file_limit.hpp"
#include "test_support.hpp"

extern char** environ;

namespace art {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::kFdsBesideConnections;
using testing::Lifetime;
using testing::NoFdLeak;

const SocketAddress kAnyLoopbackPort = SocketAddress::parse("127.0.0.1:0");

// What the server saw. Each counter is written by the connection tasks on
// both workers and read by the test thread after the tasks ended (or to
// wait for them): sequentially consistent, the default, since these are
// counts for assertions and nothing is built on their order.
struct ServerCounts {
  std::atomic<std::size_t> accepted{0};
  std::atomic<std::size_t> open{0};
  std::atomic<std::size_t> most_open{0};  // the peak of `open`
  std::atomic<std::size_t> bytes_echoed{0};
  std::shared_ptr<std::atomic<int>> tasks_destroyed =
      std::make_shared<std::atomic<int>>(0);

  void opened() {
    const std::size_t now = open.fetch_add(1) + 1;
    std::size_t peak = most_open.load();
    while (peak < now && !most_open.compare_exchange_weak(peak, now)) {
    }
  }
};

// ANCHOR: scale_server
// One connection: sends back what it reads until the client ends it.
Task<void> echo(TcpStream connection, std::shared_ptr<ServerCounts> counts) {
  const Lifetime lifetime(counts->tasks_destroyed);  // counts this frame's end
  counts->opened();
  std::array<std::byte, 4096> buffer{};
  for (;;) {
    const std::size_t n = co_await connection.read(buffer);
    if (n == 0)
      break;
    co_await connection.write_all(std::span(buffer).first(n));
    counts->bytes_echoed.fetch_add(n);
  }
  counts->open.fetch_sub(1);
}

Task<void> serve(TcpListener listener, std::shared_ptr<ServerCounts> counts) {
  const Lifetime lifetime(counts->tasks_destroyed);
  for (;;) {
    TcpStream connection = co_await listener.accept();
    counts->accepted.fetch_add(1);
    (void)spawn(echo(std::move(connection), counts));
  }
}
// ANCHOR_END: scale_server

// The client program (scale_client.cpp), started by the test and read
// through a pipe: its line of counts, its exit status, or that it was
// killed for overrunning its deadline.
struct ClientRun {
  std::string output;
  int status = -1;
  bool timed_out = false;
};

ClientRun run_client(const std::vector<std::string>& arguments,
                     std::chrono::seconds deadline) {
  ClientRun run;
  std::array<int, 2> pipe_fds{};
  if (pipe2(pipe_fds.data(), O_CLOEXEC) != 0)
    return run;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  std::vector<char*> argv;
  for (const std::string& argument : arguments)
    argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    run.output = "could not start " + arguments[0] + ": " + std::strerror(spawned);
    return run;
  }
  // Read until the client closes its end (it exits), or the deadline passes.
  const auto give_up = std::chrono::steady_clock::now() + deadline;
  std::array<char, 256> chunk{};
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        give_up - std::chrono::steady_clock::now());
    pollfd readable{pipe_fds[0], POLLIN, 0};
    if (left <= 0ms || ::poll(&readable, 1, static_cast<int>(left.count())) == 0) {
      run.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    const ssize_t n = ::read(pipe_fds[0], chunk.data(), chunk.size());
    if (n > 0)
      run.output.append(chunk.data(), static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR)
      break;
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return run;
}

// The scale: 10,000 connections, 3 messages of 64 bytes each.
constexpr std::size_t kConnections = 10'000;
constexpr int kMessages = 3;
constexpr std::size_t kMessageBytes = 64;
// Well beyond what the run takes (seconds, under a sanitizer too), and
// within the ctest timeout (tests/12-reactor/CMakeLists.txt), so that a
// hang fails by its assertion, with the client's counts, before ctest
// kills the whole binary.
constexpr auto kClientDeadline = 40s;

// ANCHOR: scale_test
TEST(Scale, TenThousandConcurrentConnectionsEchoEveryByteAndShutDownWithoutALeak) {
  // The server's fds are this process's; the client's are its own process's:
  // 10,000 connections are 20,000 fds, and one process may open no more than
  // its hard limit.
  const testing::RestoreOpenFileLimit restore_limit;
  const rlim_t needed = kConnections + kFdsBesideConnections;
  if (!testing::raise_open_file_limit(needed))
    GTEST_SKIP() << "needs " << needed
                 << " fds in each of two processes (RLIMIT_NOFILE), "
                 << "but the limit is " << testing::describe_open_file_limit()
                 << ", and only root may raise the hard limit";
  NoFdLeak no_leak;
  auto counts = std::make_shared<ServerCounts>();
  {
    Runtime runtime(2);
    TcpListener listener = TcpListener::bind(kAnyLoopbackPort, runtime.reactor());
    const std::string address = listener.local_address().to_string();
    (void)runtime.spawn(serve(std::move(listener), counts));

    const ClientRun client =
        run_client({ART_SCALE_CLIENT, address, std::to_string(kConnections),
                    std::to_string(kMessages), std::to_string(kMessageBytes)},
                   kClientDeadline);
    ASSERT_FALSE(client.timed_out) << "the client overran " << kClientDeadline.count()
                                   << " s; it had printed: " << client.output;
    ASSERT_EQ(client.status, 0) << "the client reported: " << client.output;
    EXPECT_NE(client.output.find("connected=10000 echoed=10000 wrong_bytes=0 failed=0"),
              std::string::npos)
        << client.output;

    // Every client has closed: each echo task reads the end and finishes.
    EXPECT_TRUE(eventually([&] { return runtime.live_tasks() == 1; }, 10s))
        << runtime.live_tasks() - 1 << " connection tasks still live";
    EXPECT_EQ(counts->accepted.load(), kConnections);
    EXPECT_EQ(counts->most_open.load(), kConnections) << "the connections were not all "
                                                         "open at once";
    EXPECT_EQ(counts->bytes_echoed.load(), kConnections * kMessages * kMessageBytes);

    Reactor& reactor = runtime.reactor();
    runtime.shutdown();  // the server, still in accept, is cancelled
    EXPECT_EQ(runtime.live_tasks(), 0U);
    EXPECT_EQ(reactor.live_registrations(), 0U);
    EXPECT_EQ(counts->tasks_destroyed->load(), static_cast<int>(kConnections) + 1);
  }
}
// ANCHOR_END: scale_test

// A thousand idle connections: the shutdown cancels every connection task
// (each frame destroyed), closes every fd of the server's, and leaves the
// reactor with no registration.
TEST(Scale, AShutdownWithAThousandOpenConnectionsCancelsEveryTaskAndClosesEveryFd) {
  constexpr std::size_t kIdleConnections = 1'000;
  const testing::RestoreOpenFileLimit restore_limit;
  const rlim_t needed = 2 * kIdleConnections + kFdsBesideConnections;
  if (!testing::raise_open_file_limit(needed))
    GTEST_SKIP() << "needs " << needed << " fds (RLIMIT_NOFILE), but the limit is "
                 << testing::describe_open_file_limit();
  NoFdLeak no_leak;
  auto counts = std::make_shared<ServerCounts>();
  std::vector<int> clients;
  {
    Runtime runtime(2);
    TcpListener listener = TcpListener::bind(kAnyLoopbackPort, runtime.reactor());
    const SocketAddress address = listener.local_address();
    (void)runtime.spawn(serve(std::move(listener), counts));
    for (std::size_t i = 0; i < kIdleConnections; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      ASSERT_GE(fd, 0) << std::strerror(errno);
      clients.push_back(fd);
      ASSERT_EQ(::connect(fd, address.get(), address.size()), 0) << std::strerror(errno);
    }
    ASSERT_TRUE(eventually([&] { return counts->open.load() == kIdleConnections; }, 20s))
        << counts->open.load() << " of " << kIdleConnections << " connections accepted";
    EXPECT_EQ(runtime.live_tasks(), kIdleConnections + 1);

    Reactor& reactor = runtime.reactor();
    runtime.shutdown();
    EXPECT_EQ(runtime.live_tasks(), 0U);
    EXPECT_EQ(reactor.live_registrations(), 0U) << "a cancelled task left a registration";
    EXPECT_EQ(counts->tasks_destroyed->load(), static_cast<int>(kIdleConnections) + 1)
        << "a connection task was not cancelled";
  }
  std::size_t ended = 0;  // the server's end of each is closed: its client reads 0
  for (const int fd : clients) {
    char byte = 0;
    ended += ::read(fd, &byte, 1) == 0 ? 1 : 0;
    ::close(fd);
  }
  EXPECT_EQ(ended, kIdleConnections);
}

}  // namespace
}  // namespace art
