#include "server/server_options.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace aegis::server {
namespace {

// A TOML file in a fresh temporary folder, removed with the fixture.
class ServerOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "aegis-options-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string WriteConfig(const std::string& text, const std::string& name = "aegis.toml") {
    auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  // Parses `args` into fresh options; returns the error ("" for none).
  std::string Parse(const std::vector<std::string_view>& args) {
    options_ = ServeOptions{};
    auto error = ParseServeArgs(args, options_);
    return error.value_or("");
  }

  std::filesystem::path dir_;
  ServeOptions options_;
};

TEST_F(ServerOptionsTest, DefaultsNeedNoConfiguration) {
  EXPECT_EQ(Parse({}), "");
  EXPECT_EQ(options_.listen_host, "127.0.0.1");
  EXPECT_EQ(options_.listen_port, 8080);
  EXPECT_EQ(options_.data_dir, "aegis-data");
  EXPECT_EQ(options_.web_dir, "");
  // One media worker per core, so one room's load cannot slow another's.
  EXPECT_EQ(options_.media_workers, static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 64u)));
  EXPECT_EQ(options_.media_port, 40000);
  EXPECT_EQ(options_.media_host, "");
  EXPECT_TRUE(options_.announce.empty());
  EXPECT_TRUE(options_.tls_cert.empty());
  EXPECT_TRUE(options_.tls_key.empty());
  EXPECT_FALSE(options_.tls);
  EXPECT_EQ(options_.token_leeway_s, 30);
  EXPECT_EQ(options_.max_participants_per_room, 64);
  EXPECT_EQ(options_.max_connections, 1000);
  EXPECT_EQ(options_.max_audio_tracks, 4);
  EXPECT_EQ(options_.max_video_tracks, 4);
  EXPECT_EQ(options_.mls_suite, 83);  // X-Wing: post-quantum hybrid
  // The dev-token endpoint exists only when asked for (--dev).
  EXPECT_FALSE(options_.dev);
  EXPECT_TRUE(IsLoopbackHost(options_.listen_host));  // the default is safe to run
}

TEST_F(ServerOptionsTest, FlagsSetEveryKey) {
  EXPECT_EQ(Parse({"--listen", "0.0.0.0:9443", "--data", "/var/lib/aegis", "--web", "/srv/web", "--media-workers",
                   "4", "--media-port", "0", "--media-host", "10.0.0.2", "--announce", "203.0.113.5", "--announce",
                   "2001:db8::5", "--tls", "--tls-cert", "cert.pem", "--tls-key", "key.pem", "--token-leeway", "5",
                   "--max-participants", "12", "--dev", "--max-audio-tracks", "2", "--max-video-tracks",
                   "16", "--mls-suite", "1", "--max-connections", "5000"}),
            "");
  EXPECT_EQ(options_.listen_host, "0.0.0.0");
  EXPECT_EQ(options_.listen_port, 9443);
  EXPECT_EQ(options_.data_dir, "/var/lib/aegis");
  EXPECT_EQ(options_.web_dir, "/srv/web");
  EXPECT_EQ(options_.media_workers, 4);
  EXPECT_EQ(options_.media_port, 0);
  EXPECT_EQ(options_.media_host, "10.0.0.2");
  EXPECT_EQ(options_.announce, (std::vector<std::string>{"203.0.113.5", "2001:db8::5"}));
  EXPECT_TRUE(options_.tls);
  EXPECT_EQ(options_.tls_cert, "cert.pem");
  EXPECT_EQ(options_.tls_key, "key.pem");
  EXPECT_EQ(options_.token_leeway_s, 5);
  EXPECT_EQ(options_.max_participants_per_room, 12);
  EXPECT_TRUE(options_.dev);
  EXPECT_EQ(options_.max_audio_tracks, 2);
  EXPECT_EQ(options_.max_video_tracks, 16);
  EXPECT_EQ(options_.mls_suite, 1);
  EXPECT_EQ(options_.max_connections, 5000);
}

