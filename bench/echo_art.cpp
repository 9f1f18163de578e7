// echo-art: chapter 12's echo server, as the echo benchmark runs it
// (tools/echo_bench.py; the contract is in bench/CMakeLists.txt).
//
//   echo-art [--port=P] [--threads=N] [--reactor=workers|thread]
//
// A TcpListener on 127.0.0.1 (port P, or one the system picks), a Runtime of
// N workers (2 unless told), and one task per connection that reads into a
// buffer and writes it all back until the client ends the connection: the
// server of chapter 12's demo, with a way to stop. The port goes out as the
// first line of stdout. SIGTERM or SIGINT stops it: the handler only writes
// a byte into a pipe, the main thread waits on that pipe and shuts the
// runtime down (every connection task cancelled, every socket closed), and
// the program exits with status 0.
#include <array>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <fcntl.h>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>
#include <vector>

#include "art/net.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"

namespace {

// ANCHOR: echo_server
art::Task<void> echo(art::TcpStream connection) {
  connection.set_nodelay(true);  // each echo goes out at once, not after Nagle's wait
  std::vector<std::byte> buffer(16 * 1024);
  for (;;) {
    const std::size_t n = co_await connection.read(buffer);
    if (n == 0)
      co_return;  // the client is done
    co_await connection.write_all(std::span(buffer).first(n));
  }
}

art::Task<void> serve(art::TcpListener listener) {
  for (;;) {
    art::TcpStream connection = co_await listener.accept();
    (void)art::spawn(echo(std::move(connection)));  // detached: it ends with its client
  }
}
// ANCHOR_END: echo_server

// The self-pipe: a signal handler may call write() and little else, so it
// turns the signal into a byte the main thread reads.
std::array<int, 2> stop_pipe{-1, -1};

extern "C" void on_stop_signal(int /*signal*/) {
  const int saved = errno;  // the interrupted code may be about to read errno
  const char byte = 1;
  (void)!::write(stop_pipe[1], &byte, 1);
  errno = saved;
}

void stop_on_signals() {
  if (::pipe2(stop_pipe.data(), O_CLOEXEC) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe for SIGTERM");
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (const int signal : {SIGTERM, SIGINT})
    if (sigaction(signal, &action, nullptr) != 0)
      throw std::system_error(errno, std::generic_category(), "sigaction");
}

void wait_for_stop_signal() {
  char byte = 0;
  while (::read(stop_pipe[0], &byte, 1) < 0 && errno == EINTR) {
  }
}

struct Options {
  int port = 0;
  std::size_t threads = 2;
  art::ReactorPlacement reactor = art::ReactorPlacement::workers;
};

art::ReactorPlacement placement_option(std::string_view value) {
  if (value == "workers")
    return art::ReactorPlacement::workers;
  if (value == "thread")
    return art::ReactorPlacement::own_thread;
  throw std::invalid_argument("--reactor= takes workers or thread, not '" +
                              std::string(value) + "'");
}

// The number after `prefix` in `argument`, within [low, high]; throws
// std::invalid_argument naming the option otherwise.
long number_option(std::string_view argument, std::string_view prefix, long low,
                   long high) {
  const std::string text(argument.substr(prefix.size()));
  std::size_t used = 0;
  long value = -1;
  try {
    value = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < low || value > high)
    throw std::invalid_argument(std::string(prefix) + " takes a number from " +
                                std::to_string(low) + " to " + std::to_string(high) +
                                ", not '" + text + "'");
  return value;
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument = argv[i];
    if (argument.starts_with("--port="))
      options.port = static_cast<int>(number_option(argument, "--port=", 0, 65535));
    else if (argument.starts_with("--threads="))
      options.threads =
          static_cast<std::size_t>(number_option(argument, "--threads=", 1, 256));
    else if (argument.starts_with("--reactor="))
      options.reactor =
          placement_option(argument.substr(std::string_view("--reactor=").size()));
    else
      throw std::invalid_argument("unknown argument '" + std::string(argument) + "'");
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const std::invalid_argument& error) {
    std::fprintf(stderr,
                 "%s: %s\nusage: %s [--port=P (0: any free port)] [--threads=N] "
                 "[--reactor=workers|thread]\n",
                 argv[0], error.what(), argv[0]);
    return 2;
  }
  try {
    stop_on_signals();
    art::Runtime runtime(
        art::RuntimeOptions{.workers = options.threads, .reactor = options.reactor});
    art::TcpListener listener = art::TcpListener::bind(
        art::SocketAddress::parse("127.0.0.1:" + std::to_string(options.port)),
        runtime.reactor());
    std::printf("%u\n", static_cast<unsigned>(listener.local_address().port()));
    std::fflush(stdout);
    (void)runtime.spawn(serve(std::move(listener)));
    wait_for_stop_signal();
    runtime.shutdown();  // cancels the server and every connection task
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: %s\n", argv[0], error.what());
    return 1;
  }
  return 0;
}
