#include "negotiation/subscriber_offer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sdp/sdp_parser.h"
#include "sdp/sdp_serializer.h"

namespace aegis::negotiation {
namespace {

constexpr const char* kBrowserFingerprint =
    "sha-256 9C:41:E0:7B:23:5A:C8:16:F2:0D:94:BB:37:6E:A1:58:C3:0F:72:E9:4D:86:1B:A5:5C:E3:08:9F:D6:2A:71:B4";

// What Chrome answers to an offer like the one OfferFor() builds (written by
// hand in Chrome's shape): setup active, recvonly for the live tracks,
// inactive for the ended one, every section in the one BUNDLE group.
constexpr const char* kChromeAnswer =
    "v=0\r\n"
    "o=- 8147035672384019265 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1 2\r\n"
    "a=msid-semantic: WMS\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:vH3k\r\n"
    "a=ice-pwd:Tq9Lw2Zp7Rm4Xc8Nb1Fy5Gd6\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "9C:41:E0:7B:23:5A:C8:16:F2:0D:94:BB:37:6E:A1:58:C3:0F:72:E9:4D:86:1B:A5:5C:E3:08:9F:D6:2A:71:B4\r\n"
    "a=setup:active\r\n"
    "a=mid:0\r\n"
    "a=recvonly\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:vH3k\r\n"
    "a=ice-pwd:Tq9Lw2Zp7Rm4Xc8Nb1Fy5Gd6\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "9C:41:E0:7B:23:5A:C8:16:F2:0D:94:BB:37:6E:A1:58:C3:0F:72:E9:4D:86:1B:A5:5C:E3:08:9F:D6:2A:71:B4\r\n"
    "a=setup:active\r\n"
    "a=mid:1\r\n"
    "a=recvonly\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 ccm fir\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:vH3k\r\n"
    "a=ice-pwd:Tq9Lw2Zp7Rm4Xc8Nb1Fy5Gd6\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "9C:41:E0:7B:23:5A:C8:16:F2:0D:94:BB:37:6E:A1:58:C3:0F:72:E9:4D:86:1B:A5:5C:E3:08:9F:D6:2A:71:B4\r\n"
    "a=setup:active\r\n"
    "a=mid:2\r\n"
    "a=inactive\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n";

// Replaces every `from` in `text`; fails the test if there is none, so a
// refusal test cannot pass on an answer it forgot to change.
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  size_t count = 0;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
    ++count;
  }
  EXPECT_GT(count, 0u) << "not in the answer: " << from;
  return text;
}

// Drops every line starting with `prefix`.
std::string RemoveLines(const std::string& text, const std::string& prefix) {
  std::string out;
  size_t removed = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find("\r\n", start);
    end = end == std::string::npos ? text.size() : end + 2;
    std::string line = text.substr(start, end - start);
    if (line.rfind(prefix, 0) == 0) {
      ++removed;
    } else {
      out += line;
    }
    start = end;
  }
  EXPECT_GT(removed, 0u) << "not in the answer: " << prefix;
  return out;
}

class SubscriberOfferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    local_.ice = {"srvufrag", "serverPassword0123456789abcdef"};
    local_.fingerprint = *dtls::Fingerprint::Parse(
        "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3C:5E:31:F7:B3:A6:50:C5:F3:F8:2C:79");
    local_.candidates = {stun::TransportAddress::Ipv4({127, 0, 0, 1}, 40000)};
    local_.session_id = 42;
    tracks_ = {
        {"0", sdp::MediaKind::kAudio, 1111, "alice", "alice-mic", true},
        {"1", sdp::MediaKind::kVideo, 2222, "alice", "alice-cam", true, 2223},
        {"2", sdp::MediaKind::kAudio, 3333, "bob", "bob-mic", false},
    };
  }
  static sdp::SessionDescription Parse(const std::string& text) {
    auto parsed = sdp::ParseSdp(text);
    EXPECT_TRUE(parsed.ok()) << text << "\nline " << (parsed.ok() ? 0 : parsed.error().line);
    return parsed.ok() ? std::move(parsed).value() : sdp::SessionDescription{};
  }
  sdp::SessionDescription Offer() {
    auto offer = BuildSubscriberOffer(local_, 7, tracks_);
    EXPECT_TRUE(offer.ok());
    return offer.ok() ? std::move(offer).value() : sdp::SessionDescription{};
  }
  NegotiationErrorCode BuildError() {
    auto offer = BuildSubscriberOffer(local_, 7, tracks_);
    EXPECT_FALSE(offer.ok());
    return offer.ok() ? NegotiationErrorCode::kPolicy : offer.error().code;
  }
  // The error AcceptSubscriberAnswer gives for `answer_text` against Offer().
  NegotiationError AnswerError(const std::string& answer_text) {
    auto accepted = AcceptSubscriberAnswer(Offer(), Parse(answer_text));
    EXPECT_FALSE(accepted.ok());
    return accepted.ok() ? NegotiationError{NegotiationErrorCode::kPolicy, std::nullopt} : accepted.error();
  }
  LocalParameters local_;
  std::vector<OfferedTrack> tracks_;
};

