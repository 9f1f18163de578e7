// The reactor thread, its eventfd, registration and readiness futures.
#include "art/reactor.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <string>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "art/io_wrapper.hpp"
#include "art/owned_fd.hpp"
#include "art/runtime.hpp"
#include "art/task.hpp"
#include "test_support.hpp"

namespace art {
namespace {

using testing::CountingWaker;
using testing::eventually;
using testing::NoFdLeak;
using testing::make_pipe;
using testing::make_socketpair;
using testing::Pipe;
using testing::RunningReactor;

void write_byte(int fd, char byte = 'x') { ASSERT_EQ(::write(fd, &byte, 1), 1); }

TEST(Reactor, StopWakesALoopThatWaitsWithNoTimeout) {
  NoFdLeak no_leak;
  auto reactor = Reactor::create();
  reactor->start();
  // Nothing is registered and epoll_wait has no timeout: only the eventfd
  // can end the wait. A stop that did not write it would hang the test.
  reactor->stop();
  EXPECT_TRUE(reactor->stopped());
}

TEST(Reactor, AnEdgeThatCameBeforeAnyPollIsConsumedByTheFirstPoll) {
  NoFdLeak no_leak;
  RunningReactor running;
  Pipe pipe = make_pipe();
  IoWrapper<OwnedFd> reader(std::move(pipe.read_end), *running.reactor);
  const std::uint64_t before = running.reactor->events_dispatched();
  write_byte(pipe.write_end.fd());
  // The edge is dispatched while nobody waits: it must stay in the slot.
  ASSERT_TRUE(eventually([&] { return running.reactor->events_dispatched() > before; }));

  CountingWaker counting;
  const Waker waker = counting.waker();
  Context cx(waker);
  std::array<std::byte, 4> buffer{};
  auto read = reader.read(buffer);
  Poll<std::size_t> result = read.poll(cx);
  ASSERT_TRUE(result.is_ready()) << "an edge that came before the poll was lost";
  EXPECT_EQ(result.value(), 1U);
  EXPECT_EQ(counting.wakes(), 0);
}

TEST(Reactor, AnEventForAClosedFdsReusedSlotIsIgnored) {
  NoFdLeak no_leak;
  RunningReactor running;
  Reactor& reactor = *running.reactor;
  Pipe first = make_pipe();
  std::uint64_t old_token = 0;
  {
    IoWrapper<OwnedFd> gone(std::move(first.read_end), reactor);
    old_token = gone.registration().token().pack();
  }
  Pipe second = make_pipe();
  IoWrapper<OwnedFd> reader(std::move(second.read_end), reactor);
  ASSERT_EQ(reader.registration().token().index, IoToken::unpack(old_token).index);

  const std::uint64_t before = reactor.events_dispatched();
  reactor.dispatch(old_token, EPOLLIN);  // queued for the old fd, delivered late
  EXPECT_EQ(reactor.events_dispatched(), before);
  EXPECT_EQ(reader.registration().slot().readiness(Direction::read).bits, 0);
}

// A reader and a writer wait on one socket at once; each is woken by its
// own direction only.
Task<int> read_one(IoWrapper<OwnedFd>& socket, std::shared_ptr<std::atomic<bool>> done) {
  std::array<std::byte, 1> byte{};
  const std::size_t n = co_await socket.read(byte);
  done->store(true);
  co_return static_cast<int>(n);
}

Task<int> write_one(IoWrapper<OwnedFd>& socket, std::shared_ptr<std::atomic<bool>> done) {
  const std::array<std::byte, 1> byte{std::byte{'w'}};
  const std::size_t n = co_await socket.write(byte);
  done->store(true);
  co_return static_cast<int>(n);
}

TEST(Reactor, AReaderAndAWriterOnOneSocketAreWokenEachByItsOwnDirection) {
  NoFdLeak no_leak;
  Runtime runtime(2);
  auto [ours, peer] = make_socketpair();
  IoWrapper<OwnedFd> socket(std::move(ours), runtime.reactor());
  // Fill the send buffer: the writer must wait for the peer to read.
  const std::array<char, 4096> chunk{};
  std::size_t filled = 0;
  for (ssize_t n = 0; (n = ::write(socket.fd(), chunk.data(), chunk.size())) > 0;)
    filled += static_cast<std::size_t>(n);

  auto read_done = std::make_shared<std::atomic<bool>>(false);
  auto write_done = std::make_shared<std::atomic<bool>>(false);
  auto reader = runtime.spawn(read_one(socket, read_done));
  auto writer = runtime.spawn(write_one(socket, write_done));
  ASSERT_TRUE(eventually([&] { return runtime.metrics().polls >= 2; }));

  std::array<char, 4096> sink{};
  while (filled > 0) {  // the peer drains: only the writer's direction moves
    const ssize_t n = ::read(peer.fd(), sink.data(), sink.size());
    if (n > 0)
      filled -= static_cast<std::size_t>(n);
  }
  EXPECT_EQ(runtime.block_on(std::move(writer)), 1);
  EXPECT_FALSE(read_done->load()) << "the reader was done with nothing to read";

  write_byte(peer.fd());  // now the reader's
  EXPECT_EQ(runtime.block_on(std::move(reader)), 1);
}

TEST(Reactor, DestroyingAWrapperRemovesItsRegistration) {
  NoFdLeak no_leak;
  RunningReactor running;
  {
    Pipe pipe = make_pipe();
    IoWrapper<OwnedFd> reader(std::move(pipe.read_end), *running.reactor);
    IoWrapper<OwnedFd> writer(std::move(pipe.write_end), *running.reactor);
    EXPECT_EQ(running.reactor->live_registrations(), 2U);
  }
  EXPECT_EQ(running.reactor->live_registrations(), 0U);
}

// Registrations come and go for ever on a server: the slab's memory must
// follow how many are alive at once, whichever thread registers and
// whichever frees. Every path: made and dropped on this thread, made here
// and dropped on another thread, made and dropped on other threads.
TEST(Reactor, RegistrationsMadeAndFreedOnAnyThreadReuseTheirSlots) {
  NoFdLeak no_leak;
  RunningReactor running;
  Reactor& reactor = *running.reactor;
  constexpr int kRounds = 2'000;
  for (int i = 0; i < kRounds; ++i) {
    Pipe pipe = make_pipe();
    IoWrapper<OwnedFd> reader(std::move(pipe.read_end), reactor);
  }
  const std::size_t warmed_up = reactor.slots_used();
  EXPECT_EQ(warmed_up, 1U);
  for (int i = 0; i < kRounds; ++i) {
    Pipe pipe = make_pipe();
    auto reader = std::make_unique<IoWrapper<OwnedFd>>(std::move(pipe.read_end), reactor);
    std::thread([owned = std::move(reader)]() mutable { owned.reset(); }).join();
  }
  std::thread([&] {
    for (int i = 0; i < kRounds; ++i) {
      Pipe pipe = make_pipe();
      IoWrapper<OwnedFd> reader(std::move(pipe.read_end), reactor);
    }
  }).join();
  EXPECT_EQ(reactor.slots_used(), warmed_up)
      << "a freed slot was not reused: the slab grows with every registration";
  EXPECT_EQ(reactor.live_registrations(), 0U);
}

TEST(Reactor, ARegistrationAfterStopIsRefusedAndLeaksNothing) {
  NoFdLeak no_leak;
  auto reactor = Reactor::create();
  reactor->start();
  reactor->stop();
  Pipe pipe = make_pipe();
  EXPECT_THROW(IoWrapper<OwnedFd>(std::move(pipe.read_end), *reactor), ReactorShutDown);
  EXPECT_EQ(reactor->live_registrations(), 0U);
}

TEST(Reactor, AWrapperThatOutlivesItsRuntimeFailsItsWaitsWithAClearError) {
  NoFdLeak no_leak;
  Pipe pipe = make_pipe();
  std::optional<IoWrapper<OwnedFd>> reader;
  {
    Runtime runtime(1);
    reader.emplace(std::move(pipe.read_end), runtime.reactor());
  }  // shut down and gone; the wrapper keeps the reactor's state alive
  CountingWaker counting;
  const Waker waker = counting.waker();
  Context cx(waker);
  std::array<std::byte, 1> byte{};
  auto read = reader->read(byte);
  try {
    (void)read.poll(cx);
    FAIL() << "a read on a stopped reactor did not fail";
  } catch (const ReactorShutDown& error) {
    EXPECT_NE(std::string(error.what()).find("shut down"), std::string::npos);
  }
  reader.reset();
}

TEST(Reactor, AWaitPendingWhenTheReactorStopsIsWokenAndFails) {
  NoFdLeak no_leak;
  RunningReactor running;
  Pipe pipe = make_pipe();
  IoWrapper<OwnedFd> reader(std::move(pipe.read_end), *running.reactor);
  CountingWaker counting;
  const Waker waker = counting.waker();
  Context cx(waker);
  std::array<std::byte, 1> byte{};
  auto read = reader.read(byte);
  ASSERT_TRUE(read.poll(cx).is_pending());
  running.reactor->stop();
  EXPECT_EQ(counting.wakes(), 1);
  EXPECT_THROW((void)read.poll(cx), ReactorShutDown);
}

TEST(Reactor, IoObjectsMadeOutsideATaskWithoutAReactorAreRefusedClearly) {
  NoFdLeak no_leak;
  Pipe pipe = make_pipe();
  try {
    IoWrapper<OwnedFd> reader(std::move(pipe.read_end));
    FAIL() << "no error";
  } catch (const std::logic_error& error) {
    EXPECT_NE(std::string(error.what()).find("runtime.reactor()"), std::string::npos);
  }
}

}  // namespace
}  // namespace art
