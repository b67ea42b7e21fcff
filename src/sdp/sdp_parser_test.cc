// Parses the hand-written Chromium- and aiortc-style offers, checks the
// fields, serializes, re-parses and compares.
#include "sdp/sdp_parser.h"

#include <gtest/gtest.h>

#include "base/hex.h"
#include "sdp/limits.h"
#include "sdp/sdp_serializer.h"
#include "sdp/test_sdps.h"

namespace aegis::sdp {
namespace {

using testing::kAiortcOffer;
using testing::kChromiumOffer;

SessionDescription MustParse(std::string_view text) {
  auto r = ParseSdp(text);
  EXPECT_TRUE(r.ok()) << "error " << ToString(r.error().error) << " on line " << r.error().line;
  return r.ok() ? *r : SessionDescription{};
}

// serialize → parse must give the same model, and serializing that again the
// same text.
void ExpectStableRoundTrip(const SessionDescription& sd) {
  auto text = SerializeSdp(sd);
  ASSERT_TRUE(text.has_value());
  auto again = ParseSdp(*text);
  ASSERT_TRUE(again.ok()) << ToString(again.error().error) << " line " << again.error().line << "\n" << *text;
  EXPECT_EQ(*again, sd);
  EXPECT_EQ(SerializeSdp(*again), text);
}

TEST(SdpParser, ChromiumOfferSessionLevel) {
  SessionDescription sd = MustParse(kChromiumOffer);
  EXPECT_EQ(sd.version, 0u);
  EXPECT_EQ(sd.origin.username, "-");
  EXPECT_EQ(sd.origin.session_id, 4611731400430051336u);
  EXPECT_EQ(sd.origin.session_version, 2u);
  EXPECT_EQ(sd.origin.address, "127.0.0.1");
  EXPECT_EQ(sd.session_name, "-");
  ASSERT_EQ(sd.timings.size(), 1u);
  EXPECT_EQ(sd.timings[0].start, 0u);
  ASSERT_EQ(sd.groups.size(), 1u);
  EXPECT_EQ(sd.groups[0].semantics, "BUNDLE");
  EXPECT_EQ(sd.groups[0].mids, (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(sd.BundleGroups().size(), 1u);
  EXPECT_TRUE(sd.common.extmap_allow_mixed);
  ASSERT_TRUE(sd.msid_semantic.has_value());
  EXPECT_EQ(sd.msid_semantic->semantic, "WMS");
  EXPECT_EQ(sd.msid_semantic->ids, std::vector<std::string>{"stream-a"});
  EXPECT_FALSE(sd.ice_lite);
  ASSERT_EQ(sd.media.size(), 4u);
  EXPECT_EQ(sd.FindMid("2"), &sd.media[2]);
  EXPECT_EQ(sd.FindMid("9"), nullptr);
}

TEST(SdpParser, ChromiumOfferAudioSection) {
  SessionDescription sd = MustParse(kChromiumOffer);
  const MediaSection& a = sd.media[0];
  EXPECT_EQ(a.kind(), MediaKind::kAudio);
  EXPECT_EQ(a.port, 9);
  EXPECT_EQ(a.profile(), Profile::kUdpTlsRtpSavpf);
  EXPECT_TRUE(a.IsRtp());
  EXPECT_EQ(a.payload_types, (std::vector<uint8_t>{111, 63, 9, 0, 8, 13, 110, 126}));
  EXPECT_TRUE(a.formats.empty());
  ASSERT_TRUE(a.connection.has_value());
  EXPECT_EQ(a.connection->address, "0.0.0.0");
  EXPECT_EQ(a.mid, "0");
  EXPECT_EQ(a.common.direction, Direction::kSendRecv);
  EXPECT_TRUE(a.rtcp_mux);
  EXPECT_FALSE(a.rtcp_rsize);
  EXPECT_EQ(a.common.ice_ufrag, "Xk2q");
  EXPECT_EQ(a.common.ice_pwd, "p7Qv3f9Lm2Zt8Rk1Ws4Yb6Nd");
  EXPECT_EQ(a.common.ice_options, std::vector<std::string>{"trickle"});
  ASSERT_EQ(a.common.fingerprints.size(), 1u);
  EXPECT_EQ(a.common.fingerprints[0].hash, "sha-256");
  EXPECT_EQ(ToHex(a.common.fingerprints[0].digest),
            "4aadb9b13f82183b540212df3e5d496b19e57cab3c5e31f7b3a650c5f3f82c79");
  EXPECT_EQ(a.common.setup, SetupRole::kActPass);

  ASSERT_EQ(a.candidates.size(), 3u);
  const Candidate& host = a.candidates[0];
  EXPECT_EQ(host.foundation, "1467250027");
  EXPECT_EQ(host.component, 1);
  EXPECT_EQ(host.transport, "udp");
  EXPECT_EQ(host.priority, 2122260223u);
  EXPECT_EQ(host.address, "192.0.2.10");
  EXPECT_EQ(host.port, 54400);
  EXPECT_EQ(host.type, "host");
  EXPECT_EQ(host.generation, 0u);
  ASSERT_EQ(host.extensions.size(), 1u);
  EXPECT_EQ(host.extensions[0].name, "network-id");
  EXPECT_EQ(host.extensions[0].value, "1");
  const Candidate& srflx = a.candidates[1];
  EXPECT_EQ(srflx.type, "srflx");
  EXPECT_EQ(srflx.related_address, "192.0.2.10");
  EXPECT_EQ(srflx.related_port, 54400);
  EXPECT_EQ(a.candidates[2].tcp_type, "active");

  ASSERT_EQ(a.common.extmaps.size(), 4u);
  EXPECT_EQ(a.common.extmaps[3].id, 4);
  EXPECT_EQ(a.common.extmaps[3].uri, "urn:ietf:params:rtp-hdrext:sdes:mid");
  EXPECT_FALSE(a.common.extmaps[3].direction.has_value());

  ASSERT_EQ(a.rtpmaps.size(), 8u);
  EXPECT_EQ(a.rtpmaps[0], (RtpMap{111, "opus", 48000, 2}));
  EXPECT_EQ(a.rtpmaps[2], (RtpMap{9, "G722", 8000, std::nullopt}));
  ASSERT_EQ(a.fmtps.size(), 2u);
  EXPECT_EQ(a.fmtps[0].payload_type, 111);
  EXPECT_EQ(a.fmtps[0].parameters, "minptime=10;useinbandfec=1");
  auto params = a.fmtps[0].Parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0], (std::pair<std::string, std::string>{"minptime", "10"}));
  EXPECT_EQ(params[1], (std::pair<std::string, std::string>{"useinbandfec", "1"}));
  auto red = a.fmtps[1].Parameters();  // "111/111" has no '='
  ASSERT_EQ(red.size(), 1u);
  EXPECT_EQ(red[0], (std::pair<std::string, std::string>{"", "111/111"}));
  ASSERT_EQ(a.rtcp_fbs.size(), 1u);
  EXPECT_EQ(a.rtcp_fbs[0], (RtcpFb{111, "transport-cc", ""}));
  ASSERT_EQ(a.msids.size(), 1u);
  EXPECT_EQ(a.msids[0], (Msid{"stream-a", "track-audio"}));
  ASSERT_EQ(a.ssrcs.size(), 2u);
  EXPECT_EQ(a.ssrcs[1], (SsrcAttribute{1001, "msid", "stream-a track-audio"}));
  // a=rtcp has no field of its own: kept as it came.
  ASSERT_EQ(a.common.other.size(), 1u);
  EXPECT_EQ(a.common.other[0], (Attribute{"rtcp", "9 IN IP4 0.0.0.0"}));
}

TEST(SdpParser, ChromiumOfferVideoSimulcastAndData) {
  SessionDescription sd = MustParse(kChromiumOffer);
  const MediaSection& cam = sd.media[1];
  EXPECT_EQ(cam.kind(), MediaKind::kVideo);
  EXPECT_TRUE(cam.rtcp_rsize);
  ASSERT_EQ(cam.ssrc_groups.size(), 1u);
  EXPECT_EQ(cam.ssrc_groups[0], (SsrcGroup{"FID", {2002, 2003}}));
  EXPECT_EQ(cam.ssrcs.size(), 4u);
  ASSERT_EQ(cam.rtcp_fbs.size(), 5u);
  EXPECT_EQ(cam.rtcp_fbs[2], (RtcpFb{96, "ccm", "fir"}));
  EXPECT_EQ(cam.rtcp_fbs[4], (RtcpFb{96, "nack", "pli"}));
  EXPECT_EQ(cam.fmtps[0], (Fmtp{97, "apt=96"}));

  const MediaSection& sim = sd.media[2];
  EXPECT_EQ(sim.common.direction, Direction::kSendOnly);
  ASSERT_EQ(sim.rids.size(), 3u);
  EXPECT_EQ(sim.rids[1].id, "h");
  EXPECT_EQ(sim.rids[1].direction, RidDirection::kSend);
  EXPECT_EQ(sim.rids[1].restrictions, "max-width=640;max-height=360");
  EXPECT_EQ(sim.rids[0].restrictions, "");
  ASSERT_TRUE(sim.simulcast.has_value());
  ASSERT_EQ(sim.simulcast->send.size(), 3u);
  EXPECT_TRUE(sim.simulcast->recv.empty());
  EXPECT_EQ(sim.simulcast->send[0], (SimulcastStream{{"q", false}}));
  EXPECT_EQ(sim.simulcast->send[2], (SimulcastStream{{"f", true}}));
  EXPECT_TRUE(sim.ssrcs.empty());

  const MediaSection& data = sd.media[3];
  EXPECT_EQ(data.kind(), MediaKind::kApplication);
  EXPECT_EQ(data.profile(), Profile::kUdpDtlsSctp);
  EXPECT_FALSE(data.IsRtp());
  EXPECT_TRUE(data.payload_types.empty());
  EXPECT_EQ(data.formats, std::vector<std::string>{"webrtc-datachannel"});
  EXPECT_EQ(data.sctp_port, 5000);
  EXPECT_EQ(data.max_message_size, 262144u);
  EXPECT_TRUE(data.common.other.empty());
}

TEST(SdpParser, ChromiumOfferRoundTrips) { ExpectStableRoundTrip(MustParse(kChromiumOffer)); }

TEST(SdpParser, AiortcOfferFields) {
  SessionDescription sd = MustParse(kAiortcOffer);
  EXPECT_EQ(sd.origin.session_id, 3912345678u);
  ASSERT_TRUE(sd.msid_semantic.has_value());
  EXPECT_EQ(sd.msid_semantic->ids, std::vector<std::string>{"*"});
  ASSERT_EQ(sd.media.size(), 3u);
  const MediaSection& audio = sd.media[0];
  EXPECT_EQ(audio.port, 45002);
  EXPECT_EQ(audio.connection->address, "127.0.0.2");
  ASSERT_EQ(audio.candidates.size(), 1u);
  EXPECT_EQ(audio.candidates[0].foundation, "8d4a2b6c9e0f1a3b5c7d9e1f2a4b6c8d");
  EXPECT_EQ(audio.candidates[0].transport, "udp");
  EXPECT_EQ(audio.candidates[0].priority, 2130706431u);
  EXPECT_FALSE(audio.candidates[0].generation.has_value());
  EXPECT_TRUE(audio.common.end_of_candidates);
  ASSERT_EQ(audio.common.fingerprints.size(), 3u);
  EXPECT_EQ(audio.common.fingerprints[0].digest.size(), 32u);
  EXPECT_EQ(audio.common.fingerprints[1].hash, "sha-384");
  EXPECT_EQ(audio.common.fingerprints[1].digest.size(), 48u);
  EXPECT_EQ(audio.common.fingerprints[2].digest.size(), 64u);
  EXPECT_EQ(audio.ssrcs[0].ssrc, 3735928559u);  // above 2^31: the full 32 bits
  EXPECT_EQ(audio.msids[0].id, "6b1f0c2e-35a4-4c55-9d1e-0f2a3b4c5d6e");
  const MediaSection& video = sd.media[1];
  EXPECT_EQ(video.ssrc_groups[0], (SsrcGroup{"FID", {305419896, 2596069104}}));
  EXPECT_EQ(video.rtpmaps[1], (RtpMap{98, "rtx", 90000, std::nullopt}));
  const MediaSection& data = sd.media[2];
  EXPECT_EQ(data.max_message_size, 65536u);
  EXPECT_EQ(data.common.ice_ufrag, "Wq4N");
}

TEST(SdpParser, AiortcOfferRoundTripsAndLineEndingsDoNotMatter) {
  SessionDescription sd = MustParse(kAiortcOffer);
  ExpectStableRoundTrip(sd);
  std::string crlf;
  for (char c : std::string_view(kAiortcOffer)) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  EXPECT_EQ(MustParse(crlf), sd);
  // The serializer always writes "\r\n" and only "\r\n".
  auto text = SerializeSdp(sd);
  ASSERT_TRUE(text.has_value());
  for (size_t i = 0; i < text->size(); ++i) {
    if ((*text)[i] == '\n') {
      EXPECT_EQ((*text)[i - 1], '\r');
    }
  }
}

TEST(SdpParser, LastLineWithoutNewline) {
  std::string text = kChromiumOffer;
  text.resize(text.size() - 2);  // drop the final "\r\n"
  EXPECT_EQ(MustParse(text), MustParse(kChromiumOffer));
}

TEST(SdpParser, UnknownAttributesKeptAtTheirLevel) {
  SessionDescription sd = MustParse(
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
      "a=mid:wrong-level\r\n"  // a media attribute at session level: kept as unknown
      "a=x-flag\r\na=x-empty:\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=ptime:20\r\na=ice-lite\r\n");
  EXPECT_EQ(sd.common.other,
            (std::vector<Attribute>{{"mid", "wrong-level"}, {"x-flag", std::nullopt}, {"x-empty", ""}}));
  EXPECT_FALSE(sd.ice_lite);
  EXPECT_EQ(sd.media[0].common.other, (std::vector<Attribute>{{"ptime", "20"}, {"ice-lite", std::nullopt}}));
  EXPECT_FALSE(sd.media[0].mid.has_value());
  ExpectStableRoundTrip(sd);
}

TEST(SdpParser, OptionalSessionLinesRoundTrip) {
  SessionDescription sd = MustParse(
      "v=0\r\no=alice 7 8 IN IP6 ::1\r\ns= \r\ni=A call\r\nu=https://example.org/\r\n"
      "e=alice@example.org\r\np=+1 555 0100\r\nc=IN IP6 ::1\r\nb=AS:512\r\n"
      "t=3034423619 3042462419\r\nr=7d 1h 0 25h\r\nt=0 0\r\nz=2882844526 -1h\r\n"
      "a=ice-lite\r\na=recvonly\r\n"
      "m=video 50000/2 RTP/AVP 31\r\ni=cam\r\nb=TIAS:1000000\r\n");
  EXPECT_EQ(sd.origin.username, "alice");
  EXPECT_EQ(sd.session_name, " ");
  EXPECT_EQ(sd.information, "A call");
  EXPECT_EQ(sd.emails, std::vector<std::string>{"alice@example.org"});
  EXPECT_EQ(sd.phones, std::vector<std::string>{"+1 555 0100"});
  EXPECT_EQ(sd.connection, (Connection{"IN", "IP6", "::1"}));
  EXPECT_EQ(sd.bandwidths, std::vector<Bandwidth>{(Bandwidth{"AS", 512})});
  ASSERT_EQ(sd.timings.size(), 2u);
  EXPECT_EQ(sd.timings[0].repeats, std::vector<std::string>{"7d 1h 0 25h"});
  EXPECT_EQ(sd.zone_adjustments, "2882844526 -1h");
  EXPECT_TRUE(sd.ice_lite);
  EXPECT_EQ(sd.common.direction, Direction::kRecvOnly);
  EXPECT_EQ(sd.media[0].port_count, 2);
  EXPECT_EQ(sd.media[0].profile(), Profile::kRtpAvp);
  EXPECT_EQ(sd.media[0].title, "cam");
  ExpectStableRoundTrip(sd);
}

// A line at the length limit must still be writable: no line grows when
// written (the fuzzer found merged a=ice-options lines outgrowing the limit).
TEST(SdpParser, LinesAtTheLengthLimitStayWritable) {
  std::string semantic = "a=msid-semantic:WMS";  // written back without a space added
  while (semantic.size() + 2 <= kMaxLineLength) semantic += " s";
  if (semantic.size() < kMaxLineLength) semantic += 's';
  ASSERT_EQ(semantic.size(), kMaxLineLength);
  std::string options = "a=ice-options:";
  while (options.size() + 2 <= kMaxLineLength) options += " t";
  SessionDescription sd =
      MustParse("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n" + semantic + "\r\n" + options + "\r\n");
  ExpectStableRoundTrip(sd);
}

TEST(SdpParser, ParsesBytes) {
  std::string_view text = testing::kMinimalValid;
  std::vector<uint8_t> bytes(text.begin(), text.end());
  auto r = ParseSdp(std::span<const uint8_t>(bytes));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, MustParse(text));
}

}  // namespace
}  // namespace aegis::sdp