bool HasLine(const std::string& text, const std::string& line) {
  return text.find("\r\n" + line + "\r\n") != std::string::npos;
}

TEST_F(SubscriberOfferTest, OfferRoundTripsAndCarriesWhatChromeNeeds) {
  auto offer = Offer();
  EXPECT_TRUE(sdp::ValidateForWebRtc(offer, sdp::SdpType::kOffer).ok());
  auto text = sdp::SerializeSdp(offer);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(Parse(*text), offer);

  const std::string& t = *text;
  EXPECT_EQ(t.rfind("v=0\r\no=- 42 7 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 0), 0u) << t;
  for (const char* line : {
           "a=group:BUNDLE 0 1 2", "a=ice-lite", "a=msid-semantic:WMS *",
           "m=audio 40000 UDP/TLS/RTP/SAVPF 111", "m=video 40000 UDP/TLS/RTP/SAVPF 96 97", "c=IN IP4 127.0.0.1",
           "a=mid:0", "a=mid:1", "a=mid:2", "a=ice-ufrag:srvufrag", "a=ice-pwd:serverPassword0123456789abcdef",
           "a=fingerprint:sha-256 "
           "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3C:5E:31:F7:B3:A6:50:C5:F3:F8:2C:79",
           "a=setup:actpass", "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host", "a=end-of-candidates",
           "a=rtcp-mux", "a=rtcp-rsize", "a=sendonly", "a=inactive",
           "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1", "a=rtpmap:96 VP8/90000",
           "a=rtcp-fb:96 nack", "a=rtcp-fb:96 nack pli", "a=rtcp-fb:96 ccm fir",
           "a=msid:alice alice-mic", "a=ssrc:1111 cname:aegis", "a=ssrc:1111 msid:alice alice-mic",
           "a=msid:alice alice-cam", "a=ssrc:2222 cname:aegis", "a=ssrc:2222 msid:alice alice-cam",
           // Retransmissions (RFC 4588) on their own SSRC, paired with the media one.
           "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96", "a=ssrc-group:FID 2222 2223", "a=ssrc:2223 cname:aegis",
           "a=ssrc:2223 msid:alice alice-cam",
       }) {
    EXPECT_TRUE(HasLine(t, line)) << "missing " << line << " in\n" << t;
  }
  // One extension, the transport-wide sequence number, with its feedback on every codec.
  EXPECT_TRUE(HasLine(t, "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"));
  EXPECT_TRUE(HasLine(t, "a=rtcp-fb:96 transport-cc"));
  EXPECT_TRUE(HasLine(t, "a=rtcp-fb:111 transport-cc"));
  EXPECT_EQ(t.find("a=extmap:", t.find("a=extmap:") + 1), t.find("a=extmap:3", t.find("a=extmap:") + 1))
      << "another extension than transport-wide-cc offered:\n" << t;
  EXPECT_EQ(t.find("goog-remb"), std::string::npos);
  EXPECT_EQ(t.find("a=sendrecv"), std::string::npos);
}

TEST_F(SubscriberOfferTest, EachSectionFollowsItsTrack) {
  auto offer = Offer();
  ASSERT_EQ(offer.media.size(), 3u);
  EXPECT_TRUE(offer.ice_lite);
  ASSERT_EQ(offer.groups.size(), 1u);
  EXPECT_EQ(offer.groups[0].mids, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(offer.origin.session_version, 7u);
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const auto& m = offer.media[i];
    EXPECT_EQ(m.mid, tracks_[i].mid);
    EXPECT_EQ(m.kind(), tracks_[i].kind);
    EXPECT_EQ(m.common.setup, sdp::SetupRole::kActPass);
    EXPECT_TRUE(m.common.end_of_candidates);
    EXPECT_TRUE(m.rtcp_mux);
    ASSERT_EQ(m.common.extmaps.size(), 1u);  // the same id in every section of the bundle
    EXPECT_EQ(m.common.extmaps[0].id, kSubscriberTransportSequenceId);
  }
  EXPECT_EQ(offer.media[0].payload_types, std::vector<uint8_t>{kSubscriberOpusPayloadType});
  EXPECT_EQ(offer.media[0].rtcp_fbs, (std::vector<sdp::RtcpFb>{{kSubscriberOpusPayloadType, "transport-cc", ""}}));
  EXPECT_EQ(offer.media[1].payload_types,
            (std::vector<uint8_t>{kSubscriberVp8PayloadType, kSubscriberRtxPayloadType}));
  EXPECT_EQ(offer.media[1].rtcp_fbs.size(), 4u);
  EXPECT_EQ(offer.media[0].common.direction, sdp::Direction::kSendOnly);
  // The ended track keeps its section (and its place in BUNDLE), without a stream.
  const auto& ended = offer.media[2];
  EXPECT_EQ(ended.common.direction, sdp::Direction::kInactive);
  EXPECT_NE(ended.port, 0);
  EXPECT_TRUE(ended.ssrcs.empty());
  EXPECT_TRUE(ended.msids.empty());
}

TEST_F(SubscriberOfferTest, WithoutCandidatesTheOfferStillHasAConnectionLine) {
  local_.candidates.clear();
  auto offer = Offer();
  ASSERT_FALSE(offer.media.empty());
  EXPECT_EQ(offer.media[0].port, 9);
  ASSERT_TRUE(offer.media[0].connection.has_value());
  EXPECT_EQ(offer.media[0].connection->address, "0.0.0.0");
  EXPECT_TRUE(offer.media[0].candidates.empty());
}

TEST_F(SubscriberOfferTest, TcpCandidatesArePassiveAndRankBelowUdp) {
  local_.candidates = {stun::TransportAddress::Ipv4({127, 0, 0, 1}, 40000),
                       stun::TransportAddress::Ipv4({127, 0, 0, 1}, 40000).OverTcp()};
  auto text = sdp::SerializeSdp(Offer());
  ASSERT_TRUE(text.has_value());
  EXPECT_TRUE(HasLine(*text, "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host")) << *text;
  // RFC 6544 §4.2: (2^24)126 + (2^8)(2^13 * 4 + 8191) + 255.
  EXPECT_TRUE(HasLine(*text, "a=candidate:2 1 tcp 2124414975 127.0.0.1 40000 typ host tcptype passive")) << *text;
  EXPECT_TRUE(HasLine(*text, "m=audio 40000 UDP/TLS/RTP/SAVPF 111")) << *text;
}

TEST_F(SubscriberOfferTest, AcceptsAChromeAnswer) {
  auto answer = Parse(kChromeAnswer);
  auto accepted = AcceptSubscriberAnswer(Offer(), answer);
  ASSERT_TRUE(accepted.ok()) << static_cast<int>(accepted.error().code);
  EXPECT_EQ(accepted->remote_ice.ufrag, "vH3k");
  EXPECT_EQ(accepted->remote_ice.pwd, "Tq9Lw2Zp7Rm4Xc8Nb1Fy5Gd6");
  EXPECT_EQ(accepted->remote_fingerprint, *dtls::Fingerprint::Parse(kBrowserFingerprint));
  EXPECT_EQ(accepted->local_dtls_role, dtls::DtlsRole::kServer);
  EXPECT_TRUE(accepted->rejected_mids.empty());
}

TEST_F(SubscriberOfferTest, AcceptsAnAnswerToItsOwnSerializedOffer) {
  // What the server really compares against is the offer it sent, re-read.
  auto offer = Offer();
  auto text = sdp::SerializeSdp(offer);
  ASSERT_TRUE(text.has_value());
  EXPECT_TRUE(AcceptSubscriberAnswer(Parse(*text), Parse(kChromeAnswer)).ok());
}

TEST_F(SubscriberOfferTest, PassiveAnswerMakesUsTheDtlsClient) {
  auto passive = ReplaceAll(kChromeAnswer, "a=setup:active", "a=setup:passive");
  auto accepted = AcceptSubscriberAnswer(Offer(), Parse(passive));
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->local_dtls_role, dtls::DtlsRole::kClient);
}

TEST_F(SubscriberOfferTest, SessionLevelTransportAttributesAreUsed) {
  std::string text = RemoveLines(RemoveLines(kChromeAnswer, "a=fingerprint:"), "a=setup:");
  std::string session_level = std::string("a=fingerprint:") + kBrowserFingerprint + "\r\na=setup:passive\r\n";
  text = ReplaceAll(text, "a=group:BUNDLE 0 1 2\r\n", "a=group:BUNDLE 0 1 2\r\n" + session_level);
  auto accepted = AcceptSubscriberAnswer(Offer(), Parse(text));
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->remote_fingerprint, *dtls::Fingerprint::Parse(kBrowserFingerprint));
  EXPECT_EQ(accepted->local_dtls_role, dtls::DtlsRole::kClient);
}

