#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "model/metric_batch.h"

namespace periscope {

// Sorts a series' samples by time (stable) and keeps the last sample of each timestamp, so that
// replaying a WAL record twice or receiving a sample twice stores it once. Labels untouched.
void SortAndDedupSamples(MetricSeries& series);

// Appends the samples, start times and exemplars of `series` (labels and kind are not included):
// varint count, timestamps (delta-of-delta), values (decimal or raw), a start-time flag byte
// and start times, varint exemplar count and exemplars.
void EncodeSeriesBlock(const MetricSeries& series, std::string* out);
// Fills the samples of `out` from a block; Corruption on malformed input.
Status DecodeSeriesBlock(std::string_view block, MetricSeries* out);

}  // namespace periscope
