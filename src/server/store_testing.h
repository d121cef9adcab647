#pragma once

// Helpers for tests of the storage pipelines: small OTLP requests and row counts.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <string>

#include "ingest/otlp/log_decoder.h"
#include "query/logs/log_search.h"
#include "storage/logs/log_table.h"

namespace periscope::testing {

// An ExportLogsServiceRequest of n records of service "svc" at base, base + 1, ... ns.
inline std::string LogsRequest(int n, int64_t base) {
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  auto* a = rl->mutable_resource()->add_attributes();
  a->set_key("service.name");
  a->mutable_value()->set_string_value("svc");
  auto* sl = rl->add_scope_logs();
  for (int i = 0; i < n; ++i) {
    auto* rec = sl->add_log_records();
    rec->set_time_unix_nano(static_cast<uint64_t>(base + i));
    rec->mutable_body()->set_string_value("line number " + std::to_string(i) + " ok");
  }
  return req.SerializeAsString();
}

// Every log record the table holds (memtable and parts).
inline size_t CountLogs(const LogTable& table) {
  LogSearchRequest req;
  req.limit = 100000;
  auto r = SearchLogs(table, req);
  return r.ok() ? r->rows.size() : static_cast<size_t>(-1);
}

// Runs `body` in a child process that then dies without any cleanup, like kill -9; the child
// must exit 0 (a body reports failure with _exit(n), n > 0).
inline void InCrashingChild(const std::function<void()>& body) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace periscope::testing
