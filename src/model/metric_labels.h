#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/metric_batch.h"

namespace periscope {

inline constexpr std::string_view kMetricNameLabel = "__name__";

// Sorts by name; for a repeated name the last value wins. Labels with an empty value are
// dropped (Prometheus semantics: an empty label is an absent label).
void NormalizeLabels(Labels& labels);

// Stable 64-bit id of a normalized label set (xxh3 over a length-prefixed encoding).
uint64_t SeriesIdOf(const Labels& labels);

// Value of `name`, or "" when absent.
std::string_view LabelValue(const Labels& labels, std::string_view name);

// Prometheus text form: name{a="x", b="y"} with `"` and `\` escaped.
std::string LabelsToString(const Labels& labels);

// Metric and label names as Prometheus accepts them: every character outside [A-Za-z0-9_:]
// (and a leading digit) becomes '_'.
std::string SanitizeMetricName(std::string_view name);
std::string SanitizeLabelName(std::string_view name);

}  // namespace periscope
