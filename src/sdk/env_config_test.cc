#include "sdk/env_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <thread>

#include "loadgen/otlp_sink_testing.h"
#include "periscope/trace.h"
#include "sdk/captured_diagnostics.h"
#include "sdk/env_reader.h"

namespace periscope::trace {
namespace {

using Vars = std::map<std::string, std::string>;

EnvGetter FakeEnv(Vars vars) {
  return [vars](std::string_view k) -> std::optional<std::string> {
    auto it = vars.find(std::string(k));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// vars plus an OTLP/HTTP endpoint at `sink`.
EnvGetter SinkEnv(const periscope::testing::OtlpTestSink& sink, Vars vars) {
  vars["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://" + sink.http_target();
  return FakeEnv(std::move(vars));
}

// Starts and ends a root span and a child; returns whether they were recording.
bool RecordTwoSpans(TracerProvider& provider) {
  Tracer tracer = provider.GetTracer("env-config-test");
  ScopedSpan root(tracer, "root");
  ScopedSpan child(tracer, "child");
  return root->IsRecording() && child->IsRecording();
}

TEST(EnvReaderTest, FlagIsTrueOnlyForTrueInAnyCase) {
  struct Case {
    std::string value;
    bool expected;
    bool warns;
  };
  const Case cases[] = {{"true", true, false},   {"TRUE", true, false},   {"True", true, false},
                        {"false", false, false}, {"FALSE", false, false}, {"", false, false},
                        {"1", false, true},      {"yes", false, true},    {" true", false, true}};
  for (const Case& c : cases) {
    std::vector<std::string> warnings;
    const EnvGetter env = FakeEnv({{"OTEL_SDK_DISABLED", c.value}});
    EXPECT_EQ(internal::EnvReader(env, &warnings).Flag("OTEL_SDK_DISABLED"), c.expected) << c.value;
    EXPECT_EQ(warnings.size(), c.warns ? 1u : 0u) << c.value;
  }
}

TEST(EnvReaderTest, BooleanIsTrueOrFalseInAnyCaseElseUnset) {
  struct Case {
    std::string value;
    std::optional<bool> expected;
    bool warns;
  };
  const Case cases[] = {{"true", true, false},        {"TRUE", true, false},
                        {"False", false, false},      {"", std::nullopt, false},
                        {"1", std::nullopt, true},    {"no", std::nullopt, true},
                        {"true ", std::nullopt, true}};
  for (const Case& c : cases) {
    std::vector<std::string> warnings;
    const EnvGetter env = FakeEnv({{"B", c.value}});
    EXPECT_EQ(internal::EnvReader(env, &warnings).Boolean("B"), c.expected) << c.value;
    EXPECT_EQ(warnings.size(), c.warns ? 1u : 0u) << c.value;
  }
}

TEST(EnvReaderTest, IntegerKeepsOnlyWholeNumbersInRange) {
  struct Case {
    std::string value;
    int64_t min;
    std::optional<int64_t> expected;
    bool warns;
  };
  const Case cases[] = {{"5", 0, 5, false},
                        {"0", 0, 0, false},
                        {"2147483647", 0, 2147483647, false},
                        {"0", 1, std::nullopt, true},
                        {"-1", 0, std::nullopt, true},
                        {"abc", 0, std::nullopt, true},
                        {"12abc", 0, std::nullopt, true},
                        {"1.5", 0, std::nullopt, true},
                        {"", 0, std::nullopt, false}};
  for (const Case& c : cases) {
    std::vector<std::string> warnings;
    const EnvGetter env = FakeEnv({{"N", c.value}});
    EXPECT_EQ(internal::EnvReader(env, &warnings).Integer("N", c.min), c.expected) << c.value;
    EXPECT_EQ(warnings.size(), c.warns ? 1u : 0u) << c.value;
  }
}

TEST(EnvReaderTest, NameListKeepsKnownNamesOnceInOrder) {
  using Names = std::optional<std::vector<std::string>>;
  struct Case {
    std::optional<std::string> value;
    Names expected;
    size_t warnings;
  };
  const Case cases[] = {
      {std::nullopt, std::nullopt, 0},
      {"", std::nullopt, 0},
      {"b", Names({"b"}), 0},
      {" B , a,b,,A ", Names({"b", "a"}), 0},
      {"none", Names({"none"}), 0},
      {"a,none", Names({"a"}), 1},
      {"zipkin,a", Names({"a"}), 1},
      {"zipkin", std::nullopt, 2},  // the unknown name, then the whole value
  };
  for (const Case& c : cases) {
    std::vector<std::string> warnings;
    const EnvGetter env = c.value ? FakeEnv({{"LIST", *c.value}}) : FakeEnv({});
    EXPECT_EQ(internal::EnvReader(env, &warnings).NameList("LIST", {"a", "b", "none"}), c.expected)
        << c.value.value_or("<unset>");
    EXPECT_EQ(warnings.size(), c.warnings) << c.value.value_or("<unset>");
  }
}

TEST(SpanLimitsFromEnvTest, SpanVariablesWinAndBadValuesKeepTheDefault) {
  struct Case {
    Vars env;
    size_t attributes, events, links, value_length;
  };
  const Case cases[] = {
      {{}, 128, 128, 128, 0},
      {{{"OTEL_ATTRIBUTE_COUNT_LIMIT", "10"}}, 10, 128, 128, 0},
      {{{"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "5"}, {"OTEL_ATTRIBUTE_COUNT_LIMIT", "10"}},
       5,
       128,
       128,
       0},
      {{{"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "many"}, {"OTEL_ATTRIBUTE_COUNT_LIMIT", "10"}},
       10,
       128,
       128,
       0},
      {{{"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "-1"}}, 128, 128, 128, 0},
      {{{"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "0"}}, 0, 128, 128, 0},
      {{{"OTEL_SPAN_EVENT_COUNT_LIMIT", "3"}}, 128, 3, 128, 0},
      {{{"OTEL_SPAN_LINK_COUNT_LIMIT", "2"}}, 128, 128, 2, 0},
      {{{"OTEL_SPAN_LINK_COUNT_LIMIT", "2x"}}, 128, 128, 128, 0},
      {{{"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "64"}}, 128, 128, 128, 64},
      {{{"OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "16"},
        {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "64"}},
       128,
       128,
       128,
       16},
      {{{"OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "0"}}, 128, 128, 128, 0},
      {{{"OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "1"}, {"OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "1"}},
       128,
       128,
       128,
       0},
  };
  for (const Case& c : cases) {
    const SpanLimits limits = SpanLimitsFromEnv(FakeEnv(c.env));
    const std::string where =
        c.env.empty() ? "{}" : c.env.begin()->first + "=" + c.env.begin()->second;
    EXPECT_EQ(limits.max_attributes, c.attributes) << where;
    EXPECT_EQ(limits.max_events, c.events) << where;
    EXPECT_EQ(limits.max_links, c.links) << where;
    EXPECT_EQ(limits.max_attribute_value_length, c.value_length) << where;
  }
}

TEST(SpanLimitsFromEnvTest, ProviderFromEnvAppliesThem) {
  periscope::testing::OtlpTestSink sink({.keep_requests = true});
  auto provider =
      MakeTracerProviderFromEnv(SinkEnv(sink, {{"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "1"},
                                               {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "3"}}));
  {
    ScopedSpan span(provider->GetTracer("limits"), "limited");
    span->SetAttribute("kept", "abcdef");
    span->SetAttribute("dropped", 1);
  }
  ASSERT_TRUE(provider->Shutdown());
  const auto requests = sink.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& span = requests[0].resource_spans(0).scope_spans(0).spans(0);
  ASSERT_EQ(span.attributes_size(), 1);
  EXPECT_EQ(span.attributes(0).value().string_value(), "abc");
  EXPECT_EQ(span.dropped_attributes_count(), 1u);
}

TEST(TracesExporterFromEnvTest, NamesChooseTheExporters) {
  using Kind = internal::TraceExporterKind;
  struct Case {
    std::optional<std::string> value;
    std::vector<Kind> expected;
  };
  const Case cases[] = {
      {std::nullopt, {Kind::kOtlp}},
      {"", {Kind::kOtlp}},
      {"otlp", {Kind::kOtlp}},
      {"none", {}},
      {"console", {Kind::kConsole}},
      {"Console, OTLP", {Kind::kConsole, Kind::kOtlp}},
      {"otlp,otlp", {Kind::kOtlp}},
      {"zipkin,console", {Kind::kConsole}},
      {"none,console", {Kind::kConsole}},
      {"zipkin", {Kind::kOtlp}},  // no known name: the default
      {"logging", {Kind::kOtlp}},
  };
  for (const Case& c : cases) {
    const EnvGetter env = c.value ? FakeEnv({{"OTEL_TRACES_EXPORTER", *c.value}}) : FakeEnv({});
    EXPECT_EQ(internal::ReadTracerEnvConfig(env).exporters, c.expected)
        << c.value.value_or("<unset>");
  }
}

TEST(TracesExporterFromEnvTest, NoneRecordsSpansButExportsNothing) {
  periscope::testing::OtlpTestSink sink;
  auto provider = MakeTracerProviderFromEnv(SinkEnv(sink, {{"OTEL_TRACES_EXPORTER", "none"}}));
  EXPECT_TRUE(RecordTwoSpans(*provider));
  EXPECT_TRUE(provider->Shutdown());
  EXPECT_EQ(sink.http_requests(), 0u);
}

TEST(TracesExporterFromEnvTest, ConsoleWritesEachSpanToStderrBesideOtlp) {
  periscope::testing::OtlpTestSink sink;
  auto provider =
      MakeTracerProviderFromEnv(SinkEnv(sink, {{"OTEL_TRACES_EXPORTER", "console,otlp"}}));
  ::testing::internal::CaptureStderr();
  RecordTwoSpans(*provider);
  const std::string written = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(provider->Shutdown());
  EXPECT_EQ(written.find("span \"child\" trace_id="), 0u) << written;
  EXPECT_NE(written.find("\nspan \"root\" trace_id="), std::string::npos) << written;
  EXPECT_EQ(sink.http_spans(), 2u);
}

TEST(SdkDisabledTest, OnlyTrueDisablesTheSdk) {
  struct Case {
    std::string value;
    bool records;
    uint64_t exported;
  };
  const Case cases[] = {
      {"true", false, 0}, {"TRUE", false, 0}, {"false", true, 2}, {"1", true, 2}, {"", true, 2}};
  for (const Case& c : cases) {
    periscope::testing::OtlpTestSink sink;
    auto provider = MakeTracerProviderFromEnv(
        SinkEnv(sink, {{"OTEL_SDK_DISABLED", c.value}, {"OTEL_LOG_LEVEL", "none"}}));
    EXPECT_EQ(RecordTwoSpans(*provider), c.records) << c.value;
    EXPECT_TRUE(provider->Shutdown());
    EXPECT_EQ(sink.http_spans(), c.exported) << c.value;
  }
}

TEST(SdkDisabledTest, ReadsNothingButThePropagators) {
  const internal::TracerEnvConfig config =
      internal::ReadTracerEnvConfig(FakeEnv({{"OTEL_SDK_DISABLED", "true"},
                                             {"OTEL_TRACES_EXPORTER", "console"},
                                             {"OTEL_SPAN_EVENT_COUNT_LIMIT", "bad"},
                                             {"OTEL_PROPAGATORS", "baggage"}}));
  EXPECT_TRUE(config.disabled);
  EXPECT_TRUE(config.exporters.empty());
  EXPECT_TRUE(config.warnings.empty());
  EXPECT_EQ(config.propagators, std::vector<std::string>{"baggage"});
}

// The fields `propagator` injects for a sampled span with tracestate and baggage.
std::vector<std::string> InjectedFields(const TextMapPropagator& propagator) {
  SpanContext span;
  span.trace_id = *TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
  span.span_id = *SpanId::FromHex("00f067aa0ba902b7");
  span.flags.value = TraceFlags::kSampled;
  span.trace_state = *TraceState::Parse("vendor=1");
  const Context context =
      Context().WithRemoteSpanContext(span).WithBaggage(Baggage().Set("tenant", "acme"));
  std::map<std::string, std::string> headers;
  MapCarrier carrier(headers);
  propagator.Inject(context, carrier);
  std::vector<std::string> fields;
  for (const auto& [key, value] : headers) fields.push_back(key);
  return fields;
}

TEST(PropagatorFromEnvTest, InjectsOnlyTheNamedFields) {
  using Fields = std::vector<std::string>;
  const Fields all = {"baggage", "traceparent", "tracestate"};
  struct Case {
    std::optional<std::string> value;
    Fields expected;
  };
  const Case cases[] = {
      {std::nullopt, all},
      {"", all},
      {"tracecontext,baggage", all},
      {"baggage, TraceContext", all},
      {"tracecontext", {"traceparent", "tracestate"}},
      {"baggage", {"baggage"}},
      {"none", {}},
      {"b3,baggage", {"baggage"}},
      {"b3", all},  // no known name: the default
      {"jaeger,xray,none", {}},
  };
  for (const Case& c : cases) {
    const EnvGetter env = c.value ? FakeEnv({{"OTEL_PROPAGATORS", *c.value}}) : FakeEnv({});
    EXPECT_EQ(InjectedFields(*PropagatorFromEnv(env)), c.expected) << c.value.value_or("<unset>");
  }
}

TEST(PropagatorFromEnvTest, ProviderFromEnvKeepsTheDefaultGlobalPropagator) {
  if (!internal::GlobalPropagatorIsDefault()) GTEST_SKIP() << "a test replaced it already";
  for (const char* value : {"", "tracecontext,baggage", "b3"}) {
    MakeTracerProviderFromEnv(FakeEnv({{"OTEL_PROPAGATORS", value},
                                       {"OTEL_TRACES_EXPORTER", "none"},
                                       {"OTEL_LOG_LEVEL", "none"}}));
    EXPECT_TRUE(internal::GlobalPropagatorIsDefault()) << value;
  }
}

// In a child process: replacing the global propagator would change it for every later test.
// "threadsafe" runs the child from a fresh start, not a fork of a process with gRPC's threads.
TEST(PropagatorFromEnvDeathTest, ProviderFromEnvInstallsTheNamedPropagators) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        MakeTracerProviderFromEnv(
            FakeEnv({{"OTEL_PROPAGATORS", "baggage"}, {"OTEL_TRACES_EXPORTER", "none"}}));
        const std::vector<std::string> fields = InjectedFields(*GetGlobalPropagator());
        std::_Exit(fields == std::vector<std::string>{"baggage"} ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(EnvConfigWarningsTest, NameEachIgnoredValueAndWhy) {
  struct Case {
    Vars env;
    std::vector<std::string> expected;
  };
  const Case cases[] = {
      {{}, {}},
      {{{"OTEL_TRACES_EXPORTER", "otlp,console,none"}, {"OTEL_PROPAGATORS", "tracecontext"}},
       {"OTEL_TRACES_EXPORTER=\"none\" ignored: not with other names"}},
      {{{"OTEL_TRACES_EXPORTER", "zipkin,console"}},
       {"OTEL_TRACES_EXPORTER=\"zipkin\" ignored: unknown name (known: otlp, console, none)"}},
      {{{"OTEL_TRACES_EXPORTER", "Zipkin"}},
       {"OTEL_TRACES_EXPORTER=\"zipkin\" ignored: unknown name (known: otlp, console, none)",
        "OTEL_TRACES_EXPORTER=\"Zipkin\" ignored: no known name, the default applies"}},
      {{{"OTEL_PROPAGATORS", "b3,baggage"}},
       {"OTEL_PROPAGATORS=\"b3\" ignored: unknown name (known: tracecontext, baggage, none)"}},
      {{{"OTEL_SDK_DISABLED", "yes"}},
       {"OTEL_SDK_DISABLED=\"yes\" ignored: not true or false, false assumed"}},
      {{{"OTEL_SPAN_EVENT_COUNT_LIMIT", "-3"}},
       {"OTEL_SPAN_EVENT_COUNT_LIMIT=\"-3\" ignored: not an integer >= 0"}},
      {{{"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "0"}},
       {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT=\"0\" ignored: a limit of 0 is not supported, values "
        "are not cut"}},
      {{{"OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "4"}},
       {"OTEL_LINK_ATTRIBUTE_COUNT_LIMIT=\"4\" ignored: not supported, event and link attributes "
        "are not limited"}},
      {{{"OTEL_TRACES_SAMPLER", "xray"}},
       {"OTEL_TRACES_SAMPLER=\"xray\" ignored: unknown sampler, parentbased_always_on used"}},
      {{{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "2"}},
       {"OTEL_TRACES_SAMPLER_ARG=\"2\" ignored: not a ratio in [0, 1], 1.0 used"}},
      {{{"OTEL_TRACES_SAMPLER", "always_on"}, {"OTEL_TRACES_SAMPLER_ARG", "2"}}, {}},
      {{{"OTEL_BSP_MAX_QUEUE_SIZE", "0"}},
       {"OTEL_BSP_MAX_QUEUE_SIZE=\"0\" ignored: not an integer >= 1"}},
      {{{"OTEL_TRACES_EXPORTER", "console"}, {"OTEL_BSP_MAX_QUEUE_SIZE", "0"}}, {}},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"}},
       {"OTEL_EXPORTER_OTLP_PROTOCOL=\"http/json\" ignored: unsupported protocol (grpc, "
        "http/protobuf), http/protobuf used"}},
      {{{"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "soon"}, {"OTEL_EXPORTER_OTLP_TIMEOUT", "100"}},
       {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT=\"soon\" ignored: not an integer >= 1"}},
      {{{"OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"}},
       {"OTEL_EXPORTER_OTLP_COMPRESSION=\"zstd\" ignored: unsupported compression (gzip, none), "
        "none used"}},
      {{{"OTEL_EXPORTER_OTLP_COMPRESSION", "none"}}, {}},
      {{{"OTEL_EXPORTER_OTLP_INSECURE", "yes"}},
       {"OTEL_EXPORTER_OTLP_INSECURE=\"yes\" ignored: not true or false"}},
      {{{"OTEL_EXPORTER_OTLP_TRACES_INSECURE", "1"}, {"OTEL_EXPORTER_OTLP_INSECURE", "true"}},
       {"OTEL_EXPORTER_OTLP_TRACES_INSECURE=\"1\" ignored: not true or false"}},
      {{{"OTEL_EXPORTER_OTLP_INSECURE", "FALSE"}}, {}},
  };
  for (const Case& c : cases) {
    const std::string where =
        c.env.empty() ? "{}" : c.env.begin()->first + "=" + c.env.begin()->second;
    EXPECT_EQ(EnvConfigWarnings(FakeEnv(c.env)), c.expected) << where;
  }
}

TEST(EnvConfigWarningsTest, ProviderFromEnvPrintsThemUnlessTheLogLevelIsNoneOrError) {
  struct Case {
    std::optional<std::string> log_level;
    bool printed;
  };
  const Case cases[] = {{std::nullopt, true}, {"info", true},   {"debug", true},
                        {"none", false},      {"ERROR", false}, {"error", false}};
  for (const Case& c : cases) {
    Vars vars = {{"OTEL_TRACES_EXPORTER", "none"}, {"OTEL_SPAN_LINK_COUNT_LIMIT", "x"}};
    if (c.log_level) vars["OTEL_LOG_LEVEL"] = *c.log_level;
    ::testing::internal::CaptureStderr();
    MakeTracerProviderFromEnv(FakeEnv(vars));
    EXPECT_EQ(::testing::internal::GetCapturedStderr(),
              c.printed ? "periscope-sdk: warn: OTEL_SPAN_LINK_COUNT_LIMIT=\"x\" ignored: not "
                          "an integer >= 0\n"
                        : "")
        << c.log_level.value_or("<unset>");
  }
}

TEST(MeterProviderFromEnvTest, ReportsTheValuesItIgnoresAndExportsToTheEndpoint) {
  periscope::testing::CapturedDiagnostics diagnostics(DiagnosticLevel::kWarn);
  periscope::testing::OtlpTestSink sink;
  auto provider =
      MakeMeterProviderFromEnv(SinkEnv(sink, {{"OTEL_METRICS_EXPORTER", "prometheus,otlp"},
                                              {"OTEL_METRIC_EXPORT_INTERVAL", "soon"},
                                              {"OTEL_METRIC_EXPORT_TIMEOUT", "1000"},
                                              {"OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "zstd"},
                                              {"OTEL_RESOURCE_ATTRIBUTES", "team"}}));
  EXPECT_EQ(diagnostics.messages(DiagnosticLevel::kWarn),
            (std::vector<std::string>{
                "OTEL_RESOURCE_ATTRIBUTES=\"team\" ignored: bad entry \"team\" (no '='); the "
                "whole value is discarded, as the OpenTelemetry specification asks",
                "OTEL_METRICS_EXPORTER=\"prometheus\" ignored: unknown name (known: otlp, none)",
                "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION=\"zstd\" ignored: unsupported "
                "compression (gzip, none), none used",
                "OTEL_METRIC_EXPORT_INTERVAL=\"soon\" ignored: not an integer >= 1",
                "OTEL_METRIC_EXPORT_TIMEOUT=\"1000\" ignored: not supported, an export is "
                "bounded by the OTLP exporter's timeout and retries"}));
  provider->GetMeter("env").CreateInt64Counter("requests").Add(1);
  provider->ForceFlush(std::chrono::seconds(10));
  EXPECT_EQ(sink.http_bad_requests(), 1u);  // the sink takes /v1/traces only
}

TEST(MeterProviderFromEnvTest, NoneOrDisabledExportsNothingAndLogLevelErrorSilencesWarnings) {
  periscope::testing::CapturedDiagnostics diagnostics(DiagnosticLevel::kWarn);
  periscope::testing::OtlpTestSink sink;
  for (const Vars& vars :
       {Vars{{"OTEL_METRICS_EXPORTER", "none"}}, Vars{{"OTEL_SDK_DISABLED", "true"}},
        Vars{{"OTEL_METRICS_EXPORTER", "none"},
             {"OTEL_METRIC_EXPORT_INTERVAL", "x"},
             {"OTEL_LOG_LEVEL", "error"}}}) {
    auto provider = MakeMeterProviderFromEnv(SinkEnv(sink, vars));
    provider->GetMeter("env").CreateInt64Counter("requests").Add(1);
    EXPECT_TRUE(provider->Shutdown(std::chrono::seconds(10)));
  }
  EXPECT_EQ(sink.http_requests() + sink.http_bad_requests(), 0u);
  EXPECT_TRUE(diagnostics.entries().empty());
}

TEST(LoggerProviderFromEnvTest, ReportsTheValuesItIgnoresAndExportsToTheEndpoint) {
  periscope::testing::CapturedDiagnostics diagnostics(DiagnosticLevel::kWarn);
  periscope::testing::OtlpTestSink sink;
  auto provider =
      MakeLoggerProviderFromEnv(SinkEnv(sink, {{"OTEL_LOGS_EXPORTER", "otlp,console"},
                                               {"OTEL_BLRP_MAX_QUEUE_SIZE", "0"},
                                               {"OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "soon"}}));
  EXPECT_EQ(diagnostics.messages(DiagnosticLevel::kWarn),
            (std::vector<std::string>{
                "OTEL_LOGS_EXPORTER=\"console\" ignored: unknown name (known: otlp, none)",
                "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT=\"soon\" ignored: not an integer >= 1",
                "OTEL_BLRP_MAX_QUEUE_SIZE=\"0\" ignored: not an integer >= 1"}));
  provider->GetLogger("env").Emit(Severity::kInfo, "hello");
  provider->ForceFlush(std::chrono::seconds(10));
  EXPECT_EQ(sink.http_bad_requests(), 1u);  // the sink takes /v1/traces only
}

TEST(LoggerProviderFromEnvTest, NoneOrDisabledExportsNothing) {
  periscope::testing::OtlpTestSink sink;
  for (const Vars& vars :
       {Vars{{"OTEL_LOGS_EXPORTER", "none"}}, Vars{{"OTEL_SDK_DISABLED", "true"}}}) {
    auto provider = MakeLoggerProviderFromEnv(SinkEnv(sink, vars));
    provider->GetLogger("env").Emit(Severity::kInfo, "hello");
    EXPECT_TRUE(provider->Shutdown(std::chrono::seconds(10)));
  }
  EXPECT_EQ(sink.http_requests() + sink.http_bad_requests(), 0u);
}

}  // namespace
}  // namespace periscope::trace
