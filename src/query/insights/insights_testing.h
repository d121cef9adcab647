#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "model/log_batch.h"
#include "model/metric_batch.h"
#include "model/metric_labels.h"
#include "model/span_batch.h"

namespace periscope::insights_testing {

// A fresh directory named after the running test, removed on destruction.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("periscope_insights_" + std::string(info->test_suite_name()) + "_" + info->name() +
             "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline Resource MakeResource(const std::string& service, const std::string& env,
                             const std::string& version) {
  Resource r;
  r.attributes.push_back({"service.name", AnyValue::String(service)});
  if (!env.empty()) r.attributes.push_back({"deployment.environment", AnyValue::String(env)});
  if (!version.empty()) r.attributes.push_back({"service.version", AnyValue::String(version)});
  r.tags = ExtractUnifiedTags(r.attributes);
  return r;
}

// Appends a span of a new resource (service/env/version) and returns its row.
inline size_t AddSpan(SpanBatch& b, const std::string& service, const std::string& env,
                      const std::string& version, const std::string& name, SpanKind kind,
                      int64_t start_ns, int64_t duration_ns, StatusCodeValue status,
                      Attributes attributes = {}) {
  b.resources.push_back(MakeResource(service, env, version));
  if (b.scopes.empty()) b.scopes.emplace_back();
  const size_t row = b.AddRow(static_cast<uint32_t>(b.resources.size() - 1), 0);
  TraceId t;
  SpanId s;
  const uint64_t n = row + 1;
  for (int i = 0; i < 8; ++i) {
    t.bytes[15 - i] = static_cast<uint8_t>(n >> (8 * i));
    s.bytes[7 - i] = static_cast<uint8_t>(n >> (8 * i));
  }
  t.bytes[0] = 0xab;
  b.trace_id[row] = t;
  b.span_id[row] = s;
  b.name[row] = name;
  b.kind[row] = kind;
  b.start_ns[row] = start_ns;
  b.end_ns[row] = start_ns + duration_ns;
  b.status_code[row] = status;
  b.attributes[row] = std::move(attributes);
  return row;
}

// Appends a log row of a new resource and returns its row.
inline size_t AddLog(LogBatch& b, const std::string& service, const std::string& env,
                     int64_t time_ns, int severity_number, const std::string& body,
                     Attributes attributes = {}) {
  b.resources.push_back(MakeResource(service, env, ""));
  if (b.scopes.empty()) b.scopes.emplace_back();
  const size_t row = b.AddRow(static_cast<uint32_t>(b.resources.size() - 1), 0);
  b.time_ns[row] = time_ns;
  b.severity_number[row] = severity_number;
  b.body[row] = AnyValue::String(body);
  b.attributes[row] = std::move(attributes);
  return row;
}

// A counter series with samples (time_ms, value).
inline MetricSeries Counter(Labels labels, std::vector<std::pair<int64_t, double>> samples) {
  NormalizeLabels(labels);
  MetricSeries s;
  s.labels = std::move(labels);
  s.kind = MetricKind::kCounter;
  for (const auto& [t, v] : samples) {
    s.time_ms.push_back(t);
    s.values.push_back(v);
  }
  return s;
}

}  // namespace periscope::insights_testing
