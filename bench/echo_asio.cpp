// echo-asio: the Boost.Asio echo server of the echo benchmark (tools/echo_bench.py): the
// peer art's echo server is measured against. It keeps the servers' contract
// (bench/CMakeLists.txt): prints its port, echoes, stops on SIGTERM or SIGINT.
//
//   echo-asio [--threads=N] [--port=P] [--contexts=per-thread|shared]
//             [--style=callbacks|coroutines]
//
// Asio has two idiomatic ways to run a server on N threads (2 by default) and two
// idiomatic ways to write a session. All four are here, behind the switches, so that
// anyone can rerun the comparison that chose the default:
//
// - --contexts=per-thread (default): one io_context per thread, with concurrency hint 1.
//   The acceptor (on the first context) deals accepted sockets out to the contexts in
//   turn; a connection then lives on its context's thread, whose handlers run in the
//   order they complete, and a handler posted from that thread skips the scheduler's
//   mutex.
// - --contexts=shared: one io_context run by all N threads. Every completion goes
//   through its one queue under its mutex, one thread at a time waits in epoll, and the
//   others wait for the handlers it finds: a connection's next handler may run on the
//   other thread, which must then be woken for it.
// - --style=callbacks (default): async_read_some, then async_write of what was read,
//   each completion handler starting the next operation: Asio's own echo example.
// - --style=coroutines: the same loop as a C++20 coroutine (co_spawn, use_awaitable).
//
// Handler memory is recycled by Asio itself. Asio 1.74 allocates each operation (the
// reactor's operation object, with the handler moved into it) from a per-thread cache of
// one free block per purpose (thread_info_base: handlers, coroutine frames, posted
// functions). The block goes back to the cache just before the handler is called, so the
// operation that the handler starts takes the same block again. Counted with an
// LD_PRELOAD that counts malloc calls: after its connections are set up, no form calls
// malloc per message (100 connections, about 200,000 messages: 250 mallocs for callbacks,
// 650 for coroutines, all of them per connection). A custom allocator has nothing left to
// save.
//
// Measured with tools/echo_bench.py, all four forms in one run, 3 runs per point, twice
// (1 and 2 client threads), on 2 cores shared with the client and with other people's
// builds (load average 3 to 6, so single cells vary by 10 to 20%). Each form's messages
// per second over the per-thread callbacks' in the same run, lowest and highest of the
// two runs:
//
//   point                shared,      per-thread,   shared,
//                        callbacks    coroutines    coroutines
//   1 connection, 64 B   0.39-0.63    0.89-1.26     0.42-0.81
//   1 connection, 4 KiB  0.24-0.37    0.92-1.02     0.29-0.45
//   100, 64 B            0.79-0.98    0.89-0.95     0.93-1.00
//   100, 4 KiB           0.84-0.96    0.83-0.86     0.84-0.93
//   1,000, 64 B          0.84-1.00    0.74-1.08     0.73-0.93
//   1,000, 4 KiB         0.85-0.98    0.84-1.00     0.87-0.97
//
// Per-thread callbacks were the fastest or within the noise at every point, so they are
// the peer. A shared context loses most with one connection: each message's two
// completions hop between the threads (p50 24 to 44 µs instead of 16 to 18 µs). Its one
// gain is a shorter p99 at 100 connections in some runs: on 2 cores shared with the
// client, a per-thread context whose thread is preempted holds up its half of the
// connections, while a shared one lets the other thread serve them. Coroutines cost a
// little more per operation (a coroutine frame for each use_awaitable initiation, resumed
// through the awaitable thread), visible at 100 connections.
//
// Left out: BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO would save the uncontended descriptor
// lock taken a few times per message (tens of nanoseconds against microseconds of
// system calls: below this benchmark's noise), and would make handing a socket from the
// acceptor's thread to its own context rely on ordering that Asio does not promise.
// The buffer is 4 KiB, the largest message: with one message in flight per connection,
// a larger one would change nothing. Link-time optimisation is not used: Asio is
// header-only and this is one source file, so the compiler already sees all of it.
#include <array>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "open_file_limit.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr const char* kProgram = "echo-asio";
constexpr const char* kUsage =
    "usage: echo-asio [--threads=N] [--port=P] [--contexts=per-thread|shared] "
    "[--style=callbacks|coroutines]";