TEST_F(SubscriberOfferTest, ReportsARejectedSectionOutsideTheTag) {
  // The browser stopped the video transceiver: port 0, out of the BUNDLE group.
  std::string text = ReplaceAll(kChromeAnswer, "m=video 9 ", "m=video 0 ");
  text = ReplaceAll(text, "a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 2");
  auto accepted = AcceptSubscriberAnswer(Offer(), Parse(text));
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->rejected_mids, std::vector<std::string>{"1"});
}

TEST_F(SubscriberOfferTest, RefusesSectionsInAnotherOrder) {
  auto answer = Parse(kChromeAnswer);
  std::swap(answer.media[0], answer.media[2]);  // both audio: only the mids differ
  auto accepted = AcceptSubscriberAnswer(Offer(), answer);
  ASSERT_FALSE(accepted.ok());
  EXPECT_EQ(accepted.error().code, NegotiationErrorCode::kAnswerMismatch);
}

TEST_F(SubscriberOfferTest, RefusesAMissingSection) {
  auto answer = Parse(kChromeAnswer);
  answer.media.pop_back();
  answer.groups[0].mids.pop_back();
  auto accepted = AcceptSubscriberAnswer(Offer(), answer);
  ASSERT_FALSE(accepted.ok());
  EXPECT_EQ(accepted.error().code, NegotiationErrorCode::kAnswerMismatch);
}

