#include "server/metrics.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "server/metrics_text.h"

namespace aegis::server {
namespace {

TEST(MetricsText, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabelValue("plain"), "plain");
  EXPECT_EQ(EscapeLabelValue("a\"b"), "a\\\"b");
  EXPECT_EQ(EscapeLabelValue("back\\slash"), "back\\\\slash");
  EXPECT_EQ(EscapeLabelValue("two\nlines"), "two\\nlines");
  EXPECT_EQ(EscapeLabelValue("\\\"\n"), "\\\\\\\"\\n");
  EXPECT_EQ(EscapeLabelValue("tab\tand ünïcode"), "tab\tand ünïcode");  // left as they are
}

TEST(MetricsText, EscapesHelpButNotQuotes) {
  EXPECT_EQ(EscapeHelp("say \"x\"\\\n"), "say \"x\"\\\\\\n");
}

TEST(MetricsText, WritesHelpTypeAndSamples) {
  MetricsText out;
  out.Family("aegis_things_total", MetricsText::Type::kCounter, "Things seen.\nSecond line.");
  out.Sample(uint64_t{0});
  out.Sample(uint64_t{18446744073709551615u}, {{"worker", "0"}, {"reason", "a\"b\\c\nd"}});
  out.Family("aegis_level", MetricsText::Type::kGauge, "A level.");
  out.Sample(0.25, {{"worker", "1"}});
  out.Sample(3.0);
  out.Sample(std::numeric_limits<double>::infinity());
  out.Sample(-std::numeric_limits<double>::infinity());
  out.Sample(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(out.text(),
            "# HELP aegis_things_total Things seen.\\nSecond line.\n"
            "# TYPE aegis_things_total counter\n"
            "aegis_things_total 0\n"
            "aegis_things_total{worker=\"0\",reason=\"a\\\"b\\\\c\\nd\"} 18446744073709551615\n"
            "# HELP aegis_level A level.\n"
            "# TYPE aegis_level gauge\n"
            "aegis_level{worker=\"1\"} 0.25\n"
            "aegis_level 3\n"
            "aegis_level +Inf\n"
            "aegis_level -Inf\n"
            "aegis_level NaN\n");
}

TEST(MetricsText, LeavesOutInvalidNames) {
  EXPECT_TRUE(IsValidMetricName("aegis:rate_5m"));
  EXPECT_FALSE(IsValidMetricName("9lives"));
  EXPECT_FALSE(IsValidMetricName("has-dash"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("__reserved"));
  MetricsText out;
  out.Family("bad name", MetricsText::Type::kGauge, "x");
  out.Sample(uint64_t{1});  // belongs to no valid family
  out.Family("good", MetricsText::Type::kGauge, "x");
  out.Sample(uint64_t{1}, {{"bad-label", "v"}});
  out.Sample(uint64_t{2}, {{"ok", "v"}});
  EXPECT_EQ(out.text(), "# HELP good x\n# TYPE good gauge\ngood{ok=\"v\"} 2\n");
}

// The families of a render: every sample line belongs to the family whose
// HELP and TYPE came just before it.
TEST(RenderMetrics, EveryFamilyHasHelpTypeAndItsSamples) {
  MetricsFigures f;
  f.version = "1.2.3-\"test\"";
  f.start_time_unix_s = 1'700'000'000;
  f.rooms = {2, 0};
  WorkerSnapshot w;
  w.participants = 3;
  w.tracks = 4;
  w.subscriptions = 6;
  w.transport.dropped_srtp = 9;
  w.conference.rtp_forwarded = 40;
  w.conference.datagrams_unrouted = 5;
  w.sfu.rtp_received = 21;
  w.sfu.nacks_received = 7;
  w.sfu.keyframe_requests_forwarded = 2;
  w.sfu.keyframe_requests_deferred_sent = 1;
  w.io.datagrams_received = 30;
  w.io.receive_wakeups = 10;
  w.busy_seconds = 1.5;
  w.forward_delay.Observe(40'000);     // 40 us
  w.forward_delay.Observe(900'000);    // 0.9 ms
  w.forward_delay.Observe(200'000'000);  // past every bound
  f.workers = {w, std::nullopt};  // worker 1 did not answer
  const std::string text = RenderMetrics(f);
  auto has = [&text](const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; };
  EXPECT_TRUE(has("aegis_build_info{version=\"1.2.3-\\\"test\\\"\"} 1")) << text;
  EXPECT_TRUE(has("aegis_start_time_seconds 1700000000"));
  EXPECT_TRUE(has("# TYPE aegis_rtp_packets_forwarded_total counter"));
  EXPECT_TRUE(has("aegis_rtp_packets_forwarded_total{worker=\"0\"} 40"));
  EXPECT_TRUE(has("# TYPE aegis_participants gauge"));
  EXPECT_TRUE(has("aegis_participants{worker=\"0\"} 3"));
  EXPECT_TRUE(has("aegis_rooms{worker=\"0\"} 2"));
  EXPECT_TRUE(has("aegis_rooms{worker=\"1\"} 0"));
  EXPECT_TRUE(has("aegis_dropped_total{worker=\"0\",reason=\"unrouted_datagram\"} 5"));
  EXPECT_TRUE(has("aegis_dropped_total{worker=\"0\",reason=\"srtp_auth_failed\"} 9"));
  EXPECT_TRUE(has("aegis_tracks{worker=\"0\"} 4"));
  // Cumulative buckets in seconds, then +Inf, sum and count.
  EXPECT_TRUE(has("# TYPE aegis_forward_delay_seconds histogram"));
  EXPECT_TRUE(has("aegis_forward_delay_seconds_bucket{worker=\"0\",le=\"5e-05\"} 1"));
  EXPECT_TRUE(has("aegis_forward_delay_seconds_bucket{worker=\"0\",le=\"0.00075\"} 1"));
  EXPECT_TRUE(has("aegis_forward_delay_seconds_bucket{worker=\"0\",le=\"0.001\"} 2"));
  EXPECT_TRUE(has("aegis_forward_delay_seconds_bucket{worker=\"0\",le=\"0.1\"} 2"));
  EXPECT_TRUE(has("aegis_forward_delay_seconds_bucket{worker=\"0\",le=\"+Inf\"} 3"));
  EXPECT_TRUE(has("aegis_forward_delay_seconds_sum{worker=\"0\"} 0.20094"));
  EXPECT_TRUE(has("aegis_forward_delay_seconds_count{worker=\"0\"} 3"));
  EXPECT_TRUE(has("aegis_subscriptions{worker=\"0\"} 6"));
  EXPECT_TRUE(has("aegis_nacks_received_total{worker=\"0\"} 7"));
  EXPECT_TRUE(has("aegis_keyframe_requests_forwarded_total{worker=\"0\"} 3"));
  EXPECT_TRUE(has("aegis_worker_busy_seconds_total{worker=\"0\"} 1.5"));
  EXPECT_TRUE(has("aegis_worker_up{worker=\"0\"} 1"));
  EXPECT_TRUE(has("aegis_worker_up{worker=\"1\"} 0"));
  EXPECT_EQ(text.find("aegis_participants{worker=\"1\"}"), std::string::npos);  // no answer, no sample

  std::string family;
  bool histogram = false;
  size_t lines = 0;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "the text ends with a line feed";
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++lines;
    if (line.starts_with("# HELP ")) {
      family = line.substr(7, line.find(' ', 7) - 7);
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      EXPECT_EQ(line.substr(7, family.size() + 1), family + " ") << line;
      const bool counter = line.ends_with(" counter");
      histogram = line.ends_with(" histogram");
      EXPECT_TRUE(counter || histogram || line.ends_with(" gauge")) << line;
      EXPECT_EQ(counter, family.ends_with("_total")) << line;
      continue;
    }
    const std::string name = line.substr(0, line.find_first_of("{ "));
    if (histogram) {
      EXPECT_TRUE(name == family + "_bucket" || name == family + "_sum" || name == family + "_count") << line;
    } else {
      EXPECT_EQ(name, family) << line;
    }
  }
  EXPECT_GT(lines, 60u);
}

TEST(MetricsAccess, LoopbackWithoutTokenOthersNeedIt) {
  const std::string token = "0123456789abcdef-metrics";
  EXPECT_FALSE(CheckMetricsAccess(true, "", ""));
  EXPECT_FALSE(CheckMetricsAccess(true, "", token));
  // No token configured: off this machine, nothing opens it.
  auto off = CheckMetricsAccess(false, "", "");
  ASSERT_TRUE(off);
  EXPECT_EQ(off->status, 403);
  EXPECT_EQ(off->body, "forbidden\n");
  EXPECT_EQ(CheckMetricsAccess(false, "Bearer anything", "")->status, 403);
  // A token configured: a challenge, and the token opens it.
  auto challenge = CheckMetricsAccess(false, "", token);
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->status, 401);
  EXPECT_EQ(challenge->body, "unauthorized\n");
  ASSERT_EQ(challenge->headers.size(), 1u);
  EXPECT_EQ(challenge->headers[0].first, "WWW-Authenticate");
  EXPECT_FALSE(CheckMetricsAccess(false, "Bearer " + token, token));
  EXPECT_FALSE(CheckMetricsAccess(false, "bearer " + token, token));
  EXPECT_EQ(CheckMetricsAccess(false, "Bearer " + token + "x", token)->status, 401);
  EXPECT_EQ(CheckMetricsAccess(false, "Bearer " + token.substr(1), token)->status, 401);
  EXPECT_EQ(CheckMetricsAccess(false, "Basic " + token, token)->status, 401);
  EXPECT_EQ(CheckMetricsAccess(false, "Bearer ", token)->status, 401);
  // From this machine, a wrong token is still wrong.
  EXPECT_EQ(CheckMetricsAccess(true, "Bearer wrong", token)->status, 401);
  EXPECT_FALSE(CheckMetricsAccess(true, "Bearer " + token, token));
}

TEST(MetricsAccess, TokenFile) {
  const auto path = std::filesystem::temp_directory_path() / ("aegis-metrics-token-" + std::to_string(getpid()));
  auto load = [&path](const std::string& content, std::string& token) {
    std::ofstream(path, std::ios::binary) << content;
    return LoadMetricsToken(path.string(), token);
  };
  std::string token;
  EXPECT_FALSE(load("0123456789abcdef\n", token));
  EXPECT_EQ(token, "0123456789abcdef");
  EXPECT_FALSE(load("0123456789abcdefXYZ\r\n", token));
  EXPECT_EQ(token, "0123456789abcdefXYZ");
  token.clear();
  EXPECT_TRUE(load("short\n", token));
  EXPECT_TRUE(load("0123456789 abcdef\n", token));
  EXPECT_TRUE(load("0123456789abcdef\n\n", token));
  EXPECT_TRUE(load(std::string(513, 'a'), token));
  EXPECT_EQ(token, "");
  std::filesystem::remove(path);
  EXPECT_TRUE(LoadMetricsToken(path.string(), token));
}

}  // namespace
}  // namespace aegis::server
