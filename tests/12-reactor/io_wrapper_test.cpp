// IoWrapper: the IO loop, its errors, and what it gives back.
#include "art/io_wrapper.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <fcntl.h>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "art/budget.hpp"
#include "art/owned_fd.hpp"
#include "art/reactor.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using testing::CountingWaker;
using testing::eventually;
using testing::make_pipe;
using testing::make_socketpair;
using testing::NoFdLeak;
using testing::RunningReactor;

// A poll by hand, outside any runtime: no budget unless one is given.
struct HandPoll {
  CountingWaker counting;
  Waker waker = counting.waker();
  Context cx{waker};
};

TEST(IoWrapper, AnInvalidFdIsRefusedWithEbadfAndANamedFd) {
  NoFdLeak no_leak;
  RunningReactor running;
  try {
    IoWrapper<OwnedFd> wrapper(OwnedFd(987654), *running.reactor);
    FAIL() << "no error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code().value(), EBADF);
    EXPECT_NE(std::string(error.what()).find("fd 987654"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(running.reactor->live_registrations(), 0U);
}

TEST(IoWrapper, ARegularFileIsRefusedWithEpermAndClosed) {
  NoFdLeak no_leak;
  RunningReactor running;
  char path[] = "/tmp/art-reactor-XXXXXX";
  const int file = mkstemp(path);
  ASSERT_GE(file, 0);
  unlink(path);
  try {
    IoWrapper<OwnedFd> wrapper(OwnedFd(file), *running.reactor);
    FAIL() << "no error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code().value(), EPERM);
    EXPECT_NE(std::string(error.what()).find("regular file"), std::string::npos)
        << error.what();
  }
  // The wrapper owned the OwnedFd: its failed constructor closed it (NoFdLeak).
  EXPECT_EQ(running.reactor->live_registrations(), 0U);
}

// A T that does not own its fd: any type with fd() will do.
struct BorrowedFd {
  int number;
  int fd() const { return number; }
};

TEST(IoWrapper, TheSameFdTwiceIsRefusedWithEexist) {
  NoFdLeak no_leak;
  RunningReactor running;
  auto [read_end, write_end] = make_pipe();
  IoWrapper<OwnedFd> first(std::move(read_end), *running.reactor);
  try {
    IoWrapper<BorrowedFd> second(BorrowedFd{first.fd()}, *running.reactor);
    FAIL() << "no error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code().value(), EEXIST);
    EXPECT_NE(std::string(error.what()).find("one IoWrapper"), std::string::npos);
  }
  EXPECT_EQ(running.reactor->live_registrations(), 1U);
}

TEST(Ex12_3_IoWrapper, AReadOfAnFdClosedWhileRegisteredFailsWithEbadf) {
  NoFdLeak no_leak;
  RunningReactor running;
  auto [read_end, write_end] = make_pipe();
  IoWrapper<OwnedFd> reader(std::move(read_end), *running.reactor);
  ::close(reader.fd());  // behind the wrapper's back
  HandPoll hand;
  // Readiness kept from nothing: force a try by injecting a read edge.
  running.reactor->dispatch(reader.registration().token().pack(), EPOLLIN);
  std::array<std::byte, 1> byte{};
  auto read = reader.read(byte);
  try {
    (void)read.poll(hand.cx);
    FAIL() << "no error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code().value(), EBADF);
    EXPECT_NE(std::string(error.what()).find("read on fd"), std::string::npos);
  }
  (void)reader.get().release();  // closed already; the wrapper's removal tolerates it
}

// ANCHOR: tick_race_end_to_end
// The tick race end to end, on a real pipe and the real reactor thread: the
// call itself is the hook. It reads (EAGAIN: the readiness it was given is
// used up), then writes a byte into the pipe and waits until the reactor
// has dispatched that edge, and only then reports its EAGAIN. The clear
// that follows must fail, and the same poll must read the byte.
TEST(Ex12_3_IoWrapper, AnEdgeThatArrivesDuringTheCallSurvivesTheClearAfterIt) {
  NoFdLeak no_leak;
  RunningReactor running;
  Reactor& reactor = *running.reactor;
  auto [read_end, write_end] = make_pipe();
  IoWrapper<OwnedFd> reader(std::move(read_end), reactor);
  const int write_fd = write_end.fd();

  // Make the slot readable, then use the byte up behind its back.
  std::uint64_t seen = reactor.events_dispatched();
  ASSERT_EQ(::write(write_fd, "a", 1), 1);
  ASSERT_TRUE(eventually([&] { return reactor.events_dispatched() > seen; }));
  char sink = 0;
  ASSERT_EQ(::read(reader.fd(), &sink, 1), 1);

  int calls = 0;
  auto call = [&]() -> ssize_t {
    char byte = 0;
    const ssize_t n = ::read(reader.fd(), &byte, 1);
    if (++calls > 1 || n >= 0)
      return n;
    const std::uint64_t before = reactor.events_dispatched();
    if (::write(write_fd, "b", 1) != 1 ||
        !eventually([&] { return reactor.events_dispatched() > before; }))
      return n;  // (the test fails below)
    errno = EAGAIN;
    return -1;
  };
  HandPoll hand;
  auto future = reader.io(Direction::read, call);
  Poll<ssize_t> result = future.poll(hand.cx);
  ASSERT_TRUE(result.is_ready()) << "the clear after EAGAIN erased the edge that came "
                                    "during the call";
  EXPECT_EQ(result.value(), 1);
  EXPECT_EQ(calls, 2);
}
// ANCHOR_END: tick_race_end_to_end

TEST(Ex12_3_IoWrapper, EintrIsRetriedWithoutWaiting) {
  NoFdLeak no_leak;
  RunningReactor running;
  auto [read_end, write_end] = make_pipe();
  IoWrapper<OwnedFd> writer(std::move(write_end), *running.reactor);
  ASSERT_TRUE(eventually([&] { return running.reactor->events_dispatched() > 0; }));
  int calls = 0;
  HandPoll hand;
  auto future = writer.io(Direction::write, [&]() -> int {
    if (++calls == 1) {
      errno = EINTR;  // as a signal handler would leave it
      return -1;
    }
    return 7;
  });
  Poll<int> result = future.poll(hand.cx);
  ASSERT_TRUE(result.is_ready());
  EXPECT_EQ(result.value(), 7);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(hand.counting.wakes(), 0);
}

TEST(Ex12_3_IoWrapper, OtherErrorsAreThrownWithTheCallsName) {
  NoFdLeak no_leak;
  RunningReactor running;
  auto [read_end, write_end] = make_pipe();
  IoWrapper<OwnedFd> writer(std::move(write_end), *running.reactor);
  ASSERT_TRUE(eventually([&] { return running.reactor->events_dispatched() > 0; }));
  HandPoll hand;
  int calls = 0;
  auto future = writer.io(Direction::write, [&]() -> int {
    ++calls;
    errno = ENOSPC;
    return -1;
  });
  try {
    (void)future.poll(hand.cx);
    FAIL() << "no error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code().value(), ENOSPC);
    EXPECT_NE(
        std::string(error.what()).find("an IO call on fd " + std::to_string(writer.fd())),
        std::string::npos)
        << error.what();
  }
  EXPECT_EQ(calls, 1) << "an error is not a reason to try again";
  EXPECT_NE(writer.registration().slot().readiness(Direction::write).bits, 0)
      << "an error is not EAGAIN: the readiness is still good";
}

// The slot says readable, but the pipe is empty (someone else read the
// byte): the read's EAGAIN must forget that readiness and wait, with its
// waker stored, and the next byte must wake it.
TEST(Ex12_3_IoWrapper, AUsedUpReadinessIsForgottenAndTheNextEdgeWakesTheRead) {
  NoFdLeak no_leak;
  RunningReactor running;
  Reactor& reactor = *running.reactor;
  auto [read_end, write_end] = make_pipe();
  IoWrapper<OwnedFd> reader(std::move(read_end), reactor);
  reactor.dispatch(reader.registration().token().pack(), EPOLLIN);  // a stale edge
  HandPoll hand;
  std::array<std::byte, 4> buffer{};
  auto read = reader.read(buffer);
  ASSERT_TRUE(read.poll(hand.cx).is_pending()) << "an empty pipe has nothing to read";
  EXPECT_EQ(reader.registration().slot().readiness(Direction::read).bits, 0)
      << "EAGAIN must forget the readiness it used up";
  EXPECT_EQ(hand.counting.wakes(), 0) << "a wait is not a wake";

  ASSERT_EQ(::write(write_end.fd(), "x", 1), 1);
  ASSERT_TRUE(eventually([&] { return hand.counting.wakes() == 1; }))
      << "the read answered Pending without a waker stored: it waits for ever";
  Poll<std::size_t> got = read.poll(hand.cx);
  ASSERT_TRUE(got.is_ready());
  EXPECT_EQ(got.value(), 1U);
}

// A poll that answers Pending keeps its token, whether the slot had no
// readiness at all or the call said EAGAIN; a Ready one spends exactly one.
TEST(Ex12_3_IoWrapper, OnlyAReadyPollSpendsAToken) {
  NoFdLeak no_leak;
  RunningReactor running;
  Reactor& reactor = *running.reactor;
  auto [read_end, write_end] = make_pipe();
  IoWrapper<OwnedFd> reader(std::move(read_end), reactor);
  CountingWaker counting;
  const Waker waker = counting.waker();
  Budget budget(3);
  Context cx(waker, budget);
  std::array<std::byte, 4> buffer{};
  auto read = reader.read(buffer);
  ASSERT_TRUE(read.poll(cx).is_pending());  // no readiness yet
  EXPECT_EQ(budget.remaining(), 3U);
  // A stale edge: the call says EAGAIN.
  reactor.dispatch(reader.registration().token().pack(), EPOLLIN);
  ASSERT_TRUE(read.poll(cx).is_pending());
  EXPECT_EQ(budget.remaining(), 3U) << "a Pending poll spent a token";

  const std::uint64_t seen = reactor.events_dispatched();
  ASSERT_EQ(::write(write_end.fd(), "ab", 2), 2);
  ASSERT_TRUE(eventually([&] { return reactor.events_dispatched() > seen; }));
  ASSERT_TRUE(read.poll(cx).is_ready());
  EXPECT_EQ(budget.remaining(), 2U) << "a Ready poll spends one token";
}

TEST(IoWrapper, HalfCloseReadsZeroAndWritesStillGoThrough) {
  NoFdLeak no_leak;
  RunningReactor running;
  auto [ours, peer] = make_socketpair();
  IoWrapper<OwnedFd> socket(std::move(ours), *running.reactor);
  ASSERT_EQ(::shutdown(peer.fd(), SHUT_WR), 0);
  ASSERT_TRUE(eventually(
      [&] { return socket.registration().slot().readiness(Direction::read).bits != 0; }));
  HandPoll hand;
  std::array<std::byte, 8> buffer{};
  auto read = socket.read(buffer);
  Poll<std::size_t> got = read.poll(hand.cx);
  ASSERT_TRUE(got.is_ready());
  EXPECT_EQ(got.value(), 0U) << "end of stream reads 0";

  const std::array<std::byte, 3> reply{std::byte{1}, std::byte{2}, std::byte{3}};
  auto write = socket.write_all(reply);
  EXPECT_TRUE(write.poll(hand.cx).is_ready());
  std::array<std::byte, 3> received{};
  EXPECT_EQ(::read(peer.fd(), received.data(), received.size()), 3);
  EXPECT_EQ(received, reply);
}

TEST(IoWrapper, AWriteToAPeerThatIsGoneFailsWithEpipeInsteadOfASignal) {
  NoFdLeak no_leak;
  RunningReactor running;
  auto [ours, peer] = make_socketpair();
  IoWrapper<OwnedFd> socket(std::move(ours), *running.reactor);
  peer.reset();
  ASSERT_TRUE(eventually([&] {
    return socket.registration().slot().readiness(Direction::write).bits != 0;
  }));
  HandPoll hand;
  const std::array<std::byte, 4> bytes{};
  auto write = socket.write(bytes);
  try {
    (void)write.poll(hand.cx);  // a SIGPIPE would end the test program here
    FAIL() << "no error";
  } catch (const std::system_error& error) {
    EXPECT_EQ(error.code().value(), EPIPE);
    EXPECT_NE(std::string(error.what()).find("write on fd"), std::string::npos);
  }
}

TEST(IoWrapper, ReadExactThrowsWhenTheStreamEndsShort) {
  NoFdLeak no_leak;
  RunningReactor running;
  auto [ours, peer] = make_socketpair();
  IoWrapper<OwnedFd> socket(std::move(ours), *running.reactor);
  ASSERT_EQ(::write(peer.fd(), "ab", 2), 2);
  peer.reset();
  ASSERT_TRUE(eventually([&] {
    return (socket.registration().slot().readiness(Direction::read).bits &
            Readiness::read_closed) != 0;
  }));
  HandPoll hand;
  std::array<std::byte, 5> buffer{};
  auto read = socket.read_exact(buffer);
  try {
    (void)read.poll(hand.cx);
    FAIL() << "no error";
  } catch (const UnexpectedEof& error) {
    EXPECT_NE(std::string(error.what()).find("2 of 5"), std::string::npos)
        << error.what();
  }
}

// A stream that is always readable: every read is ready at once, so only
// the budget ends the poll. With 3 tokens the fourth read answers Pending
// and wakes its task.
TEST(Ex12_3_IoWrapper, IoFuturesSpendTheBudgetAndMakeAnAlwaysReadyStreamYield) {
  NoFdLeak no_leak;
  RunningReactor running;
  auto [ours, peer] = make_socketpair();
  IoWrapper<OwnedFd> socket(std::move(ours), *running.reactor);
  const std::array<char, 64> bytes{};
  ASSERT_EQ(::write(peer.fd(), bytes.data(), bytes.size()), 64);
  ASSERT_TRUE(eventually(
      [&] { return socket.registration().slot().readiness(Direction::read).bits != 0; }));
  CountingWaker counting;
  const Waker waker = counting.waker();
  Budget budget(3);
  Context cx(waker, budget);
  std::array<std::byte, 1> byte{};
  int ready = 0;
  for (int i = 0; i < 4; ++i) {
    auto read = socket.read(byte);
    if (read.poll(cx).is_ready())
      ++ready;
  }
  EXPECT_EQ(ready, 3);
  EXPECT_EQ(counting.wakes(), 1) << "the refused read must wake its task";
  EXPECT_EQ(budget.remaining(), 0U);
  int unread = 0;
  ASSERT_EQ(ioctl(socket.fd(), FIONREAD, &unread), 0);
  EXPECT_EQ(unread, 61) << "the refused read took bytes it did not hand over";
}

// The same inside a runtime: a task that reads an always-ready stream one
// byte at a time is polled again and again, not once.
Task<int> read_bytes(IoWrapper<OwnedFd>& socket, int count) {
  std::array<std::byte, 1> byte{};
  for (int i = 0; i < count; ++i)
    co_await socket.read(byte);
  co_return count;
}

TEST(Ex12_3_IoWrapper, ATaskReadingAnAlwaysReadyStreamIsMadeToYield) {
  NoFdLeak no_leak;
  Runtime runtime(RuntimeOptions{.workers = 1, .budget = 4});
  auto [ours, peer] = make_socketpair();
  IoWrapper<OwnedFd> socket(std::move(ours), runtime.reactor());
  const std::array<char, 40> bytes{};
  ASSERT_EQ(::write(peer.fd(), bytes.data(), bytes.size()), 40);
  const std::uint64_t polls_before = runtime.metrics().polls;
  EXPECT_EQ(runtime.block_on(read_bytes(socket, 40)), 40);
  EXPECT_GE(runtime.metrics().polls - polls_before, 10U) << "40 reads, 4 tokens a poll";
}

TEST(IoWrapper, ABigTransferThroughASocketpairArrivesByteForByte) {
  NoFdLeak no_leak;
  Runtime runtime(2);
  auto [left, right] = make_socketpair();
  IoWrapper<OwnedFd> sender(std::move(left), runtime.reactor());
  IoWrapper<OwnedFd> receiver(std::move(right), runtime.reactor());
  std::vector<unsigned char> sent(1 << 20);
  std::iota(sent.begin(), sent.end(), 0);
  std::vector<unsigned char> received(sent.size());
  auto send = runtime.spawn(
      [](IoWrapper<OwnedFd>& out, std::span<const unsigned char> data) -> Task<int> {
        co_await out.write_all(std::as_bytes(data));
        co_return 0;
      }(sender, sent));
  runtime.block_on(
      [](IoWrapper<OwnedFd>& in, std::span<unsigned char> data) -> Task<int> {
        co_await in.read_exact(std::as_writable_bytes(data));
        co_return 0;
      }(receiver, received));
  runtime.block_on(std::move(send));
  EXPECT_EQ(received, sent);
}

bool readable_in_slot(IoWrapper<OwnedFd>& wrapper) {
  return (wrapper.registration().slot().readiness(Direction::read).bits &
          Readiness::readable) != 0;
}

// A stream that gives back fewer bytes than asked for is drained: the read
// forgets the readiness itself, and the next read waits for a new event
// instead of making the call that could only say EAGAIN.
TEST(IoWrapper, AShortReadOfAStreamForgetsItsReadinessWithoutAnotherCall) {
  NoFdLeak no_leak;
  RunningReactor running;
  auto [read_end, write_end] = make_pipe();
  IoWrapper<OwnedFd> reader(std::move(read_end), *running.reactor);
  ASSERT_EQ(::write(write_end.fd(), "0123456789", 10), 10);
  ASSERT_TRUE(eventually([&] { return readable_in_slot(reader); }));
  HandPoll hand;
  std::array<std::byte, 64> buffer{};
  auto read = reader.read(buffer);
  Poll<std::size_t> got = read.poll(hand.cx);
  ASSERT_TRUE(got.is_ready());
  EXPECT_EQ(got.value(), 10U);
  EXPECT_EQ(
      reader.registration().slot().readiness(Direction::read).bits & Readiness::readable,
      0)
      << "a short read of a pipe left it marked readable";
  auto next = reader.read(buffer);
  EXPECT_TRUE(next.poll(hand.cx).is_pending());
}

// Datagrams are not a stream: a datagram shorter than the buffer says
// nothing about the next one, which must still be read without a new edge.
TEST(IoWrapper, AShortDatagramLeavesTheReadinessForTheNextOne) {
  NoFdLeak no_leak;
  RunningReactor running;
  std::array<int, 2> fds{};
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds.data()),
            0);
  OwnedFd sender(fds[1]);
  IoWrapper<OwnedFd> receiver{OwnedFd(fds[0]), *running.reactor};
  ASSERT_EQ(::send(sender.fd(), "first", 5, 0), 5);
  ASSERT_EQ(::send(sender.fd(), "again", 5, 0), 5);
  // Not "an event was dispatched": a new socket's first event may be writable.
  ASSERT_TRUE(eventually([&] { return readable_in_slot(receiver); }));
  HandPoll hand;
  std::array<std::byte, 64> buffer{};
  for (int datagram = 0; datagram < 2; ++datagram) {
    auto read = receiver.read(buffer);
    Poll<std::size_t> got = read.poll(hand.cx);
    ASSERT_TRUE(got.is_ready()) << "datagram " << datagram << " waited for an edge";
    EXPECT_EQ(got.value(), 5U);
  }
}

}  // namespace
}  // namespace art