TEST_F(SubscriberOfferTest, RefusesAnExtraSection) {
  auto answer = Parse(kChromeAnswer);
  answer.media.push_back(answer.media.back());
  answer.media.back().mid = "3";
  answer.groups[0].mids.push_back("3");
  auto accepted = AcceptSubscriberAnswer(Offer(), answer);
  ASSERT_FALSE(accepted.ok());
  EXPECT_EQ(accepted.error().code, NegotiationErrorCode::kAnswerMismatch);
}

TEST_F(SubscriberOfferTest, RefusesAnotherKind) {
  EXPECT_EQ(AnswerError(ReplaceAll(kChromeAnswer, "m=video 9 UDP/TLS/RTP/SAVPF 96", "m=audio 9 UDP/TLS/RTP/SAVPF 96"))
                .code,
            NegotiationErrorCode::kAnswerMismatch);
}

TEST_F(SubscriberOfferTest, RefusesActpassAndMissingSetup) {
  auto actpass = AnswerError(ReplaceAll(kChromeAnswer, "a=setup:active", "a=setup:actpass"));
  EXPECT_EQ(actpass.code, NegotiationErrorCode::kPolicy);
  ASSERT_TRUE(actpass.policy.has_value());
  EXPECT_EQ(actpass.policy->error, sdp::PolicyError::kInvalidSetup);

  auto absent = AnswerError(RemoveLines(kChromeAnswer, "a=setup:"));
  EXPECT_EQ(absent.code, NegotiationErrorCode::kPolicy);
  ASSERT_TRUE(absent.policy.has_value());
  EXPECT_EQ(absent.policy->error, sdp::PolicyError::kMissingSetup);
}