TEST_F(ServerOptionsTest, ListenTakesBracketedIpv6) {
  EXPECT_EQ(Parse({"--listen", "[::1]:8443"}), "");
  EXPECT_EQ(options_.listen_host, "::1");
  EXPECT_EQ(options_.listen_port, 8443);
}

TEST_F(ServerOptionsTest, RelayAddressesComeFromTheFlagOrTheUrlsThatNameAnAddress) {
  EXPECT_EQ(Parse({"--turn-url", "turn:203.0.113.9:3478?transport=udp", "--turn-url", "turns:turn.example.com:443?transport=tcp",
                   "--turn-url", "turn:[2001:db8::7]:3478", "--turn-url", "turn:203.0.113.9:3478?transport=tcp",
                   "--turn-secret-file", "s"}),
            "");
  EXPECT_EQ(TurnRelayIps(options_), (std::vector<std::string>{"203.0.113.9", "2001:db8::7"}));
  EXPECT_EQ(Parse({"--turn-relay-ip", "198.51.100.4", "--turn-relay-ip", "198.51.100.5"}), "");
  EXPECT_EQ(TurnRelayIps(options_), (std::vector<std::string>{"198.51.100.4", "198.51.100.5"}));
  EXPECT_NE(Parse({"--turn-relay-ip", "turn.example.com"}), "");
}

TEST_F(ServerOptionsTest, IceTcpIsOnUnlessSwitchedOff) {
  EXPECT_EQ(Parse({}), "");
  EXPECT_TRUE(options_.media_tcp);
  EXPECT_EQ(Parse({"--media-tcp", "off"}), "");
  EXPECT_FALSE(options_.media_tcp);
  EXPECT_EQ(Parse({"--media-tcp", "on"}), "");
  EXPECT_TRUE(options_.media_tcp);
}

// Off unless asked for (docs/configuration.md says why).
TEST_F(ServerOptionsTest, PublisherTransportCcIsOffUnlessSwitchedOn) {
  EXPECT_EQ(Parse({}), "");
  EXPECT_FALSE(options_.publisher_transport_cc);
  EXPECT_EQ(Parse({"--publisher-transport-cc", "on"}), "");
  EXPECT_TRUE(options_.publisher_transport_cc);
  EXPECT_NE(Parse({"--publisher-transport-cc", "1"}), "");
  EXPECT_EQ(Parse({"--config", WriteConfig("publisher_transport_cc = true\n")}), "");
  EXPECT_TRUE(options_.publisher_transport_cc);
}

TEST_F(ServerOptionsTest, SeveralNodesTakeRedisFromFlagsOrTheFile) {
  EXPECT_EQ(Parse({}), "");
  EXPECT_EQ(options_.redis, "");  // one node, no Redis
  EXPECT_EQ(Parse({"--redis", "rediss://aegis@redis.internal:6380", "--redis-password-file", "/etc/aegis/redis.pw",
                   "--redis-ca-file", "/etc/aegis/redis-ca.pem", "--node-id", "eu-1", "--public-url",
                   "https://eu-1.example.com"}),
            "");
  EXPECT_EQ(options_.redis, "rediss://aegis@redis.internal:6380");
  EXPECT_EQ(options_.redis_password_file, "/etc/aegis/redis.pw");
  EXPECT_EQ(options_.redis_ca_file, "/etc/aegis/redis-ca.pem");
  EXPECT_EQ(options_.node_id, "eu-1");
  EXPECT_EQ(options_.public_url, "https://eu-1.example.com");
  EXPECT_EQ(Parse({"--config", WriteConfig("redis = \"redis://aegis@127.0.0.1:6379\"\n"
                                           "redis_password_file = \"pw\"\nnode_id = \"n2\"\n")}),
            "");
  EXPECT_EQ(options_.redis, "redis://aegis@127.0.0.1:6379");
  EXPECT_EQ(options_.node_id, "n2");
  EXPECT_NE(Parse({"--redis", "127.0.0.1:6379"}), "");
  EXPECT_NE(Parse({"--redis", "redis://a@h", "--public-url", "wss://x"}), "");
  // The node options mean nothing without Redis: a forgotten --redis is an error, not one node.
  EXPECT_NE(Parse({"--node-id", "n1"}), "");
  EXPECT_NE(Parse({"--redis-password-file", "pw"}), "");
}

