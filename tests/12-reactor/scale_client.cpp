// The client side of the Scale test (scale_test.cpp): a program of its own,
// because 10,000 connections on loopback are 20,000 fds, more than one
// process may usually open. The test starts it with the server's address;
// it prints one line of counts on stdout and exits 0 only if every byte of
// every connection came back as sent.
//
//   ch12-scale-client ADDRESS CONNECTIONS MESSAGES MESSAGE_BYTES
//
// It works in three phases, so that all connections are open at once:
//   1. connect every connection, in waves of kConnectWave handshakes at a
//      time, so that the server's accept queue never overflows (a SYN the
//      kernel drops is sent again a second later: slow, not a failure; a
//      connect that fails anyway is tried again, and counted);
//   2. on every connection at once, send MESSAGES messages of its own and
//      read each echo back before the next, checking every byte;
//   3. close them all.
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <sys/prctl.h>
#include <system_error>
#include <unistd.h>
#include <vector>

#include "art/net.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "open_file_limit.hpp"

namespace {

constexpr std::size_t kConnectWave = 1000;
constexpr int kConnectAttempts = 3;
// The test kills a client that overruns its own deadline; a client whose
// test process died (a ctest timeout) must not live on either.
constexpr unsigned kLifetimeSeconds = 300;

struct Settings {
  art::SocketAddress server;
  std::size_t connections = 0;
  int messages = 0;
  std::size_t message_bytes = 0;
};

// Message `m` of connection `c`: its first bytes name both, so that an
// echo delivered to the wrong connection, or out of order, never matches.
std::vector<unsigned char> message(std::size_t c, int m, std::size_t size) {
  std::vector<unsigned char> bytes(size);
  for (std::size_t i = 0; i < size; ++i)
    bytes[i] =
        static_cast<unsigned char>(c * 131 + static_cast<std::size_t>(m) * 17 + i * 7);
  for (std::size_t i = 0; i < 4 && i < size; ++i)
    bytes[i] = static_cast<unsigned char>(c >> (8 * i));
  if (size > 4)
    bytes[4] = static_cast<unsigned char>(m);
  return bytes;
}

struct Connected {
  std::optional<art::TcpStream> stream;  // empty if every attempt failed
  int retries = 0;
};

art::Task<Connected> connect_with_retries(art::SocketAddress server) {
  Connected result;
  for (int attempt = 1; attempt <= kConnectAttempts; ++attempt) {
    std::string error;
    try {
      result.stream.emplace(co_await art::TcpStream::connect(server));
      co_return result;
    } catch (const std::system_error& failure) {
      error = failure.what();
    }
    if (attempt == kConnectAttempts)
      std::fprintf(stderr, "scale client: connect failed %d times, last: %s\n",
                   kConnectAttempts, error.c_str());
    else
      ++result.retries;
  }
  co_return result;
}

// Sends connection `c`'s messages one after another, reading each echo back
// before the next; the wrong bytes it saw.
art::Task<std::size_t> exchange(art::TcpStream& stream, std::size_t c,
                                Settings settings) {
  std::size_t wrong = 0;
  std::vector<unsigned char> echoed(settings.message_bytes);
  for (int m = 0; m < settings.messages; ++m) {
    const std::vector<unsigned char> sent = message(c, m, settings.message_bytes);
    co_await stream.write_all(std::as_bytes(std::span(sent)));
    co_await stream.read_exact(std::as_writable_bytes(std::span(echoed)));
    for (std::size_t i = 0; i < sent.size(); ++i)
      wrong += echoed[i] != sent[i] ? 1 : 0;
  }
  co_return wrong;
}

struct Counts {
  std::size_t connected = 0;
  std::size_t echoed = 0;  // connections whose every message came back
  std::size_t wrong_bytes = 0;
  std::size_t failed = 0;  // connections whose exchange threw
  int connect_retries = 0;
};

void connect_all(art::Runtime& runtime, const Settings& settings,
                 std::vector<art::TcpStream>& streams, Counts& counts) {
  for (std::size_t first = 0; first < settings.connections; first += kConnectWave) {
    std::vector<art::JoinHandle<Connected>> wave;
    for (std::size_t c = first; c < settings.connections && c < first + kConnectWave; ++c)
      wave.push_back(runtime.spawn(connect_with_retries(settings.server)));
    for (auto& handle : wave) {
      Connected connected = art::block_on(handle);
      counts.connect_retries += connected.retries;
      if (connected.stream)
        streams.push_back(std::move(*connected.stream));
    }
  }
  counts.connected = streams.size();
}

void exchange_on_all(art::Runtime& runtime, const Settings& settings,
                     std::vector<art::TcpStream>& streams, Counts& counts) {
  std::vector<art::JoinHandle<std::size_t>> exchanges;
  exchanges.reserve(streams.size());
  for (std::size_t c = 0; c < streams.size(); ++c)
    exchanges.push_back(runtime.spawn(exchange(streams[c], c, settings)));
  for (auto& handle : exchanges) {
    try {
      const std::size_t wrong = art::block_on(handle);
      counts.wrong_bytes += wrong;
      counts.echoed += wrong == 0 ? 1 : 0;
    } catch (const std::exception& failure) {
      if (counts.failed++ == 0)
        std::fprintf(stderr, "scale client: an exchange failed: %s\n", failure.what());
    }
  }
}

std::optional<Settings> parse(int argc, char** argv) {
  if (argc != 5)
    return std::nullopt;
  try {
    Settings settings{art::SocketAddress::parse(argv[1]), std::stoul(argv[2]),
                      std::stoi(argv[3]), std::stoul(argv[4])};
    if (settings.connections == 0 || settings.messages <= 0 ||
        settings.message_bytes == 0)
      return std::nullopt;
    return settings;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

int main(int argc, char** argv) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  alarm(kLifetimeSeconds);
  const std::optional<Settings> settings = parse(argc, argv);
  if (!settings) {
    std::fprintf(stderr,
                 "usage: %s ADDRESS CONNECTIONS MESSAGES MESSAGE_BYTES "
                 "(e.g. 127.0.0.1:4000 10000 3 64; every number above 0)\n",
                 argv[0]);
    return 2;
  }
  const rlim_t needed = settings->connections + art::testing::kFdsBesideConnections;
  if (!art::testing::raise_open_file_limit(needed)) {
    std::fprintf(stderr, "scale client: needs %llu fds, the limit is %s\n",
                 static_cast<unsigned long long>(needed),
                 art::testing::describe_open_file_limit().c_str());
    return 3;
  }
  Counts counts;
  {
    art::Runtime runtime(2);
    std::vector<art::TcpStream> streams;
    streams.reserve(settings->connections);  // exchange() holds references into it
    connect_all(runtime, *settings, streams, counts);
    exchange_on_all(runtime, *settings, streams, counts);
  }  // closes every connection, then shuts the runtime down
  std::printf("connected=%zu echoed=%zu wrong_bytes=%zu failed=%zu connect_retries=%d\n",
              counts.connected, counts.echoed, counts.wrong_bytes, counts.failed,
              counts.connect_retries);
  std::fflush(stdout);
  const bool all_good = counts.echoed == settings->connections && counts.wrong_bytes == 0;
  return all_good ? 0 : 1;
}
