// A bounded reader of the Prometheus text exposition format (0.0.4) as
// `aegis serve` answers GET /metrics: one sample per line,
// `name{label="value",...} value [timestamp]`; `#` lines (HELP, TYPE) and
// blank lines are skipped. A line that does not parse is skipped and
// counted, so one odd line cannot hide the rest. Sans-IO: text in, samples out.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aegis::load {

struct PromSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // as written, unescaped
  double value = 0;
  // The value of label `key`, or "" if the sample has none.
  std::string_view Label(std::string_view key) const;
};

struct PromText {
  std::vector<PromSample> samples;
  size_t malformed = 0;    // lines skipped because they did not parse
  bool truncated = false;  // the text or the sample count went past the limits
};

struct PromLimits {
  size_t max_text_bytes = 4 << 20;
  size_t max_line_bytes = 8192;
  size_t max_samples = 100000;
  size_t max_labels = 16;
};

PromText ParsePrometheusText(std::string_view text, const PromLimits& limits = {});

// The sums the load report uses: every metric over all its samples (e.g.
// every worker="i"), aegis_dropped_total by reason, and the
// aegis_forward_delay_seconds histogram's cumulative buckets by bound.
struct ServerMetrics {
  std::map<std::string, double> totals;
  std::map<std::string, double> dropped;
  std::map<double, double> forward_delay_buckets;  // le (seconds; +Inf as infinity) -> cumulative count
  double Get(const std::string& name) const;  // 0 if absent
};
ServerMetrics SumServerMetrics(const PromText& text);

// The q-quantile (0 < q < 1) of a histogram given as cumulative counts by
// upper bound, interpolated linearly inside its bucket as Prometheus's
// histogram_quantile does (the first bucket from 0). Infinity when it falls
// in the +Inf bucket; nullopt for an empty histogram.
std::optional<double> HistogramQuantile(const std::map<double, double>& cumulative, double q);

}  // namespace aegis::load