TEST_F(SubscriberOfferTest, RefusesDirectionsThatSendToTheServer) {
  EXPECT_EQ(AnswerError(ReplaceAll(kChromeAnswer, "a=recvonly", "a=sendrecv")).code,
            NegotiationErrorCode::kBadDirection);
  EXPECT_EQ(AnswerError(ReplaceAll(kChromeAnswer, "a=recvonly", "a=sendonly")).code,
            NegotiationErrorCode::kBadDirection);
  // No direction attribute means sendrecv (RFC 3264 §5.1).
  EXPECT_EQ(AnswerError(RemoveLines(kChromeAnswer, "a=recvonly")).code, NegotiationErrorCode::kBadDirection);
  // An inactive offer can only be answered inactive.
  EXPECT_EQ(AnswerError(ReplaceAll(kChromeAnswer, "a=inactive", "a=recvonly")).code,
            NegotiationErrorCode::kBadDirection);
}

TEST_F(SubscriberOfferTest, AcceptsAnInactiveAnswerToALiveTrack) {
  auto accepted = AcceptSubscriberAnswer(Offer(), Parse(ReplaceAll(kChromeAnswer, "a=recvonly", "a=inactive")));
  EXPECT_TRUE(accepted.ok());
}

TEST_F(SubscriberOfferTest, RefusesAnAnswerWithoutFingerprint) {
  auto error = AnswerError(RemoveLines(kChromeAnswer, "a=fingerprint:"));
  EXPECT_EQ(error.code, NegotiationErrorCode::kPolicy);
  ASSERT_TRUE(error.policy.has_value());
  EXPECT_EQ(error.policy->error, sdp::PolicyError::kMissingFingerprint);
}

TEST_F(SubscriberOfferTest, RefusesAnAnswerWithoutIceCredentials) {
  auto error = AnswerError(RemoveLines(kChromeAnswer, "a=ice-pwd:"));
  EXPECT_EQ(error.code, NegotiationErrorCode::kPolicy);
  ASSERT_TRUE(error.policy.has_value());
  EXPECT_EQ(error.policy->error, sdp::PolicyError::kMissingIceCredentials);
}

TEST_F(SubscriberOfferTest, RefusesPayloadTypesWeDidNotOffer) {
  std::string foreign =
      ReplaceAll(kChromeAnswer, "m=video 9 UDP/TLS/RTP/SAVPF 96", "m=video 9 UDP/TLS/RTP/SAVPF 96 98");
  foreign = ReplaceAll(foreign, "a=rtcp-fb:96 nack pli\r\n", "a=rtcp-fb:96 nack pli\r\na=rtpmap:98 rtx/90000\r\n");
  EXPECT_EQ(AnswerError(foreign).code, NegotiationErrorCode::kAnswerMismatch);
  // Our payload type number, but for another codec.
  EXPECT_EQ(AnswerError(ReplaceAll(kChromeAnswer, "a=rtpmap:96 VP8/90000", "a=rtpmap:96 H264/90000")).code,
            NegotiationErrorCode::kAnswerMismatch);
}

TEST_F(SubscriberOfferTest, RefusesAnAnswerWithoutBundle) {
  EXPECT_EQ(AnswerError(RemoveLines(kChromeAnswer, "a=group:BUNDLE")).code, NegotiationErrorCode::kNoBundle);
}

TEST_F(SubscriberOfferTest, RefusesABundleWithAnotherTag) {
  // Rejecting the tag (mid 0) rejects the group (RFC 8843 §7.3.3).
  auto answer = Parse(kChromeAnswer);
  auto& tag = answer.media[0];
  tag.port = 0;
  tag.common = {};
  tag.common.direction = sdp::Direction::kInactive;
  answer.groups[0].mids = {"1", "2"};
  ASSERT_TRUE(sdp::ValidateForWebRtc(answer, sdp::SdpType::kAnswer).ok());
  auto accepted = AcceptSubscriberAnswer(Offer(), answer);
  ASSERT_FALSE(accepted.ok());
  EXPECT_EQ(accepted.error().code, NegotiationErrorCode::kNoBundle);
  // Same sections, but the group reordered so another mid is the tag.
  EXPECT_EQ(AnswerError(ReplaceAll(kChromeAnswer, "a=group:BUNDLE 0 1 2", "a=group:BUNDLE 1 0 2")).code,
            NegotiationErrorCode::kNoBundle);
}

