// Sockets over the reactor: TCP, Unix, UDP, and a server's shutdown.
#include "art/net.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <memory>
#include <netinet/in.h>
#include <numeric>
#include <span>
#include <string>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "art/runtime.hpp"
#include "art/task.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using testing::eventually;
using testing::NoFdLeak;

const SocketAddress kAnyLoopbackPort = SocketAddress::parse("127.0.0.1:0");

// Serves one client: sends back everything it reads, until the client ends.
Task<std::size_t> echo_one(TcpListener& listener) {
  TcpStream client = co_await listener.accept();
  std::array<std::byte, 16384> buffer{};
  std::size_t echoed = 0;
  for (;;) {
    const std::size_t n = co_await client.read(buffer);
    if (n == 0)
      co_return echoed;
    co_await client.write_all(std::span(buffer).first(n));
    echoed += n;
  }
}

// Sends `data` through an echo server and reads it all back.
Task<std::vector<unsigned char>> round_trip(SocketAddress server,
                                            const std::vector<unsigned char>& data) {
  TcpStream stream = co_await TcpStream::connect(server);
  std::vector<unsigned char> back(data.size());
  // Write and read at once: a server that echoes while we still write
  // would otherwise fill both socket buffers and wait for us for ever.
  JoinHandle<int> writer =
      spawn([](TcpStream& out, const std::vector<unsigned char>& bytes) -> Task<int> {
        co_await out.write_all(std::as_bytes(std::span(bytes)));
        out.shutdown_write();
        co_return 0;
      }(stream, data));
  co_await stream.read_exact(std::as_writable_bytes(std::span(back)));
  co_await writer;
  co_return back;
}

TEST(SocketAddress, ParsesV4AndV6AndRefusesNonsenseClearly) {
  EXPECT_EQ(SocketAddress::parse("127.0.0.1:8080").to_string(), "127.0.0.1:8080");
  EXPECT_EQ(SocketAddress::parse("[::1]:80").to_string(), "[::1]:80");
  EXPECT_EQ(SocketAddress::parse("[::1]:80").port(), 80);
  for (const char* bad : {"localhost:80", "127.0.0.1", "127.0.0.1:99999", "1.2.3.4:x"}) {
    try {
      (void)SocketAddress::parse(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find("127.0.0.1:8080"), std::string::npos);
    }
  }
}

TEST(Tcp, AListenerOnPortZeroReportsThePortItGot) {
  NoFdLeak no_leak;
  Runtime runtime(1);
  TcpListener listener = TcpListener::bind(kAnyLoopbackPort, runtime.reactor());
  EXPECT_NE(listener.local_address().port(), 0);
  EXPECT_EQ(listener.local_address().to_string().rfind("127.0.0.1:", 0), 0U);
}

// Both placements of the reactor carry the same bytes (reactor.hpp).
class TcpOnEitherReactor : public ::testing::TestWithParam<ReactorPlacement> {};

TEST_P(TcpOnEitherReactor, AFewMegabytesEchoThroughALoopbackConnectionByteForByte) {
  NoFdLeak no_leak;
  Runtime runtime(RuntimeOptions{.workers = 2, .reactor = GetParam()});
  TcpListener listener = TcpListener::bind(kAnyLoopbackPort, runtime.reactor());
  std::vector<unsigned char> data((4u << 20) / testing::kStressScale);
  std::iota(data.begin(), data.end(), 7);
  JoinHandle<std::size_t> server = runtime.spawn(echo_one(listener));
  std::vector<unsigned char> back =
      runtime.block_on(round_trip(listener.local_address(), data));
  EXPECT_EQ(runtime.block_on(std::move(server)), data.size());
  EXPECT_TRUE(back == data) << "the echo differs from what was sent";
}

INSTANTIATE_TEST_SUITE_P(Placements, TcpOnEitherReactor,
                         ::testing::Values(ReactorPlacement::workers,
                                           ReactorPlacement::own_thread),
                         testing::placement_name);

