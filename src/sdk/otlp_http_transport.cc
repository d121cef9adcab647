#include <zlib.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "sdk/otlp_transport.h"

namespace periscope::trace::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct Url {
  std::string host;
  std::string port;
  std::string target;
};

std::optional<Url> ParseHttpUrl(std::string_view url, std::string* error) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    *error = "unsupported OTLP/HTTP endpoint (only http:// is supported): " + std::string(url);
    return std::nullopt;
  }
  url.remove_prefix(kScheme.size());
  size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  Url out;
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    out.port = std::string(authority.substr(colon + 1));
  } else {
    out.host = std::string(authority);
    out.port = "80";
  }
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.host.empty() || out.port.empty()) {
    *error = "malformed OTLP/HTTP endpoint: " + std::string(kScheme) + std::string(url);
    return std::nullopt;
  }
  return out;
}

int64_t RejectedCount(OtlpSignal signal, const std::string& body) {
  namespace c = ::opentelemetry::proto::collector;
  switch (signal) {
    case OtlpSignal::kTraces: {
      c::trace::v1::ExportTraceServiceResponse r;
      return r.ParseFromString(body) ? r.partial_success().rejected_spans() : 0;
    }
    case OtlpSignal::kLogs: {
      c::logs::v1::ExportLogsServiceResponse r;
      return r.ParseFromString(body) ? r.partial_success().rejected_log_records() : 0;
    }
    case OtlpSignal::kMetrics: {
      c::metrics::v1::ExportMetricsServiceResponse r;
      return r.ParseFromString(body) ? r.partial_success().rejected_data_points() : 0;
    }
  }
  return 0;
}

class HttpTransport final : public OtlpTransport {
 public:
  HttpTransport(const OtlpExporterOptions& options, OtlpSignal signal, Url url)
      : options_(options), signal_(signal), url_(std::move(url)) {
    request_ = {http::verb::post, url_.target, 11};
    request_.set(http::field::host, url_.host + ":" + url_.port);
    request_.set(http::field::user_agent, "periscope-cpp-sdk/0.1");
    request_.set(http::field::content_type, "application/x-protobuf");
    for (const auto& [k, v] : options_.headers) request_.set(k, v);
    if (options_.gzip) request_.set(http::field::content_encoding, "gzip");
    request_.keep_alive(true);
  }

  SendOutcome Send(std::string_view request) override {
    http::request<http::string_body>& req = request_;
    if (options_.gzip) {
      req.body() = GzipCompress(request);
    } else {
      req.body().assign(request.data(), request.size());  // reuses the body's capacity
    }
    req.prepare_payload();

    // A kept-alive connection may have been closed by the server meanwhile: one fresh retry.
    for (int attempt = 0;; ++attempt) {
      const bool reused = stream_.has_value();
      Exchange ex = Run(req);
      if (!ex.ec) return Interpret(ex.response);
      stream_.reset();
      if (!reused || attempt > 0) {
        SendOutcome out;
        out.result = {ExportResult::Code::kRetryable,
                      "OTLP/HTTP " + url_.host + ":" + url_.port + ": " + ex.ec.message(),
                      {}};
        return out;
      }
    }
  }

 private:
  struct Exchange {
    beast::error_code ec;
    http::response<http::string_body> response;
  };

  Exchange Run(const http::request<http::string_body>& req) {
    Exchange ex;
    asio::co_spawn(io_, Do(req, ex), [](std::exception_ptr) {});
    io_.restart();
    io_.run();
    return ex;
  }

  asio::awaitable<void> Do(const http::request<http::string_body>& req, Exchange& ex) {
    if (!stream_) {
      tcp::resolver resolver(io_);
      auto [rec, endpoints] = co_await resolver.async_resolve(url_.host, url_.port, kTuple);
      if (rec) {
        ex.ec = rec;
        co_return;
      }
      stream_.emplace(io_);
      stream_->expires_after(options_.timeout);
      auto [cec, ep] = co_await stream_->async_connect(endpoints, kTuple);
      if (cec) {
        ex.ec = cec;
        co_return;
      }
    }
    stream_->expires_after(options_.timeout);
    auto [wec, written] = co_await http::async_write(*stream_, req, kTuple);
    if (wec) {
      ex.ec = wec;
      co_return;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(4 << 20);
    auto [rec, read] = co_await http::async_read(*stream_, buffer_, parser, kTuple);
    if (rec) {
      ex.ec = rec;
      co_return;
    }
    ex.response = parser.release();
    if (!ex.response.keep_alive()) stream_.reset();
  }

  SendOutcome Interpret(const http::response<http::string_body>& res) {
    SendOutcome out;
    unsigned status = res.result_int();
    if (status >= 200 && status < 300) {
      out.rejected = RejectedCount(signal_, res.body());
      return out;
    }
    std::string message = "OTLP/HTTP " + url_.target + " returned " + std::to_string(status);
    if (!res.body().empty()) message += ": " + res.body().substr(0, 200);
    bool retryable = status == 429 || status == 502 || status == 503 || status == 504;
    out.result = {retryable ? ExportResult::Code::kRetryable : ExportResult::Code::kFailure,
                  std::move(message),
                  {}};
    if (retryable) {
      auto it = res.find(http::field::retry_after);
      if (it != res.end()) {
        std::string_view v = it->value();
        int64_t seconds = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
        if (ec == std::errc() && p == v.data() + v.size() && seconds >= 0) {
          out.result.retry_after = std::chrono::seconds(seconds);
        }
      }
    }
    return out;
  }

  const OtlpExporterOptions options_;
  const OtlpSignal signal_;
  const Url url_;
  // The request, headers set once; its body is replaced by each Send.
  http::request<http::string_body> request_;
  asio::io_context io_{1};
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

}  // namespace

std::string GzipCompress(std::string_view data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string DefaultEndpoint(OtlpProtocol protocol, OtlpSignal signal) {
  if (protocol == OtlpProtocol::kGrpc) return "http://localhost:4317";
  switch (signal) {
    case OtlpSignal::kTraces:
      return "http://localhost:4318/v1/traces";
    case OtlpSignal::kMetrics:
      return "http://localhost:4318/v1/metrics";
    case OtlpSignal::kLogs:
      return "http://localhost:4318/v1/logs";
  }
  return {};
}

std::unique_ptr<OtlpTransport> MakeHttpTransport(const OtlpExporterOptions& options,
                                                 OtlpSignal signal, std::string* error) {
  std::string endpoint = options.endpoint.empty()
                             ? DefaultEndpoint(OtlpProtocol::kHttpProtobuf, signal)
                             : options.endpoint;
  std::optional<Url> url = ParseHttpUrl(endpoint, error);
  if (!url) return nullptr;
  return std::make_unique<HttpTransport>(options, signal, std::move(*url));
}

}  // namespace periscope::trace::internal
