#include "api/logs_tail_api.h"

#include <boost/json.hpp>

#include "api/logs_api.h"

namespace periscope {

namespace {

// The SSE text of one drained batch: one `data:` event per row, oldest first, and a `dropped`
// event when the client fell behind.
void AppendEvents(const LogBatch& rows, uint64_t dropped, std::string* out) {
  for (size_t i = 0; i < rows.size(); ++i) {
    out->append("data: ");
    out->append(boost::json::serialize(LogToJson(rows, i)));
    out->append("\n\n");
  }
  if (dropped > 0) {
    out->append("event: dropped\ndata: {\"dropped\":");
    out->append(std::to_string(dropped));
    out->append("}\n\n");
  }
}

}  // namespace

void RegisterLogsTailApi(Router& router, LogTailHub& hub) {
  router.Add("GET", "/api/logs/tail", [&hub](HttpRequest& req) {
    auto query = ParseLogSearch(req.Param("q"));
    if (!query.ok()) return HttpResponse::Error(400, query.status().message());
    auto sub = hub.Subscribe(req.Tenant(), std::move(query).value());
    if (!sub) return HttpResponse::Error(429, "too many live-tail clients; try again later");
    HttpResponse r;
    r.content_type = "text/event-stream; charset=utf-8";
    auto first = std::make_shared<bool>(true);
    r.stream = [sub, first](std::string* chunk) {
      if (*first) {
        *first = false;
        chunk->append("retry: 2000\n: tailing\n\n");
      }
      LogBatch rows;
      const uint64_t dropped = sub->Drain(&rows);
      AppendEvents(rows, dropped, chunk);
      return true;
    };
    return r;
  });
}

}  // namespace periscope
