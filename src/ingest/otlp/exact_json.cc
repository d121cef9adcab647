#include "ingest/otlp/exact_json.h"

#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <string>

namespace periscope {

namespace {

// Boost.JSON's default DOM handler with exact doubles: Boost 1.81 parses doubles fast but may
// be off by an ULP, so the number text is re-read with std::from_chars. Not thread-safe.
class PreciseDomHandler {
 public:
  using error_code = boost::system::error_code;
  using string_view = boost::json::string_view;
  static constexpr size_t max_object_size = boost::json::object::max_size();
  static constexpr size_t max_array_size = boost::json::array::max_size();
  static constexpr size_t max_key_size = boost::json::string::max_size();
  static constexpr size_t max_string_size = boost::json::string::max_size();

  explicit PreciseDomHandler(boost::json::storage_ptr sp) : st(std::move(sp)) {}

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(size_t n, error_code&) {
    st.push_object(n);
    return true;
  }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(size_t n, error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(string_view s, size_t, error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(string_view s, size_t, error_code&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(string_view s, size_t, error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(string_view s, size_t, error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(string_view s, error_code&) {
    number_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(int64_t i, string_view, error_code&) {
    number_.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(uint64_t u, string_view, error_code&) {
    number_.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, string_view s, error_code&) {
    std::string_view text(s.data(), s.size());
    if (!number_.empty()) {
      number_.append(s.data(), s.size());
      text = number_;
    }
    double exact = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), exact);
    if (ec == std::errc() && end == text.data() + text.size()) d = exact;
    number_.clear();
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

  boost::json::value_stack st;

 private:
  std::string number_;
};

void LineAndColumn(std::string_view text, size_t offset, size_t* line, size_t* column) {
  *line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++*line;
      line_start = i + 1;
    }
  }
  *column = offset - line_start + 1;
}

}  // namespace

Status ParseJsonExact(std::string_view body, boost::json::storage_ptr storage, int max_depth,
                      boost::json::value* out) {
  boost::json::parse_options options;
  options.max_depth = static_cast<size_t>(max_depth);
  boost::json::basic_parser<PreciseDomHandler> parser(options, storage);
  parser.handler().st.reset(storage);
  boost::system::error_code ec;
  const size_t consumed = parser.write_some(false, body.data(), body.size(), ec);
  if (!ec && consumed < body.size()) ec = boost::json::error::extra_data;
  if (ec) {
    size_t line = 0, column = 0;
    LineAndColumn(body, consumed, &line, &column);
    return Status::InvalidArgument("invalid JSON at line {} column {} (byte {}): {}", line, column,
                                   consumed, ec.message());
  }
  *out = parser.handler().st.release();
  return Status::Ok();
}

}  // namespace periscope
