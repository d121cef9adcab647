#include "api/insights_api.h"

#include "api/insights/facet_handlers.h"
#include "api/insights/service_handlers.h"

namespace periscope {

void RegisterInsightsApi(Router& router, const TraceQueries& traces, const LogTable& logs,
                         const MetricTable& metrics) {
  const TraceQueries* t = &traces;
  const LogTable* l = &logs;
  const MetricTable* m = &metrics;
  router.Add("GET", "/api/services/overview",
             [l, m](HttpRequest& r) { return HandleServicesOverview(*l, *m, r); });
  router.Add("GET", "/api/services/{service}/overview",
             [t, l, m](HttpRequest& r) { return HandleServiceOverview(*t, *l, *m, r); });
  router.Add("GET", "/api/service-map",
             [t, m](HttpRequest& r) { return HandleServiceMap(*t, *m, r); });
  router.Add("GET", "/api/logs/facets", [l](HttpRequest& r) { return HandleLogFacets(*l, r); });
}

}  // namespace periscope