TEST_F(ServerOptionsTest, BadFlagsAreRefused) {
  EXPECT_NE(Parse({"--listen", "8080"}), "");
  EXPECT_NE(Parse({"--listen", ":8080"}), "");
  EXPECT_NE(Parse({"--listen", "127.0.0.1:"}), "");
  EXPECT_NE(Parse({"--listen", "127.0.0.1:65536"}), "");
  EXPECT_NE(Parse({"--listen", "127.0.0.1:80x"}), "");
  EXPECT_NE(Parse({"--media-workers", "0"}), "");
  EXPECT_NE(Parse({"--media-workers", "65"}), "");
  EXPECT_NE(Parse({"--media-workers", "two"}), "");
  EXPECT_NE(Parse({"--media-port", "-1"}), "");
  EXPECT_NE(Parse({"--media-tcp", "yes"}), "");
  EXPECT_NE(Parse({"--token-leeway", "601"}), "");
  EXPECT_NE(Parse({"--max-participants", "0"}), "");
  EXPECT_NE(Parse({"--max-participants", "258"}), "");  // joined lists at most 256 others
  EXPECT_NE(Parse({"--max-connections", "15"}), "");
  EXPECT_NE(Parse({"--max-connections", "100001"}), "");
  EXPECT_NE(Parse({"--max-audio-tracks", "0"}), "");
  EXPECT_NE(Parse({"--max-audio-tracks", "17"}), "");
  EXPECT_NE(Parse({"--max-video-tracks", "0"}), "");
  EXPECT_NE(Parse({"--max-video-tracks", "17"}), "");
  EXPECT_NE(Parse({"--max-video-tracks", "4x"}), "");
  EXPECT_EQ(Parse({"--max-audio-tracks", "1", "--max-video-tracks", "1"}), "");
  for (const char* suite : {"0", "2", "3", "82", "84", "0x53", "-1"}) EXPECT_NE(Parse({"--mls-suite", suite}), "") << suite;
  EXPECT_NE(Parse({"--no-dev-tokens"}), "");  // gone: dev tokens are off unless --dev
  EXPECT_NE(Parse({"--dev", "true"}), "");      // --dev takes no value
  EXPECT_NE(Parse({"--frobnicate", "1"}), "");
  EXPECT_NE(Parse({"--data"}), "");   // needs a value
  EXPECT_NE(Parse({"serve-now"}), "");  // not a flag
  // The message names the problem.
  EXPECT_NE(Parse({"--frobnicate", "1"}).find("frobnicate"), std::string::npos);
}

TEST_F(ServerOptionsTest, TlsCertWithoutKeyIsRefused) {
  EXPECT_NE(Parse({"--tls-cert", "cert.pem"}), "");
  EXPECT_NE(Parse({"--tls-key", "key.pem"}), "");
  EXPECT_EQ(Parse({"--tls-cert", "cert.pem", "--tls-key", "key.pem"}), "");
  // Also when the halves come from different places.
  EXPECT_NE(Parse({"--config", WriteConfig("tls_cert = \"c.pem\"\n")}), "");
  EXPECT_EQ(Parse({"--config", WriteConfig("tls_cert = \"c.pem\"\n"), "--tls-key", "k.pem"}), "");
}

