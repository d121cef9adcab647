#include "api/insights_api.h"

#include <memory>

#include "api/insights/facet_handlers.h"
#include "api/insights/response_cache.h"
#include "api/insights/service_handlers.h"

namespace periscope {

void RegisterInsightsApi(Router& router, const TraceQueries& traces, const LogTable& logs,
                         const MetricTable& metrics) {
  const TraceQueries* t = &traces;
  const LogTable* l = &logs;
  const MetricTable* m = &metrics;
  // The pages' first requests scan the whole range: reloads within seconds share one answer.
  auto cache = std::make_shared<ResponseCache>();
  router.Add("GET", "/api/services/overview", CachedHandler(cache, [l, m](HttpRequest& r) {
               return HandleServicesOverview(*l, *m, r);
             }));
  router.Add("GET", "/api/services/{service}/overview",
             CachedHandler(cache, [t, l, m](HttpRequest& r) {
               return HandleServiceOverview(*t, *l, *m, r);
             }));
  router.Add("GET", "/api/service-map",
             CachedHandler(cache, [t, m](HttpRequest& r) { return HandleServiceMap(*t, *m, r); }));
  router.Add("GET", "/api/logs/facets",
             CachedHandler(cache, [l](HttpRequest& r) { return HandleLogFacets(*l, r); }));
}

}  // namespace periscope
