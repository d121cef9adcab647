#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

namespace periscope::rpc::internal {

// A strand over `executor`. Over an io_context's own executor type when that is what `executor`
// holds: such a strand (24 bytes) fits in any_io_executor's small-object buffer, so copying it,
// require/prefer (every async operation's work guard and post) and blocking queries do not
// allocate, unlike a strand over a type-erased executor.
inline boost::asio::any_io_executor MakeStrand(const boost::asio::any_io_executor& executor) {
  using IoExecutor = boost::asio::io_context::executor_type;
  if (const IoExecutor* io = executor.target<IoExecutor>()) {
    return boost::asio::any_io_executor(boost::asio::make_strand(*io));
  }
  return boost::asio::any_io_executor(boost::asio::make_strand(executor));
}

}  // namespace periscope::rpc::internal
