// A writer of the Prometheus text exposition format, version 0.0.4: per
// metric family a "# HELP" and a "# TYPE" line, then its samples as
// `name{label="value",...} value`, one per line. Sans-IO: it only builds
// the text that GET /metrics answers (server/metrics.h).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace aegis::server {

// A label value inside its double quotes: backslash, double quote and line
// feed escaped as \\, \" and \n; every other byte as it is.
std::string EscapeLabelValue(std::string_view value);
// HELP text: backslash and line feed escaped (quotes are not special there).
std::string EscapeHelp(std::string_view text);
// [a-zA-Z_:][a-zA-Z0-9_:]* for metric names; label names may not hold ':'.
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

class MetricsText {
 public:
  enum class Type { kCounter, kGauge, kHistogram };
  using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  // Starts the family `name`; the samples that follow belong to it. A
  // counter's name ends in _total by convention (the caller's choice).
  // Names and label names are the program's own: an invalid one is a bug,
  // and the family or sample is left out rather than written malformed.
  void Family(std::string_view name, Type type, std::string_view help);
  void Sample(uint64_t value, Labels labels = {});
  // Integral doubles print without a fraction; NaN and infinities as the
  // format spells them (NaN, +Inf, -Inf).
  void Sample(double value, Labels labels = {});
  // A histogram's samples: name_bucket{...,le="bound"} (cumulative counts,
  // ending with le="+Inf"), name_sum and name_count. `bounds` and
  // `cumulative` pair up; the +Inf bucket is `count`.
  void Histogram(std::span<const double> bounds, std::span<const uint64_t> cumulative, double sum, uint64_t count,
                 Labels labels = {});

  const std::string& text() const { return text_; }
  std::string Take() { return std::move(text_); }

 private:
  void SampleText(std::string_view value, Labels labels, std::string_view suffix = {},
                  std::pair<std::string_view, std::string_view> extra_label = {});

  std::string text_;
  std::string family_;  // empty: none started, or an invalid name
};

}  // namespace aegis::server
