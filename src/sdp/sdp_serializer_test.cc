// Serializer: canonical text comes back byte for byte; a model built in code
// is written in RFC 8866 order; nothing in a field can inject a line.
#include "sdp/sdp_serializer.h"

#include <gtest/gtest.h>

#include "sdp/sdp_parser.h"
#include "sdp/test_sdps.h"

namespace aegis::sdp {
namespace {

// Written in the serializer's own order, so it must come back unchanged.
constexpr const char* kCanonical =
    "v=0\r\n"
    "o=- 42 3 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE v d\r\n"
    "a=ice-lite\r\n"
    "a=msid-semantic:WMS s1\r\n"
    "a=ice-ufrag:Ab+/\r\n"
    "a=ice-pwd:0123456789abcdefghijkl\r\n"
    "a=ice-options:trickle ice2\r\n"
    "a=fingerprint:sha-384 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:"
    "1C:1D:1E:1F:20:21:22:23:24:25:26:27:28:29:2A:2B:2C:2D:2E:2F\r\n"
    "a=setup:passive\r\n"
    "a=extmap-allow-mixed\r\n"
    "m=video 40000 UDP/TLS/RTP/SAVPF 96 97\r\n"
    "c=IN IP4 192.0.2.5\r\n"
    "b=AS:2000\r\n"
    "a=mid:v\r\n"
    "a=msid:s1 t1\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=recvonly\r\n"
    "a=extmap:3/recvonly urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=extmap:200 urn:example:two-byte attr1 attr2\r\n"
    "a=rtpmap:96 H264/90000\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=rtcp-fb:* nack\r\n"
    "a=rtcp-fb:96 trr-int 100\r\n"
    "a=fmtp:96 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=fmtp:97\r\n"
    "a=rid:lo recv pt=96;max-width=320\r\n"
    "a=rid:hi recv\r\n"
    "a=simulcast:send a,~b recv lo;hi\r\n"
    "a=ssrc-group:FID 1 2\r\n"
    "a=ssrc:1 cname:c\r\n"
    "a=ssrc:2 label\r\n"
    "a=candidate:0 1 UDP 2130706431 192.0.2.5 40000 typ host\r\n"
    "a=candidate:1 1 TCP 1518280447 192.0.2.5 443 typ host tcptype passive generation 0 ufrag Ab+/\r\n"
    "a=candidate:2 2 UDP 1 198.51.100.1 3478 typ relay raddr 0.0.0.0 rport 0\r\n"
    "a=end-of-candidates\r\n"
    "a=x-unknown:keep this, as it is\r\n"
    "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "a=mid:d\r\n"
    "a=bundle-only\r\n"
    "a=sctp-port:5000\r\n"
    "a=max-message-size:0\r\n";

TEST(SdpSerializer, CanonicalTextComesBackByteForByte) {
  for (const char* text : {kCanonical, testing::kMinimalValid}) {
    auto sd = ParseSdp(text);
    ASSERT_TRUE(sd.ok()) << ToString(sd.error().error) << " line " << sd.error().line;
    auto out = SerializeSdp(*sd);
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(*out, text);
  }
}

TEST(SdpSerializer, CanonicalFieldsParsedAsWritten) {
  auto sd = ParseSdp(kCanonical);
  ASSERT_TRUE(sd.ok());
  const MediaSection& v = sd->media[0];
  EXPECT_EQ(v.common.extmaps[0].direction, Direction::kRecvOnly);
  EXPECT_EQ(v.common.extmaps[1].id, 200);
  EXPECT_EQ(v.common.extmaps[1].attributes, "attr1 attr2");
  EXPECT_EQ(v.rtcp_fbs[0], (RtcpFb{std::nullopt, "nack", ""}));
  EXPECT_EQ(v.rtcp_fbs[1], (RtcpFb{96, "trr-int", "100"}));
  EXPECT_EQ(v.fmtps[1], (Fmtp{97, ""}));
  EXPECT_TRUE(v.fmtps[1].Parameters().empty());
  EXPECT_EQ(v.rids[0].direction, RidDirection::kRecv);
  ASSERT_TRUE(v.simulcast.has_value());
  EXPECT_EQ(v.simulcast->send, (std::vector<SimulcastStream>{{{"a", false}, {"b", true}}}));
  EXPECT_EQ(v.simulcast->recv, (std::vector<SimulcastStream>{{{"lo", false}}, {{"hi", false}}}));
  EXPECT_EQ(v.ssrcs[1], (SsrcAttribute{2, "label", std::nullopt}));
  EXPECT_EQ(v.candidates[1].extensions, (std::vector<CandidateExtension>{{"ufrag", "Ab+/"}}));
  EXPECT_EQ(v.candidates[2].component, 2);
  EXPECT_EQ(v.candidates[2].related_port, 0);
  EXPECT_EQ(v.common.other, (std::vector<Attribute>{{"x-unknown", "keep this, as it is"}}));
  EXPECT_EQ(sd->common.setup, SetupRole::kPassive);
  EXPECT_EQ(sd->media[1].port, 0);
  EXPECT_TRUE(sd->media[1].bundle_only);
  EXPECT_EQ(sd->media[1].max_message_size, 0u);
}

TEST(SdpSerializer, NormalizesWhatParsingAccepts) {
  // Lower-case hex, upper-case hash name, extra spaces, leading zeros, the
  // send/recv order of a=simulcast and repeated flags all normalize.
  auto sd = ParseSdp(
      "v=0\n"
      "o=- 007 1 IN IP4 0.0.0.0\n"
      "s=-\n"
      "t=0 0\n"
      "m=video  9   UDP/TLS/RTP/SAVPF  096\n"
      "a=fingerprint:SHA-256 0a:0b\n"
      "a=simulcast:recv r send s\n"
      "a=rtcp-mux\n"
      "a=rtcp-mux\n");
  ASSERT_TRUE(sd.ok()) << ToString(sd.error().error) << " line " << sd.error().line;
  EXPECT_EQ(sd->origin.session_id, 7u);
  EXPECT_EQ(sd->media[0].payload_types, std::vector<uint8_t>{96});
  EXPECT_EQ(sd->media[0].common.fingerprints[0].hash, "sha-256");
  EXPECT_EQ(SerializeSdp(*sd),
            "v=0\r\n"
            "o=- 7 1 IN IP4 0.0.0.0\r\n"
            "s=-\r\n"
            "t=0 0\r\n"
            "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
            "a=fingerprint:sha-256 0A:0B\r\n"
            "a=rtcp-mux\r\n"
            "a=simulcast:send s recv r\r\n");
}

SessionDescription BuiltAnswer() {
  SessionDescription sd;
  sd.origin.session_id = 99;
  sd.timings.push_back({});
  sd.ice_lite = true;
  sd.groups.push_back({"BUNDLE", {"0"}});
  MediaSection& m = sd.media.emplace_back();
  m.payload_types = {111};
  m.connection = Connection{};
  m.mid = "0";
  m.common.ice_ufrag = "srv1";
  m.common.ice_pwd = "0123456789012345678901";
  m.common.fingerprints.push_back({"sha-256", std::vector<uint8_t>(32, 0xab)});
  m.common.setup = SetupRole::kPassive;
  m.rtcp_mux = true;
  m.common.direction = Direction::kSendRecv;
  m.rtpmaps.push_back({111, "opus", 48000, 2});
  Candidate& c = m.candidates.emplace_back();
  c.foundation = "1";
  c.transport = "udp";
  c.priority = 2130706431;
  c.address = "127.0.0.1";
  c.port = 50000;
  c.type = "host";
  m.common.end_of_candidates = true;
  return sd;
}

TEST(SdpSerializer, WritesAModelBuiltInCode) {
  auto text = SerializeSdp(BuiltAnswer());
  ASSERT_TRUE(text.has_value());
  std::string ab = "AB";
  for (int i = 1; i < 32; ++i) ab += ":AB";
  EXPECT_EQ(*text,
            "v=0\r\n"
            "o=- 99 0 IN IP4 0.0.0.0\r\n"
            "s=-\r\n"
            "t=0 0\r\n"
            "a=group:BUNDLE 0\r\n"
            "a=ice-lite\r\n"
            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
            "c=IN IP4 0.0.0.0\r\n"
            "a=mid:0\r\n"
            "a=ice-ufrag:srv1\r\n"
            "a=ice-pwd:0123456789012345678901\r\n"
            "a=fingerprint:sha-256 " + ab + "\r\n"
            "a=setup:passive\r\n"
            "a=rtcp-mux\r\n"
            "a=sendrecv\r\n"
            "a=rtpmap:111 opus/48000/2\r\n"
            "a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host\r\n"
            "a=end-of-candidates\r\n");
  auto back = ParseSdp(*text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, BuiltAnswer());
}

TEST(SdpSerializer, RefusesFieldsThatWouldBreakTheFraming) {
  ASSERT_TRUE(SerializeSdp(BuiltAnswer()).has_value());
  auto refuses = [](auto change) {
    SessionDescription sd = BuiltAnswer();
    change(sd);
    return !SerializeSdp(sd).has_value();
  };
  // A peer-chosen string smuggling in a line.
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].mid = "0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 x"; }));
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.session_name = "-\na=crypto:1"; }));
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].common.other.push_back({"x", "a\rb"}); }));
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].ssrcs.push_back({1, "cname", std::string("a\0b", 3)}); }));
  // Fields that would split or vanish.
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].common.ice_ufrag = "a b"; }));
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].mid = ""; }));
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].common.other.push_back({"a:b", std::nullopt}); }));
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].candidates[0].address = ""; }));
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].common.fingerprints[0].digest.clear(); }));
  // Numbers the model can hold but SDP cannot carry.
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].payload_types = {200}; }));
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].rtpmaps[0].payload_type = 128; }));
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].common.extmaps.push_back({0, {}, "urn:x", ""}); }));
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].candidates[0].component = 0; }));
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.version = 1; }));
  // A line longer than the parser accepts.
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].common.ice_options.assign(200, "trickle"); }));
  // Structure the parser would refuse.
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.timings.clear(); }));
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].payload_types.clear(); }));
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].formats = {"webrtc-datachannel"}; }));
  EXPECT_TRUE(refuses([](SessionDescription& sd) { sd.media[0].simulcast = Simulcast{}; }));
}

}  // namespace
}  // namespace aegis::sdp
