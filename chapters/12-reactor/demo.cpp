// Chapter 12 demo: an echo server and its clients, in one program.
//
//   ./ch12-demo          a port the system picks, 4 clients of 256 KiB each
//   ./ch12-demo 7000     the server on 127.0.0.1:7000
//
// The server accepts connections and spawns a task per connection that
// sends back whatever it reads. Each client task connects, writes its bytes
// (a pattern of its own) while it reads the echo back, and checks every
// byte. Every wait in between (accept, connect, read, write) is a future
// that the reactor wakes when epoll says the socket is ready (driven by an
// idle worker: the default placement, reactor.hpp); no
// thread blocks on a socket. When the clients are done the runtime shuts
// down with the server still blocked in accept: the task is cancelled, and
// its listener closed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "art/net.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"

namespace {

constexpr int kClients = 4;
constexpr std::size_t kBytesPerClient = 256 * 1024;

// ANCHOR: echo_server
art::Task<void> echo(art::TcpStream connection) {
  std::vector<std::byte> buffer(16 * 1024);
  for (;;) {
    const std::size_t n = co_await connection.read(buffer);
    if (n == 0)
      co_return;  // the client is done sending
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

// ANCHOR: echo_client
art::Task<int> send_all(art::TcpStream& stream, const std::vector<unsigned char>& bytes) {
  co_await stream.write_all(std::as_bytes(std::span(bytes)));
  stream.shutdown_write();  // the server's read returns 0, its task ends
  co_return 0;
}

// Connects, sends `bytes` while reading the echo, and counts wrong bytes.
art::Task<std::size_t> client(art::SocketAddress server,
                              std::vector<unsigned char> bytes) {
  art::TcpStream stream = co_await art::TcpStream::connect(server);
  art::JoinHandle<int> sending = art::spawn(send_all(stream, bytes));
  std::vector<unsigned char> echoed(bytes.size());
  co_await stream.read_exact(std::as_writable_bytes(std::span(echoed)));
  co_await sending;
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i)
    wrong += echoed[i] != bytes[i] ? 1 : 0;
  co_return wrong;
}
// ANCHOR_END: echo_client

int parse_port(int argc, char** argv) {
  if (argc < 2)
    return 0;
  char* end = nullptr;
  const long port = std::strtol(argv[1], &end, 10);
  if (*end != '\0' || port < 0 || port > 65535)
    return -1;
  return static_cast<int>(port);
}

}  // namespace

int main(int argc, char** argv) {
  const int port = parse_port(argc, argv);
  if (port < 0) {
    std::fprintf(stderr, "usage: %s [port, 0 to 65535; 0 or none: any free port]\n",
                 argv[0]);
    return 2;
  }
  art::Runtime runtime(2);
  art::TcpListener listener = art::TcpListener::bind(
      art::SocketAddress::parse("127.0.0.1:" + std::to_string(port)), runtime.reactor());
  const art::SocketAddress address = listener.local_address();
  std::printf("echo server on %s, %d clients of %zu KiB each\n",
              address.to_string().c_str(), kClients, kBytesPerClient / 1024);
  (void)runtime.spawn(serve(std::move(listener)));

  const auto start = std::chrono::steady_clock::now();
  std::vector<art::JoinHandle<std::size_t>> clients;
  for (int c = 0; c < kClients; ++c) {
    std::vector<unsigned char> bytes(kBytesPerClient);
    for (std::size_t i = 0; i < bytes.size(); ++i)
      bytes[i] = static_cast<unsigned char>(i * 31 + static_cast<std::size_t>(c) * 7);
    clients.push_back(runtime.spawn(client(address, std::move(bytes))));
  }
  int failed = 0;
  for (int c = 0; c < kClients; ++c) {
    const std::size_t wrong = art::block_on(clients[static_cast<std::size_t>(c)]);
    std::printf("client %d: %zu KiB echoed, %zu wrong bytes\n", c, kBytesPerClient / 1024,
                wrong);
    failed += wrong == 0 ? 0 : 1;
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf(
      "all clients done in %.1f ms; live tasks before the shutdown: %zu "
      "(the server, waiting in accept, and any echo task not yet ended)\n",
      ms, runtime.live_tasks());
  runtime.shutdown();
  std::printf("after the shutdown: %zu live tasks, %zu registrations in the reactor\n",
              runtime.live_tasks(), runtime.reactor().live_registrations());
  return failed == 0 ? 0 : 1;
}
