#include "load/prometheus_text.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace aegis::load {
namespace {

// From `curl http://127.0.0.1:PORT/metrics` of aegis serve (trimmed), plus a
// label value with every escape and one malformed line.
constexpr std::string_view kText =
    "# HELP aegis_build_info Always 1.\n"
    "# TYPE aegis_build_info gauge\n"
    "aegis_build_info{version=\"0.1.0\"} 1\n"
    "process_cpu_seconds_total 0.008952\n"
    "aegis_participants{worker=\"0\"} 3\n"
    "aegis_participants{worker=\"1\"} 4\n"
    "# TYPE aegis_rtp_packets_forwarded_total counter\n"
    "aegis_rtp_packets_forwarded_total{worker=\"0\"} 1200\n"
    "aegis_rtp_packets_forwarded_total{worker=\"1\"} 34\n"
    "aegis_dropped_total{worker=\"0\",reason=\"unrouted_datagram\"} 0\n"
    "aegis_dropped_total{worker=\"0\",reason=\"srtp_auth_failed\"} 2\n"
    "aegis_dropped_total{worker=\"1\",reason=\"srtp_auth_failed\"} 5\n"
    "aegis_worker_busy_seconds_total{worker=\"0\"} 2.4405e-05\n"
    "aegis_worker_busy_seconds_total{worker=\"1\"} 1.5246e-05\n"
    "odd_label{path=\"C:\\\\dir\",quote=\"say \\\"hi\\\"\",nl=\"a\\nb\",} +Inf 1796610998000\n"
    "aegis_rooms{worker=\"0\" 7\n"  // malformed: unterminated label set
    "\n";

TEST(PrometheusTextTest, ParsesSamplesAndSkipsCommentsAndMalformedLines) {
  const PromText t = ParsePrometheusText(kText);
  EXPECT_EQ(t.malformed, 1u);
  EXPECT_FALSE(t.truncated);
  ASSERT_EQ(t.samples.size(), 12u);
  EXPECT_EQ(t.samples[0].name, "aegis_build_info");
  EXPECT_EQ(t.samples[0].Label("version"), "0.1.0");
  EXPECT_EQ(t.samples[1].labels.size(), 0u);
  EXPECT_DOUBLE_EQ(t.samples[1].value, 0.008952);
  const PromSample& odd = t.samples[11];
  EXPECT_EQ(odd.Label("path"), "C:\\dir");
  EXPECT_EQ(odd.Label("quote"), "say \"hi\"");
  EXPECT_EQ(odd.Label("nl"), "a\nb");
  EXPECT_TRUE(std::isinf(odd.value));
}

TEST(PrometheusTextTest, SumsOverWorkersAndDropsByReason) {
  const ServerMetrics m = SumServerMetrics(ParsePrometheusText(kText));
  EXPECT_EQ(m.Get("aegis_participants"), 7);
  EXPECT_EQ(m.Get("aegis_rtp_packets_forwarded_total"), 1234);
  EXPECT_NEAR(m.Get("aegis_worker_busy_seconds_total"), 3.9651e-05, 1e-12);
  EXPECT_EQ(m.Get("aegis_nowhere"), 0);
  EXPECT_EQ(m.dropped.at("srtp_auth_failed"), 7);
  EXPECT_EQ(m.dropped.at("unrouted_datagram"), 0);
}

TEST(PrometheusTextTest, RejectsBadLines) {
  for (std::string_view line : {"1abc 2", "name", "name{a=\"x\"}2", "name{a=x} 2", "name{a=\"\\q\"} 2", "name 2 3 4",
                                "name 12abc", "name{=\"x\"} 1"}) {
    const PromText t = ParsePrometheusText(line);
    EXPECT_EQ(t.samples.size(), 0u) << line;
    EXPECT_EQ(t.malformed, 1u) << line;
  }
}

TEST(PrometheusTextTest, StaysWithinItsLimits) {
  PromLimits limits;
  limits.max_samples = 2;
  limits.max_labels = 1;
  limits.max_line_bytes = 20;
  const PromText t = ParsePrometheusText(
      "a{x=\"1\",y=\"2\"} 1\n"                    // too many labels
      "b{x=\"a very long label value\"} 1\n"      // too long a line
      "c 1\nd 2\ne 3\n",
      limits);
  EXPECT_EQ(t.malformed, 2u);
  ASSERT_EQ(t.samples.size(), 2u);
  EXPECT_EQ(t.samples[1].name, "d");
  EXPECT_TRUE(t.truncated);
}

TEST(PrometheusTextTest, ForwardDelayBucketsAndTheirQuantiles) {
  const PromText t = ParsePrometheusText(
      "aegis_forward_delay_seconds_bucket{worker=\"0\",le=\"0.0005\"} 60\n"
      "aegis_forward_delay_seconds_bucket{worker=\"0\",le=\"0.001\"} 90\n"
      "aegis_forward_delay_seconds_bucket{worker=\"0\",le=\"+Inf\"} 100\n"
      "aegis_forward_delay_seconds_bucket{worker=\"1\",le=\"0.0005\"} 40\n"
      "aegis_forward_delay_seconds_bucket{worker=\"1\",le=\"0.001\"} 100\n"
      "aegis_forward_delay_seconds_bucket{worker=\"1\",le=\"+Inf\"} 100\n"
      "aegis_forward_delay_seconds_bucket{worker=\"1\",le=\"junk\"} 5\n");
  const ServerMetrics m = SumServerMetrics(t);
  ASSERT_EQ(m.forward_delay_buckets.size(), 3u);  // the unreadable bound left out
  EXPECT_EQ(m.forward_delay_buckets.at(0.0005), 100);
  EXPECT_EQ(m.forward_delay_buckets.at(0.001), 190);
  EXPECT_EQ(m.forward_delay_buckets.at(std::numeric_limits<double>::infinity()), 200);
  // Rank 100 of 200 is the last of the first bucket; rank 150 is halfway through the second.
  EXPECT_DOUBLE_EQ(*HistogramQuantile(m.forward_delay_buckets, 0.5), 0.0005);
  EXPECT_DOUBLE_EQ(*HistogramQuantile(m.forward_delay_buckets, 0.75), 0.0005 + 0.0005 * 50 / 90);
  EXPECT_TRUE(std::isinf(*HistogramQuantile(m.forward_delay_buckets, 0.99)));  // in +Inf: above 1 ms
  EXPECT_DOUBLE_EQ(*HistogramQuantile(m.forward_delay_buckets, 0.25), 0.0005 * 50 / 100);  // from 0
  EXPECT_FALSE(HistogramQuantile({}, 0.5));
  EXPECT_FALSE(HistogramQuantile({{0.001, 0}, {std::numeric_limits<double>::infinity(), 0}}, 0.5));
}

}  // namespace
}  // namespace aegis::load
