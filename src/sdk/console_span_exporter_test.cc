#include <gtest/gtest.h>

#include <sstream>

#include "periscope/trace.h"
#include "periscope/trace/console.h"

namespace periscope::trace {
namespace {

SpanData ChargeSpan() {
  SpanData span;
  span.context.trace_id = *TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
  span.context.span_id = *SpanId::FromHex("00f067aa0ba902b7");
  span.parent_span_id = *SpanId::FromHex("53995c3f42cd8ad8");
  span.name = "charge \"card\"";
  span.kind = SpanKind::kClient;
  span.start_time = Timestamp(std::chrono::seconds(1700000000));
  span.end_time = span.start_time + std::chrono::microseconds(12345);
  span.shared_attributes = std::make_shared<const Attributes>(Attributes{{"rpc.system", "grpc"}});
  span.attributes = {{"amount", 12.5},
                     {"retries", 2},
                     {"ok", false},
                     {"note", "two\nlines"},
                     {"digest", Bytes{{0xde, 0xad}}},
                     {"tags", AttributeArray{"new", 7}},
                     {"cart", Attributes{{"items", 3}}}};
  span.status = StatusCode::kError;
  span.status_message = "declined";
  return span;
}

TEST(ConsoleSpanExporterTest, WritesOneReadableLinePerSpan) {
  std::ostringstream out;
  ConsoleSpanExporter exporter(out);
  SpanData root;
  root.context.trace_id = *TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
  root.context.span_id = *SpanId::FromHex("53995c3f42cd8ad8");
  root.name = "GET /orders";
  root.kind = SpanKind::kServer;
  root.start_time = Timestamp(std::chrono::seconds(1700000000));
  root.end_time = root.start_time + std::chrono::milliseconds(20);
  const SpanData spans[] = {ChargeSpan(), root};

  ASSERT_TRUE(exporter.Export(spans).ok());

  EXPECT_EQ(out.str(),
            "span \"charge \\\"card\\\"\" trace_id=4bf92f3577b34da6a3ce929d0e0e4736 "
            "span_id=00f067aa0ba902b7 parent=53995c3f42cd8ad8 kind=client duration=12.345ms "
            "status=error \"declined\" attributes={rpc.system=\"grpc\", amount=12.5, retries=2, "
            "ok=false, note=\"two\\nlines\", digest=0xdead, tags=[\"new\", 7], cart={items=3}}\n"
            "span \"GET /orders\" trace_id=4bf92f3577b34da6a3ce929d0e0e4736 "
            "span_id=53995c3f42cd8ad8 parent=none kind=server duration=20.000ms status=unset "
            "attributes={}\n");
}

TEST(ConsoleSpanExporterTest, ReportsAFailedStream) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  ConsoleSpanExporter exporter(out);
  const SpanData span = ChargeSpan();
  EXPECT_FALSE(exporter.Export({&span, 1}).ok());
}

TEST(ConsoleSpanExporterTest, ReceivesEndedSpansThroughAProcessor) {
  std::ostringstream out;
  TracerProvider provider({.processors = {std::make_shared<SimpleSpanProcessor>(
                               std::make_shared<ConsoleSpanExporter>(out))}});
  Tracer tracer = provider.GetTracer("console-test");
  {
    ScopedSpan parent(tracer, "parent");
    ScopedSpan child(tracer, "child", {.attributes = {{"i", 1}}});
    child->SetStatus(StatusCode::kOk);
  }
  provider.Shutdown();
  const std::string text = out.str();
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_EQ(text.find("span \"child\" "), 0u);
  EXPECT_NE(text.find(" kind=internal "), std::string::npos);
  EXPECT_NE(text.find(" status=ok attributes={i=1}\n"), std::string::npos);
  const size_t parent_line = text.find("\nspan \"parent\" ");
  ASSERT_NE(parent_line, std::string::npos);
  const size_t parent_id = text.find("span_id=", parent_line) + 8;
  EXPECT_NE(text.find("parent=" + text.substr(parent_id, 16) + " "), std::string::npos);
}

}  // namespace
}  // namespace periscope::trace
