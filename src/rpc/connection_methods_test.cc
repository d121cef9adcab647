#include "rpc/connection_methods.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

namespace periscope::rpc::internal {
namespace {

std::shared_ptr<ServerImpl> ServerWith(int methods) {
  static boost::asio::io_context io;
  auto server = std::make_shared<ServerImpl>(io.get_executor(), ServerOptions{});
  for (int i = 0; i < methods; ++i) {
    server->handlers_.emplace("svc/M" + std::to_string(i), HandlerEntry{});
  }
  return server;
}

const trace::Tracer& TestTracer() {
  static trace::TracerProvider provider{trace::TracerProviderOptions{}};
  static const trace::Tracer tracer = provider.GetTracer("test");
  return tracer;
}

std::string AttributeText(const SpanTemplate& span, std::string_view key) {
  const trace::AttributeValue* value = trace::FindAttribute(*span.attributes(), key);
  const std::string* text = value ? value->get_if<std::string>() : nullptr;
  return text ? *text : "";
}

TEST(ConnectionMethodsTest, FindsTheHandlerAndTheServerSpanTemplate) {
  auto server = ServerWith(2);
  ConnectionMethods methods;
  const ConnectionMethods::Method& m1 =
      methods.Find(*server, "svc", "M1", "10.0.0.1:5000", &TestTracer());
  EXPECT_EQ(m1.handler, server->FindHandler("svc", "M1"));
  EXPECT_EQ(m1.span.name(), "svc/M1");
  EXPECT_EQ(AttributeText(m1.span, "rpc.method"), "M1");
  EXPECT_EQ(AttributeText(m1.span, "client.address"), "10.0.0.1:5000");
  const ConnectionMethods::Method& m0 =
      methods.Find(*server, "svc", "M0", "10.0.0.1:5000", &TestTracer());
  EXPECT_EQ(m0.handler, server->FindHandler("svc", "M0"));
  EXPECT_NE(m0.handler, m1.handler);
  // Found again: the same entry, whichever was looked up last.
  EXPECT_EQ(&methods.Find(*server, "svc", "M1", "10.0.0.1:5000", &TestTracer()), &m1);
  EXPECT_EQ(&methods.Find(*server, "svc", "M0", "10.0.0.1:5000", &TestTracer()), &m0);
}

TEST(ConnectionMethodsTest, UnknownMethodsHaveNoHandlerButASpanTemplate) {
  auto server = ServerWith(1);
  ConnectionMethods methods;
  const ConnectionMethods::Method& m = methods.Find(*server, "svc", "Nope", "", &TestTracer());
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_EQ(m.span.name(), "svc/Nope");
  // The same name in another service is another method.
  EXPECT_EQ(methods.Find(*server, "other", "M0", "", &TestTracer()).handler, nullptr);
  EXPECT_NE(methods.Find(*server, "svc", "M0", "", &TestTracer()).handler, nullptr);
}

TEST(ConnectionMethodsTest, UntracedServersBuildNoTemplate) {
  auto server = ServerWith(1);
  ConnectionMethods methods;
  const ConnectionMethods::Method& m = methods.Find(*server, "svc", "M0", "peer", nullptr);
  EXPECT_NE(m.handler, nullptr);
  EXPECT_TRUE(m.span.name().empty());
  EXPECT_EQ(m.span.attributes(), nullptr);
}

TEST(ConnectionMethodsTest, MethodsPastTheBoundAreStillAnsweredRight) {
  const int n = static_cast<int>(ConnectionMethods::kMaxEntries) + 8;
  auto server = ServerWith(n);
  ConnectionMethods methods;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < n; ++i) {
      const std::string name = "M" + std::to_string(i);
      const ConnectionMethods::Method& m = methods.Find(*server, "svc", name, "p", &TestTracer());
      ASSERT_EQ(m.handler, server->FindHandler("svc", name)) << name;
      ASSERT_EQ(m.span.name(), "svc/" + name);
    }
  }
}

}  // namespace
}  // namespace periscope::rpc::internal