TEST_F(SubscriberOfferTest, RefusesTwoBundleGroups) {
  auto two = ReplaceAll(kChromeAnswer, "a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1\r\na=group:BUNDLE 2");
  EXPECT_EQ(AnswerError(two).code, NegotiationErrorCode::kNoBundle);
}

TEST_F(SubscriberOfferTest, RefusesAnAcceptedSectionOutsideBundle) {
  EXPECT_EQ(AnswerError(ReplaceAll(kChromeAnswer, "a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1")).code,
            NegotiationErrorCode::kNoBundle);
}

TEST_F(SubscriberOfferTest, RefusesAnEmptyTrackList) {
  tracks_.clear();
  EXPECT_EQ(BuildError(), NegotiationErrorCode::kBadConfig);
}

TEST_F(SubscriberOfferTest, RefusesDuplicateMidsAndSsrcs) {
  tracks_[2].mid = "0";
  EXPECT_EQ(BuildError(), NegotiationErrorCode::kBadConfig);
  SetUp();
  tracks_[2].ssrc = tracks_[0].ssrc;  // an inactive track counts too
  EXPECT_EQ(BuildError(), NegotiationErrorCode::kBadConfig);
  SetUp();
  tracks_[2].ssrc = tracks_[1].rtx_ssrc;  // an RTX SSRC is as taken as a media one
  EXPECT_EQ(BuildError(), NegotiationErrorCode::kBadConfig);
  SetUp();
  tracks_[1].rtx_ssrc = tracks_[1].ssrc;
  EXPECT_EQ(BuildError(), NegotiationErrorCode::kBadConfig);
  SetUp();
  tracks_[0].rtx_ssrc = 4444;  // audio has no RTX here
  EXPECT_EQ(BuildError(), NegotiationErrorCode::kBadConfig);
}

TEST_F(SubscriberOfferTest, SaysWhichVideoSectionsWereAnsweredWithoutRtx) {
  // kChromeAnswer answers the video section with VP8 only.
  auto accepted = AcceptSubscriberAnswer(Offer(), Parse(kChromeAnswer));
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->without_rtx_mids, std::vector<std::string>{"1"});
}

// kChromeAnswer with the transport-wide sequence number kept (under `id`)
// and transport-cc feedback in each accepted section.
std::string AnswerWithTransportCc(int id, bool feedback = true) {
  std::string answer = kChromeAnswer;
  const std::string extmap =
      "a=extmap:" + std::to_string(id) + " http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n";
  answer = ReplaceAll(answer, "a=mid:0\r\n", "a=mid:0\r\n" + extmap);
  answer = ReplaceAll(answer, "a=mid:1\r\n", "a=mid:1\r\n" + extmap);
  if (feedback) {
    answer = ReplaceAll(answer, "a=fmtp:111 minptime=10;useinbandfec=1\r\n",
                        "a=fmtp:111 minptime=10;useinbandfec=1\r\na=rtcp-fb:111 transport-cc\r\n");
    answer = ReplaceAll(answer, "a=rtcp-fb:96 ccm fir\r\n", "a=rtcp-fb:96 ccm fir\r\na=rtcp-fb:96 transport-cc\r\n");
  }
  return answer;
}

TEST_F(SubscriberOfferTest, SaysWhetherTheAnswerKeptTransportWideSequenceNumbers) {
  auto kept = AcceptSubscriberAnswer(Offer(), Parse(AnswerWithTransportCc(3)));
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->transport_sequence_id, kSubscriberTransportSequenceId);
  // Dropped (kChromeAnswer has no extmap), renumbered, or without feedback: not used.
  auto dropped = AcceptSubscriberAnswer(Offer(), Parse(kChromeAnswer));
  ASSERT_TRUE(dropped.ok());
  EXPECT_FALSE(dropped->transport_sequence_id);
  auto renumbered = AcceptSubscriberAnswer(Offer(), Parse(AnswerWithTransportCc(5)));
  ASSERT_TRUE(renumbered.ok());
  EXPECT_FALSE(renumbered->transport_sequence_id);
  auto silent = AcceptSubscriberAnswer(Offer(), Parse(AnswerWithTransportCc(3, /*feedback=*/false)));
  ASSERT_TRUE(silent.ok());
  EXPECT_FALSE(silent->transport_sequence_id);
}

