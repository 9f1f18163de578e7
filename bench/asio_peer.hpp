// asio_peer.hpp: what the two Asio programs (posted handlers, and awaitables)
// share about driving an io_context through one benchmark iteration.
#pragma once

#include <boost/asio/io_context.hpp>

namespace art::bench {

// Runs every handler queued on ctx, then makes the context runnable again for the next
// iteration: run() returns once it is out of work, and leaves it stopped until restart().
inline void run_all(boost::asio::io_context& ctx) {
  ctx.run();
  ctx.restart();
}

}  // namespace art::bench
