#include "sdk/otlp_request_items.h"

#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace periscope::trace::internal {
namespace {

namespace collector = ::opentelemetry::proto::collector;

TEST(OtlpRequestItemsTest, CountsSpansAcrossResourcesAndScopes) {
  collector::trace::v1::ExportTraceServiceRequest request;
  auto* first = request.add_resource_spans();
  first->add_scope_spans()->add_spans();
  auto* scope = first->add_scope_spans();
  scope->add_spans();
  scope->add_spans();
  request.add_resource_spans()->add_scope_spans()->add_spans();
  EXPECT_EQ(CountRequestItems(OtlpSignal::kTraces, request.SerializeAsString()), 4);
}

TEST(OtlpRequestItemsTest, CountsLogRecords) {
  collector::logs::v1::ExportLogsServiceRequest request;
  auto* scope = request.add_resource_logs()->add_scope_logs();
  scope->add_log_records();
  scope->add_log_records();
  scope->add_log_records();
  EXPECT_EQ(CountRequestItems(OtlpSignal::kLogs, request.SerializeAsString()), 3);
}

TEST(OtlpRequestItemsTest, CountsDataPointsOfEveryMetricKind) {
  collector::metrics::v1::ExportMetricsServiceRequest request;
  auto* scope = request.add_resource_metrics()->add_scope_metrics();
  auto* sum = scope->add_metrics()->mutable_sum();
  sum->add_data_points();
  sum->add_data_points();
  scope->add_metrics()->mutable_histogram()->add_data_points();
  scope->add_metrics()->mutable_gauge()->add_data_points();
  scope->add_metrics()->mutable_summary()->add_data_points();
  scope->add_metrics()->mutable_exponential_histogram()->add_data_points();
  scope->add_metrics();  // no data
  EXPECT_EQ(CountRequestItems(OtlpSignal::kMetrics, request.SerializeAsString()), 6);
}

TEST(OtlpRequestItemsTest, GarbageIsUncounted) {
  EXPECT_EQ(CountRequestItems(OtlpSignal::kTraces, "\xff\xff\xff"), std::nullopt);
  EXPECT_EQ(CountRequestItems(OtlpSignal::kTraces, ""), 0);
}

TEST(OtlpRequestItemsTest, NamesCountsInTheSingularAndPlural) {
  EXPECT_EQ(CountOfItems(OtlpSignal::kTraces, 1), "1 span");
  EXPECT_EQ(CountOfItems(OtlpSignal::kTraces, 512), "512 spans");
  EXPECT_EQ(CountOfItems(OtlpSignal::kLogs, 0), "0 log records");
  EXPECT_EQ(CountOfItems(OtlpSignal::kMetrics, 1), "1 metric data point");
}

}  // namespace
}  // namespace periscope::trace::internal
