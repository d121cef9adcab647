#include <zlib.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>

#include "sdk/otlp_partial_success.h"
#include "sdk/otlp_tls_context.h"
#include "sdk/otlp_transport.h"
#include "sdk/tls_files.h"

namespace periscope::trace::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct Url {
  bool tls = false;
  std::string host;  // without the brackets of an IPv6 address
  std::string port;
  std::string target;
};

std::optional<Url> ParseHttpUrl(std::string_view url, std::string* error) {
  const std::string full(url);
  Url out;
  if (url.starts_with("https://")) {
    out.tls = true;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    *error = "unsupported OTLP/HTTP endpoint (only http:// and https:// are supported): " + full;
    return std::nullopt;
  }
  size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    out.port = std::string(authority.substr(colon + 1));
  } else {
    out.host = std::string(authority);
    out.port = out.tls ? "443" : "80";
  }
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (out.host.empty() || out.port.empty()) {
    *error = "malformed OTLP/HTTP endpoint: " + full;
    return std::nullopt;
  }
  return out;
}

// host:port as an HTTP Host header and in messages: an IPv6 address in brackets.
std::string Authority(const Url& url) {
  const bool ipv6 = url.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + url.host + "]" : url.host) + ":" + url.port;
}

class HttpTransport final : public OtlpTransport {
 public:
  // tls: the TLS context of an https:// URL, else null.
  HttpTransport(const OtlpExporterOptions& options, OtlpSignal signal, Url url,
                std::unique_ptr<ssl::context> tls)
      : options_(options), signal_(signal), url_(std::move(url)), tls_context_(std::move(tls)) {
    request_ = {http::verb::post, url_.target, 11};
    request_.set(http::field::host, Authority(url_));
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
      const bool reused = connected();
      Exchange ex = Run(req);
      if (!ex.ec) return Interpret(ex.response);
      Disconnect();
      if (!reused || attempt > 0) {
        SendOutcome out;
        out.result = {ex.permanent ? ExportResult::Code::kFailure : ExportResult::Code::kRetryable,
                      std::string(url_.tls ? "OTLP/HTTPS " : "OTLP/HTTP ") + Authority(url_) +
                          ": " + ex.error,
                      {}};
        return out;
      }
    }
  }

 private:
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;

  struct Exchange {
    beast::error_code ec;
    std::string error;       // what went wrong, when ec is set
    bool permanent = false;  // a failure that retrying will not cure (TLS verification, an
                             // unknown host name, ...)
    http::response<http::string_body> response;

    void Fail(beast::error_code code, std::string what) {
      ec = code;
      error = std::move(what);
    }
  };

  bool connected() const { return plain_.has_value() || tls_.has_value(); }
  void Disconnect() {
    plain_.reset();
    tls_.reset();
  }
  beast::tcp_stream& tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

  Exchange Run(const http::request<http::string_body>& req) {
    Exchange ex;
    asio::co_spawn(io_, Do(req, ex), [](std::exception_ptr) {});
    io_.restart();
    io_.run();
    return ex;
  }

  asio::awaitable<void> Do(const http::request<http::string_body>& req, Exchange& ex) {
    if (!connected()) {
      co_await Connect(ex);
      if (ex.ec) co_return;
    }
    tcp().expires_after(options_.timeout);
    if (tls_) {
      co_await WriteAndRead(*tls_, req, ex);
    } else {
      co_await WriteAndRead(*plain_, req, ex);
    }
    if (!ex.ec && !ex.response.keep_alive()) Disconnect();
  }

  // Resolves, connects and, for https, completes the TLS handshake, within one timeout.
  asio::awaitable<void> Connect(Exchange& ex) {
    tcp::resolver resolver(io_);
    auto [rec, endpoints] = co_await resolver.async_resolve(url_.host, url_.port, kTuple);
    if (rec == asio::error::host_not_found) {
      // The name does not exist (NXDOMAIN): retrying within this export cannot help.
      ex.Fail(rec, "cannot resolve the host name: " + rec.message());
      ex.permanent = true;
      co_return;
    }
    if (rec) {
      ex.Fail(rec, rec.message());
      co_return;
    }
    beast::tcp_stream stream(io_);
    stream.expires_after(options_.timeout);
    auto [cec, ep] = co_await stream.async_connect(endpoints, kTuple);
    if (cec) {
      ex.Fail(cec, cec.message());
      co_return;
    }
    if (!tls_context_) {
      plain_.emplace(std::move(stream));
      co_return;
    }
    tls_.emplace(std::move(stream), *tls_context_);
    std::string error;
    if (!PrepareTlsConnection(tls_->native_handle(), url_.host, &error)) {
      ex.Fail(asio::error::invalid_argument, std::move(error));
      ex.permanent = true;
      co_return;
    }
    auto [hec] = co_await tls_->async_handshake(ssl::stream_base::client, kTuple);
    if (hec) {
      ex.Fail(hec, "TLS handshake failed: " + DescribeTlsError(hec, tls_->native_handle()));
      ex.permanent = IsPermanentTlsError(hec);
    }
  }

  template <class Stream>
  asio::awaitable<void> WriteAndRead(Stream& stream, const http::request<http::string_body>& req,
                                     Exchange& ex) {
    auto [wec, written] = co_await http::async_write(stream, req, kTuple);
    if (wec) {
      ex.Fail(wec, wec.message());
      ex.permanent = IsPermanentTlsError(wec);
      co_return;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(4 << 20);
    auto [rec, read] = co_await http::async_read(stream, buffer_, parser, kTuple);
    if (rec) {
      ex.Fail(rec, rec.message());
      ex.permanent = IsPermanentTlsError(rec);
      co_return;
    }
    ex.response = parser.release();
  }

  SendOutcome Interpret(const http::response<http::string_body>& res) {
    SendOutcome out;
    unsigned status = res.result_int();
    if (status >= 200 && status < 300) {
      ReadPartialSuccess(signal_, res.body(), &out);
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
  const std::unique_ptr<ssl::context> tls_context_;
  // The request, headers set once; its body is replaced by each Send.
  http::request<http::string_body> request_;
  asio::io_context io_{1};
  // The kept-alive connection, if any: plain_ for http://, tls_ for https://.
  std::optional<beast::tcp_stream> plain_;
  std::optional<TlsStream> tls_;
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
  std::unique_ptr<ssl::context> tls;
  if (url->tls) {
    std::optional<TlsPem> pem = ReadTlsFiles(options.tls, error);
    if (!pem) return nullptr;
    tls = MakeTlsClientContext(*pem, error);
    if (!tls) return nullptr;
  }
  return std::make_unique<HttpTransport>(options, signal, std::move(*url), std::move(tls));
}

}  // namespace periscope::trace::internal