TEST_F(SubscriberOfferTest, AcceptsAnAnswerThatKeepsRtx) {
  const std::string answer = ReplaceAll(ReplaceAll(kChromeAnswer, "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n",
                                                   "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"),
                                        "a=rtpmap:96 VP8/90000\r\n",
                                        "a=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n");
  auto accepted = AcceptSubscriberAnswer(Offer(), Parse(answer));
  ASSERT_TRUE(accepted.ok());
  EXPECT_TRUE(accepted->without_rtx_mids.empty());
}

TEST_F(SubscriberOfferTest, RefusesAZeroSsrc) {
  tracks_[1].ssrc = 0;
  EXPECT_EQ(BuildError(), NegotiationErrorCode::kBadConfig);
}

TEST_F(SubscriberOfferTest, RefusesAKindOtherThanAudioOrVideo) {
  tracks_[1].kind = sdp::MediaKind::kApplication;
  EXPECT_EQ(BuildError(), NegotiationErrorCode::kBadConfig);
}

TEST_F(SubscriberOfferTest, RefusesBadIds) {
  const std::vector<std::string> bad = {"", "a b", "x\r\na=crypto:1", "id:1", "a/b", std::string(65, 'a')};
  for (const auto& id : bad) {
    SetUp();
    tracks_[0].stream_id = id;
    EXPECT_EQ(BuildError(), NegotiationErrorCode::kBadConfig) << "stream id " << id;
    SetUp();
    tracks_[1].track_id = id;
    EXPECT_EQ(BuildError(), NegotiationErrorCode::kBadConfig) << "track id " << id;
    SetUp();
    tracks_[2].mid = id;
    EXPECT_EQ(BuildError(), NegotiationErrorCode::kBadConfig) << "mid " << id;
  }
  SetUp();
  tracks_[0].mid = std::string(kMaxSubscriberMidLength + 1, '7');
  EXPECT_EQ(BuildError(), NegotiationErrorCode::kBadConfig);
  SetUp();
  tracks_[0].stream_id = std::string(64, 's');
  tracks_[0].track_id = "A-z_09";
  tracks_[0].mid = std::string(kMaxSubscriberMidLength, 'm');
  EXPECT_TRUE(BuildSubscriberOffer(local_, 7, tracks_).ok());
}

TEST_F(SubscriberOfferTest, RefusesMoreThan64Sections) {
  tracks_.clear();
  for (uint32_t i = 0; i < kMaxSubscriberSections; ++i) {
    tracks_.push_back({std::to_string(i), sdp::MediaKind::kVideo, 1000 + i, "s", "t" + std::to_string(i), true});
  }
  EXPECT_TRUE(BuildSubscriberOffer(local_, 1, tracks_).ok());
  tracks_.push_back({"64", sdp::MediaKind::kAudio, 5000, "s", "t64", true});
  EXPECT_EQ(BuildError(), NegotiationErrorCode::kTooManySections);
}

TEST_F(SubscriberOfferTest, RefusesUnusableLocalParameters) {
  local_.ice.pwd = "short";
  auto offer = BuildSubscriberOffer(local_, 1, tracks_);
  ASSERT_FALSE(offer.ok());
  EXPECT_EQ(offer.error().code, NegotiationErrorCode::kBadConfig);
  ASSERT_TRUE(offer.error().policy.has_value());
  EXPECT_EQ(offer.error().policy->error, sdp::PolicyError::kIcePwdTooShort);

  SetUp();
  local_.fingerprint = dtls::Fingerprint{};
  EXPECT_EQ(BuildError(), NegotiationErrorCode::kBadConfig);

  SetUp();
  local_.cname = "two words";
  EXPECT_EQ(BuildError(), NegotiationErrorCode::kBadConfig);
}

}  // namespace
}  // namespace aegis::negotiation