TEST_F(ServerOptionsTest, WhipCorsOriginsAreNoneByDefaultAndRepeatable) {
  EXPECT_EQ(Parse({}), "");
  EXPECT_TRUE(options_.whip_cors_origins.empty());
  EXPECT_EQ(Parse({"--whip-cors-origin", "https://studio.example", "--whip-cors-origin", "http://localhost:3000"}), "");
  EXPECT_EQ(options_.whip_cors_origins,
            (std::vector<std::string>{"https://studio.example", "http://localhost:3000"}));
  EXPECT_NE(Parse({"--whip-cors-origin", "*"}), "");
  EXPECT_NE(Parse({"--whip-cors-origin", "https://studio.example/"}), "");
  EXPECT_NE(Parse({"--whip-cors-origin", "studio.example"}), "");
  EXPECT_NE(Parse({"--whip-cors-origin", "https://"}), "");
  EXPECT_EQ(Parse({"--config", WriteConfig("whip_cors_origin = [\"https://a.example\", \"https://b.example\"]\n")}), "");
  EXPECT_EQ(options_.whip_cors_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_NE(Parse({"--config", WriteConfig("whip_cors_origin = [\"*\"]\n")}), "");
}

TEST_F(ServerOptionsTest, TurnRelaysNeedTheirSecretAndAValidUrl) {
  EXPECT_EQ(Parse({}), "");
  EXPECT_TRUE(options_.turn_urls.empty());
  EXPECT_EQ(options_.turn_ttl_s, 3600);
  EXPECT_EQ(Parse({"--turn-url", "turn:203.0.113.9:3478?transport=udp", "--turn-url",
                   "turns:turn.example.com:443?transport=tcp", "--turn-secret-file", "/etc/aegis/turn.secret",
                   "--turn-ttl", "600"}),
            "");
  EXPECT_EQ(options_.turn_urls, (std::vector<std::string>{"turn:203.0.113.9:3478?transport=udp",
                                                          "turns:turn.example.com:443?transport=tcp"}));
  EXPECT_EQ(options_.turn_secret_file, "/etc/aegis/turn.secret");
  EXPECT_EQ(options_.turn_ttl_s, 600);
  // Each without the other says so.
  EXPECT_NE(Parse({"--turn-url", "turn:203.0.113.9:3478"}).find("--turn-secret-file"), std::string::npos);
  EXPECT_NE(Parse({"--turn-secret-file", "s"}).find("--turn-url"), std::string::npos);
  EXPECT_NE(Parse({"--turn-url", "stun:203.0.113.9:3478", "--turn-secret-file", "s"}), "");
  EXPECT_NE(Parse({"--turn-url", "https://x", "--turn-secret-file", "s"}), "");
  EXPECT_NE(Parse({"--turn-url", "turn:a b", "--turn-secret-file", "s"}), "");
  EXPECT_NE(Parse({"--turn-url", "turn:x", "--turn-secret-file", "s", "--turn-ttl", "59"}), "");
  EXPECT_NE(Parse({"--turn-url", "turn:x", "--turn-secret-file", "s", "--turn-ttl", "86401"}), "");
}

TEST_F(ServerOptionsTest, MetricsTokenFileIsNoneByDefault) {
  EXPECT_EQ(Parse({}), "");
  EXPECT_EQ(options_.metrics_token_file, "");
  EXPECT_EQ(Parse({"--metrics-token-file", "/etc/aegis/metrics.token"}), "");
  EXPECT_EQ(options_.metrics_token_file, "/etc/aegis/metrics.token");
  EXPECT_EQ(Parse({"--config", WriteConfig("metrics_token_file = \"m.token\"\n")}), "");
  EXPECT_EQ(options_.metrics_token_file, "m.token");
}

TEST_F(ServerOptionsTest, TomlFileSetsKeys) {
  const std::string path = WriteConfig(
      "listen = \"0.0.0.0:8443\"\n"
      "data = \"/tmp/aegis-data\"\n"
      "media_workers = 3\n"
      "media-port = 41000\n"
      "media_tcp = false\n"
      "announce = [\"198.51.100.1\", \"198.51.100.2\"]\n"
      "tls = true\n"
      "dev = true\n"
      "token_leeway = 60\n"
      "max_participants = 8\n"
      "max_audio_tracks = 1\n"
      "max-video-tracks = 8\n"
      "mls_suite = 1\n");
  EXPECT_EQ(Parse({"--config", path}), "");
  EXPECT_EQ(options_.listen_host, "0.0.0.0");
  EXPECT_EQ(options_.listen_port, 8443);
  EXPECT_EQ(options_.data_dir, "/tmp/aegis-data");
  EXPECT_EQ(options_.media_workers, 3);
  EXPECT_EQ(options_.media_port, 41000);
  EXPECT_FALSE(options_.media_tcp);
  EXPECT_EQ(options_.announce, (std::vector<std::string>{"198.51.100.1", "198.51.100.2"}));
  EXPECT_TRUE(options_.tls);
  EXPECT_TRUE(options_.dev);
  EXPECT_EQ(options_.token_leeway_s, 60);
  EXPECT_EQ(options_.max_participants_per_room, 8);
  EXPECT_EQ(options_.max_audio_tracks, 1);
  EXPECT_EQ(options_.max_video_tracks, 8);
  EXPECT_EQ(options_.mls_suite, 1);
}

TEST_F(ServerOptionsTest, FlagsWinOverTheFileWhereverItAppears) {
  const std::string path = WriteConfig("media_workers = 3\nlisten = \"127.0.0.1:9000\"\n");
  EXPECT_EQ(Parse({"--media-workers", "5", "--config", path}), "");
  EXPECT_EQ(options_.media_workers, 5);
  EXPECT_EQ(options_.listen_port, 9000);
  EXPECT_EQ(Parse({"--config", path, "--media-workers", "2"}), "");
  EXPECT_EQ(options_.media_workers, 2);
}

TEST_F(ServerOptionsTest, TomlUnknownKeyIsRefused) {
  const std::string path = WriteConfig("media_wokers = 3\n");
  const std::string error = Parse({"--config", path});
  EXPECT_NE(error, "");
  EXPECT_NE(error.find("media-wokers"), std::string::npos) << error;
  EXPECT_NE(Parse({"--config", WriteConfig("tls_on = true\n")}), "");
}

TEST_F(ServerOptionsTest, TomlBadValuesAreRefused) {
  EXPECT_NE(Parse({"--config", WriteConfig("media_workers = 0\n")}), "");
  EXPECT_NE(Parse({"--config", WriteConfig("media_port = 70000\n")}), "");
  EXPECT_NE(Parse({"--config", WriteConfig("media_workers = true\n")}), "");  // bool for an integer key
  EXPECT_NE(Parse({"--config", WriteConfig("max_participants = 1.5\n")}), "");
  EXPECT_NE(Parse({"--config", WriteConfig("announce = [1, 2]\n")}), "");
  EXPECT_NE(Parse({"--config", WriteConfig("data = [\"a\"]\n")}), "");
  EXPECT_NE(Parse({"--config", WriteConfig("[server]\nlisten = \"127.0.0.1:1\"\n")}), "");
  EXPECT_NE(Parse({"--config", WriteConfig("max_audio_tracks = 17\n")}), "");
  EXPECT_NE(Parse({"--config", WriteConfig("max_video_tracks = 0\n")}), "");
  EXPECT_NE(Parse({"--config", WriteConfig("dev = 1\n")}), "");           // a boolean key
  EXPECT_NE(Parse({"--config", WriteConfig("dev_tokens = false\n")}), "");  // gone with --no-dev-tokens
  EXPECT_NE(Parse({"--config", WriteConfig("listen = \n")}), "");  // not TOML
  EXPECT_NE(Parse({"--config", (dir_ / "missing.toml").string()}), "");
}

TEST_F(ServerOptionsTest, LoadServeConfigKeepsOtherKeys) {
  ServeOptions options;
  options.data_dir = "keep-me";
  EXPECT_EQ(LoadServeConfig(WriteConfig("media_port = 0\n"), options), std::nullopt);
  EXPECT_EQ(options.media_port, 0);
  EXPECT_EQ(options.data_dir, "keep-me");
}

TEST(IsLoopbackHost, RecognisesLoopbackOnly) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost("192.168.1.10"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("2001:db8::1"));
  EXPECT_FALSE(IsLoopbackHost("localhost.example.com"));
  EXPECT_FALSE(IsLoopbackHost("example.com"));
  EXPECT_FALSE(IsLoopbackHost(""));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1 "));
}

}  // namespace
}  // namespace aegis::server