Task<int> connect_only(SocketAddress address) {
  TcpStream stream = co_await TcpStream::connect(address);
  co_return stream.fd();
}

TEST(Tcp, AConnectToAPortNobodyListensOnFailsWithTheAddressInTheError) {
  NoFdLeak no_leak;
  Runtime runtime(1);
  SocketAddress closed_port = kAnyLoopbackPort;
  {
    TcpListener taken = TcpListener::bind(kAnyLoopbackPort, runtime.reactor());
    closed_port = taken.local_address();
  }  // nobody listens there now
  try {
    runtime.block_on(connect_only(closed_port));
    FAIL() << "no error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code().value(), ECONNREFUSED);
    EXPECT_NE(std::string(error.what()).find(closed_port.to_string()), std::string::npos);
  }
}

Task<std::size_t> accept_then_read(TcpListener& listener) {
  TcpStream client = co_await listener.accept();
  std::array<std::byte, 64> buffer{};
  co_return co_await client.read(buffer);
}

Task<int> connect_and_reset(SocketAddress address) {
  TcpStream stream = co_await TcpStream::connect(address);
  const linger abort_on_close{1, 0};  // close() sends RST, not FIN
  setsockopt(stream.fd(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  co_return 0;
}

TEST(Tcp, APeerThatResetsMakesTheReadFailWithEconnreset) {
  NoFdLeak no_leak;
  Runtime runtime(2);
  TcpListener listener = TcpListener::bind(kAnyLoopbackPort, runtime.reactor());
  JoinHandle<std::size_t> reader = runtime.spawn(accept_then_read(listener));
  runtime.block_on(connect_and_reset(listener.local_address()));
  try {
    runtime.block_on(std::move(reader));
    FAIL() << "the read did not fail";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code().value(), ECONNRESET);
    EXPECT_NE(std::string(error.what()).find("read on fd"), std::string::npos);
  }
}

Task<std::string> half_close_exchange(TcpListener& listener) {
  TcpStream stream = co_await TcpStream::connect(listener.local_address());
  TcpStream server = co_await listener.accept();
  stream.shutdown_write();  // the server reads 0 ...
  std::array<std::byte, 8> buffer{};
  const std::size_t n = co_await server.read(buffer);
  const std::string hello = "hello";
  co_await server.write_all(std::as_bytes(std::span(hello)));  // ... and can still answer
  std::array<char, 5> reply{};
  co_await stream.read_exact(std::as_writable_bytes(std::span(reply)));
  co_return std::to_string(n) + std::string(reply.data(), reply.size());
}

TEST(Tcp, AfterAHalfCloseTheReadSeesTheEndAndTheOtherDirectionStillWorks) {
  NoFdLeak no_leak;
  Runtime runtime(1);
  TcpListener listener = TcpListener::bind(kAnyLoopbackPort, runtime.reactor());
  EXPECT_EQ(runtime.block_on(half_close_exchange(listener)), "0hello");
}

// ANCHOR: shutdown_test
// A server with tasks blocked in accept and in reads of open connections:
// the shutdown cancels every one of them, every fd is closed, and the
// reactor has no registration left.
Task<int> serve_for_ever(std::shared_ptr<TcpListener> listener,
                         std::shared_ptr<std::atomic<int>> connections) {
  for (;;) {
    TcpStream client = co_await listener->accept();
    connections->fetch_add(1);
    (void)spawn([](TcpStream connection) -> Task<int> {
      std::array<std::byte, 64> buffer{};
      while (co_await connection.read(buffer) > 0) {
      }
      co_return 0;
    }(std::move(client)));
  }
}

TEST(Tcp, AShutdownCancelsEveryTaskBlockedInAcceptOrReadAndClosesEveryFd) {
  NoFdLeak no_leak;
  std::vector<int> clients;
  {
    Runtime runtime(2);
    auto listener = std::make_shared<TcpListener>(
        TcpListener::bind(kAnyLoopbackPort, runtime.reactor()));
    const SocketAddress address = listener->local_address();
    auto connections = std::make_shared<std::atomic<int>>(0);
    (void)runtime.spawn(serve_for_ever(listener, connections));
    listener.reset();  // the task holds it now
    for (int i = 0; i < 3; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      ASSERT_EQ(::connect(fd, address.get(), address.size()), 0);
      clients.push_back(fd);
    }
    ASSERT_TRUE(eventually([&] { return connections->load() == 3; }));
    ASSERT_TRUE(eventually([&] { return runtime.live_tasks() == 4; }));
    Reactor& reactor = runtime.reactor();
    runtime.shutdown();
    EXPECT_EQ(runtime.live_tasks(), 0U);
    EXPECT_EQ(reactor.live_registrations(), 0U) << "a cancelled task left a registration";
  }
  for (const int fd : clients) {  // every server side is closed: the clients read 0
    char byte = 0;
    EXPECT_EQ(::read(fd, &byte, 1), 0);
    ::close(fd);
  }
}
// ANCHOR_END: shutdown_test

std::string temporary_socket_path() {
  return "/tmp/art-unix-" + std::to_string(::getpid()) + "-" +
         std::to_string(reinterpret_cast<std::uintptr_t>(&temporary_socket_path) % 9973);
}

Task<std::string> unix_exchange(UnixListener& listener, std::string path) {
  UnixStream client = co_await UnixStream::connect(path);
  UnixStream server = co_await listener.accept();
  const std::string ping = "ping";
  co_await client.write_all(std::as_bytes(std::span(ping)));
  std::array<char, 4> got{};
  co_await server.read_exact(std::as_writable_bytes(std::span(got)));
  co_return std::string(got.data(), got.size());
}

TEST(Unix, AListenerAcceptsAConnectionThatCarriesBytes) {
  NoFdLeak no_leak;
  const std::string path = temporary_socket_path();
  ::unlink(path.c_str());
  {
    Runtime runtime(1);
    UnixListener listener = UnixListener::bind(path, runtime.reactor());
    EXPECT_EQ(runtime.block_on(unix_exchange(listener, path)), "ping");
    try {
      UnixListener second = UnixListener::bind(path, runtime.reactor());
      ADD_FAILURE() << "a second bind to the same path worked";
    } catch (const std::system_error& error) {
      EXPECT_EQ(error.code().value(), EADDRINUSE);
      EXPECT_NE(std::string(error.what()).find("remove the old file"), std::string::npos);
    }
  }
  ::unlink(path.c_str());
}

Task<std::size_t> pair_exchange(UnixStream& a, UnixStream& b) {
  const std::array<std::byte, 3> bytes{std::byte{1}, std::byte{2}, std::byte{3}};
  co_await a.write_all(bytes);
  std::array<std::byte, 8> buffer{};
  co_return co_await b.read(buffer);
}

TEST(Unix, APairIsTwoConnectedStreams) {
  NoFdLeak no_leak;
  Runtime runtime(1);
  auto [a, b] = UnixStream::pair(runtime.reactor());
  EXPECT_EQ(runtime.block_on(pair_exchange(a, b)), 3U);
}

Task<std::string> udp_exchange(UdpSocket& a, UdpSocket& b) {
  const std::string hello = "datagram";
  const std::size_t sent =
      co_await a.send_to(std::as_bytes(std::span(hello)), b.local_address());
  std::array<char, 64> buffer{};
  auto [n, from] = co_await b.recv_from(std::as_writable_bytes(std::span(buffer)));
  co_return std::to_string(sent) + " " + std::string(buffer.data(), n) + " from " +
      (from.port() == a.local_address().port() ? "a" : from.to_string());
}

TEST(Udp, SendToAndRecvFromCarryADatagramAndItsSender) {
  NoFdLeak no_leak;
  Runtime runtime(1);
  UdpSocket a = UdpSocket::bind(kAnyLoopbackPort, runtime.reactor());
  UdpSocket b = UdpSocket::bind(kAnyLoopbackPort, runtime.reactor());
  EXPECT_EQ(runtime.block_on(udp_exchange(a, b)), "8 datagram from a");
}

}  // namespace
}  // namespace art