// The largest message the benchmark sends. In a closed loop one message is in flight per
// connection, so a larger buffer would change nothing.
constexpr std::size_t kBufferSize = 4096;
// The kernel caps the backlog at net.core.somaxconn (4096 by default since Linux 5.4).
constexpr int kBacklog = 4096;

enum class Contexts { per_thread, shared };
enum class Style { callbacks, coroutines };

struct Options {
  int threads = 2;
  unsigned short port = 0;
  Contexts contexts = Contexts::per_thread;
  Style style = Style::callbacks;
};

// Bad arguments: main prints the message and the usage line, and exits with status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void usage_error(const std::string& message) { throw UsageError(message); }

long parse_integer(std::string_view name, const std::string& text, long low, long high) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < low || value > high)
    usage_error("--" + std::string(name) + " wants an integer from " +
                std::to_string(low) + " to " + std::to_string(high) + ", not '" + text +
                "'");
  return value;
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    const std::size_t equals = argument.find('=');
    if (argument.rfind("--", 0) != 0 || equals == std::string::npos)
      usage_error("options are written --name=value, not '" + argument + "'");
    const std::string name = argument.substr(2, equals - 2);
    const std::string value = argument.substr(equals + 1);
    if (name == "threads") {
      options.threads = static_cast<int>(parse_integer(name, value, 1, 256));
    } else if (name == "port") {
      options.port = static_cast<unsigned short>(parse_integer(name, value, 0, 65535));
    } else if (name == "contexts" && (value == "per-thread" || value == "shared")) {
      options.contexts = value == "shared" ? Contexts::shared : Contexts::per_thread;
    } else if (name == "style" && (value == "callbacks" || value == "coroutines")) {
      options.style = value == "coroutines" ? Style::coroutines : Style::callbacks;
    } else {
      usage_error("unknown option or value '" + argument + "'");
    }
  }
  return options;
}

// The io_contexts and the threads that run them: one context per thread, or one shared
// by every thread. next() deals accepted sockets out to the contexts in turn.
class Pool {
 public:
  explicit Pool(const Options& options) {
    const bool per_thread = options.contexts == Contexts::per_thread;
    const int count = per_thread ? options.threads : 1;
    // A context run by one thread says so (hint 1): a handler it posts from its own
    // thread then goes to a private queue without the scheduler's mutex.
    const int hint = per_thread ? 1 : BOOST_ASIO_CONCURRENCY_HINT_DEFAULT;
    for (int i = 0; i < count; ++i) {
      contexts_.push_back(std::make_unique<asio::io_context>(hint));
      // Without it, a context that has no connection yet would return from run() at once.
      guards_.push_back(asio::make_work_guard(*contexts_.back()));
    }
  }

  asio::io_context& first() { return *contexts_.front(); }
  asio::io_context& next() {
    asio::io_context& context = *contexts_[next_];
    next_ = (next_ + 1) % contexts_.size();
    return context;
  }

  // Runs the contexts on `threads` threads until stop(); returns when all are done.
  void run(int threads) {
    std::vector<std::thread> runners;
    for (int i = 0; i < threads; ++i) {
      asio::io_context& context =
          *contexts_[static_cast<std::size_t>(i) % contexts_.size()];
      runners.emplace_back([&context] { context.run(); });
    }
    for (std::thread& runner : runners)
      runner.join();
  }

  void stop() {
    for (auto& context : contexts_)
      context->stop();
  }

 private:
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::size_t next_ = 0;  // only the acceptor's handler deals, on one thread
};

// The callback form: Asio's own echo example, read some, write it all, again. The
// session's shared_ptr is moved from each handler into the next, never copied, so the
// reference count is not touched per operation; the last handler to drop it (after an
// error or end of stream) frees the session.
class CallbackSession {
 public:
  explicit CallbackSession(tcp::socket socket) : socket_(std::move(socket)) {}

  static void start(tcp::socket socket) {
    auto session = std::make_shared<CallbackSession>(std::move(socket));
    CallbackSession& self = *session;
    self.read(std::move(session));
  }

 private:
  void read(std::shared_ptr<CallbackSession> self) {
    socket_.async_read_some(
        asio::buffer(buffer_),
        [this, self = std::move(self)](error_code error, std::size_t length) mutable {
          if (!error)
            write(std::move(self), length);
        });
  }

  void write(std::shared_ptr<CallbackSession> self, std::size_t length) {
    asio::async_write(
        socket_, asio::buffer(buffer_.data(), length),
        [this, self = std::move(self)](error_code error, std::size_t) mutable {
          if (!error)
            read(std::move(self));
        });
  }

