#pragma once

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <cstdint>
#include <string>

namespace periscope {

// Beast request body kept in a std::string that a connection reuses from one request to the
// next: the reader writes over the bytes the string already holds (the previous body) and only
// the part past them is zero-filled when the string grows, instead of string_body's zero fill of
// every byte of every body. Read-only (no writer); one reader per message, not thread-safe.
struct ReusedStringBody {
  using value_type = std::string;

  static std::uint64_t size(const value_type& body) { return body.size(); }

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& length, boost::beast::error_code& ec) {
      written_ = 0;
      ec = {};
      if (!length) return;
      if (*length > body_.max_size()) {
        ec = boost::beast::http::error::buffer_overflow;
        return;
      }
      if (body_.size() < *length) body_.resize(static_cast<size_t>(*length));
    }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
      const size_t n = boost::asio::buffer_size(buffers);
      if (n > body_.max_size() - written_) {
        ec = boost::beast::http::error::buffer_overflow;
        return 0;
      }
      // A body of unknown length (chunked) grows geometrically, like string_body's appends.
      if (body_.size() < written_ + n) body_.resize(std::max(written_ + n, 2 * body_.size()));
      written_ +=
          boost::asio::buffer_copy(boost::asio::buffer(body_.data() + written_, n), buffers);
      ec = {};
      return n;
    }

    void finish(boost::beast::error_code& ec) {
      body_.resize(written_);
      ec = {};
    }

   private:
    value_type& body_;
    size_t written_ = 0;
  };
};

}  // namespace periscope