  tcp::socket socket_;
  std::array<char, kBufferSize> buffer_;
};

// The coroutine form: the same loop as a C++20 coroutine; the buffer lives in its frame.
asio::awaitable<void> coroutine_session(tcp::socket socket) {
  std::array<char, kBufferSize> buffer;
  error_code error;
  for (;;) {
    const std::size_t length = co_await socket.async_read_some(
        asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, error));
    if (error)
      co_return;
    co_await asio::async_write(socket, asio::buffer(buffer.data(), length),
                               asio::redirect_error(asio::use_awaitable, error));
    if (error)
      co_return;
  }
}

// Starts a session for an accepted socket on the thread of the socket's own context.
void start_session(tcp::socket socket, Style style) {
  const tcp::no_delay no_delay(true);
  socket.set_option(no_delay);
  auto executor = socket.get_executor();
  if (style == Style::coroutines) {
    asio::co_spawn(executor, coroutine_session(std::move(socket)), asio::detached);
  } else {
    asio::post(executor, [socket = std::move(socket)]() mutable {
      CallbackSession::start(std::move(socket));
    });
  }
}

// An accept that fails for want of resources (EMFILE: out of descriptors) fails again at
// once while the connection waits in the backlog: the acceptor pauses before it tries
// again, rather than spin and flood stderr.
constexpr std::chrono::milliseconds kAcceptPause{100};

void report_accept_error(const error_code& error) {
  std::fprintf(stderr, "%s: accept: %s (retrying in %lld ms)\n", kProgram,
               error.message().c_str(), static_cast<long long>(kAcceptPause.count()));
}

// Accepts connections, each on the next context in turn, until the acceptor is closed.
// Holds no state of its own: the acceptor, pool and pause timer live in main.
class CallbackAcceptor {
 public:
  CallbackAcceptor(tcp::acceptor& acceptor, Pool& pool)
      : acceptor_(acceptor), pool_(pool), pause_(acceptor.get_executor()) {}

  void accept() {
    acceptor_.async_accept(pool_.next(), [this](error_code error, tcp::socket socket) {
      if (error == asio::error::operation_aborted)
        return;  // the acceptor was closed: shutting down
      if (!error) {
        start_session(std::move(socket), Style::callbacks);
        accept();
        return;
      }
      report_accept_error(error);
      pause_.expires_after(kAcceptPause);
      pause_.async_wait([this](error_code cancelled) {
        if (!cancelled)
          accept();
      });
    });
  }

 private:
  tcp::acceptor& acceptor_;
  Pool& pool_;
  asio::steady_timer pause_;
};

asio::awaitable<void> accept_with_coroutine(tcp::acceptor& acceptor, Pool& pool) {
  asio::steady_timer pause(acceptor.get_executor());
  for (;;) {
    error_code error;
    tcp::socket socket = co_await acceptor.async_accept(
        pool.next(), asio::redirect_error(asio::use_awaitable, error));
    if (error == asio::error::operation_aborted)
      co_return;  // the acceptor was closed: shutting down
    if (!error) {
      start_session(std::move(socket), Style::coroutines);
      continue;
    }
    report_accept_error(error);
    pause.expires_after(kAcceptPause);
    co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
    if (error)
      co_return;
  }
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
  if (!art::bench::raise_open_file_limit(kProgram, std::nullopt))
    return 2;
  Pool pool(options);
  tcp::acceptor acceptor(pool.first());
  try {
    const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), options.port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(kBacklog);
  } catch (const boost::system::system_error& error) {
    std::fprintf(stderr, "%s: cannot listen on port %u: %s\n", kProgram, options.port,
                 error.what());
    return 1;
  }
  // The contract with echo_bench.py: the port, alone on the first line of stdout.
  std::printf("%u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);

  asio::signal_set signals(pool.first(), SIGINT, SIGTERM);
  signals.async_wait([&acceptor, &pool](error_code, int) {
    acceptor.close();
    pool.stop();
  });
  CallbackAcceptor callback_acceptor(acceptor, pool);
  if (options.style == Style::coroutines)
    asio::co_spawn(pool.first(), accept_with_coroutine(acceptor, pool), asio::detached);
  else
    callback_acceptor.accept();
  pool.run(options.threads);
  return 0;
}
