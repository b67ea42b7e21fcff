// Every malformed input is refused with its own error and line number.
#include <gtest/gtest.h>

#include "sdp/limits.h"
#include "sdp/sdp_parser.h"

namespace aegis::sdp {
namespace {

constexpr const char* kHead = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";  // lines 1-4
constexpr const char* kAudio = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";              // line 5

void ExpectFailure(std::string_view text, ParseError error, size_t line) {
  auto r = ParseSdp(text);
  ASSERT_FALSE(r.ok()) << "accepted:\n" << text;
  EXPECT_EQ(r.error().error, error) << "got " << ToString(r.error().error) << " for:\n" << text;
  EXPECT_EQ(r.error().line, line);
}

// Bad line(s) from line 6 on, inside an audio section; the error is expected
// on `line`.
void ExpectMediaLineFailure(std::string_view bad, ParseError error, size_t line = 6) {
  SCOPED_TRACE(std::string(bad));
  ExpectFailure(std::string(kHead) + kAudio + std::string(bad) + "\r\n", error, line);
}

TEST(SdpMalformed, TheBaseIsValid) {
  EXPECT_TRUE(ParseSdp(std::string(kHead) + kAudio + "a=mid:0\r\n").ok());
}

TEST(SdpMalformed, RequiredLinesInOrder) {
  ExpectFailure("", ParseError::kMissingVersion, 1);
  ExpectFailure("o=- 1 1 IN IP4 0.0.0.0\r\n", ParseError::kMissingVersion, 1);
  ExpectFailure("v=1\r\n", ParseError::kBadVersion, 1);
  ExpectFailure("v=0\r\n", ParseError::kMissingOrigin, 2);
  ExpectFailure("v=0\r\ns=-\r\n", ParseError::kMissingOrigin, 2);
  ExpectFailure("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n", ParseError::kMissingSessionName, 3);
  ExpectFailure("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nt=0 0\r\n", ParseError::kMissingSessionName, 3);
  ExpectFailure("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n", ParseError::kMissingTiming, 3);
  ExpectFailure("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\n", ParseError::kMissingTiming, 4);
}

TEST(SdpMalformed, BadSessionLines) {
  ExpectFailure("v=0\r\no=- 1 1 IN IP4\r\n", ParseError::kBadOrigin, 2);
  ExpectFailure("v=0\r\no=- 1 1 IN IP4 0.0.0.0 extra\r\n", ParseError::kBadOrigin, 2);
  ExpectFailure("v=0\r\no=- x1 1 IN IP4 0.0.0.0\r\n", ParseError::kBadNumber, 2);
  ExpectFailure("v=0\r\no=- 18446744073709551616 1 IN IP4 0.0.0.0\r\n", ParseError::kNumberOutOfRange, 2);
  ExpectFailure(std::string(kHead) + "t=0\r\n", ParseError::kBadTiming, 5);
  ExpectFailure(std::string(kHead) + "c=IN IP4\r\n", ParseError::kBadConnection, 5);
  ExpectFailure(std::string(kHead) + "b=AS\r\n", ParseError::kBadBandwidth, 5);
  ExpectFailure(std::string(kHead) + "b=AS:lots\r\n", ParseError::kBadNumber, 5);
  ExpectFailure(std::string(kHead) + "r=\r\n", ParseError::kBadTiming, 5);
  ExpectFailure("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nr=1d 1h 0\r\n", ParseError::kUnexpectedLine, 4);
  ExpectFailure(std::string(kHead) + "i=a\r\ni=b\r\n", ParseError::kDuplicateLine, 6);
  ExpectFailure(std::string(kHead) + "c=IN IP4 0.0.0.0\r\nc=IN IP4 0.0.0.0\r\n", ParseError::kDuplicateLine, 6);
  ExpectFailure(std::string(kHead) + "v=0\r\n", ParseError::kUnexpectedLine, 5);
}

TEST(SdpMalformed, LineFraming) {
  ExpectFailure(std::string(kHead) + "a-rtcp-mux\r\n", ParseError::kMalformedLine, 5);  // missing '='
  ExpectFailure(std::string(kHead) + "a\r\n", ParseError::kMalformedLine, 5);
  ExpectFailure(std::string(kHead) + "\r\nm=audio 9 RTP/AVP 0\r\n", ParseError::kMalformedLine, 5);  // empty line
  ExpectFailure(std::string(kHead) + " a=x\r\n", ParseError::kMalformedLine, 5);
  ExpectFailure(std::string(kHead) + "=x\r\n", ParseError::kMalformedLine, 5);
  ExpectFailure(std::string(kHead) + "a=x\ry\r\n", ParseError::kBadCharacter, 5);  // bare CR
  ExpectFailure(std::string(kHead) + std::string("a=x\0y\r\n", 7), ParseError::kBadCharacter, 5);
}

TEST(SdpMalformed, UnknownLineTypeRefusesTheWholeDescription) {
  // RFC 8866 §5: a type letter the parser does not understand makes it
  // ignore the whole description; we refuse it.
  ExpectFailure(std::string(kHead) + "y=anything\r\n", ParseError::kUnknownLineType, 5);
  ExpectFailure(std::string(kHead) + kAudio + "x=1\r\n", ParseError::kUnknownLineType, 6);
  ExpectFailure("V=0\r\n", ParseError::kUnknownLineType, 1);
  ExpectFailure(std::string(kHead) + "1=x\r\n", ParseError::kUnknownLineType, 5);
}

TEST(SdpMalformed, SessionOnlyLinesInsideMedia) {
  for (const char* bad : {"t=0 0", "r=1d 1h 0", "u=http://x", "e=a@b", "p=1", "z=0 0", "s=-", "o=- 1 1 IN IP4 0.0.0.0"}) {
    ExpectMediaLineFailure(bad, ParseError::kUnexpectedLine);
  }
  ExpectMediaLineFailure("i=a\r\ni=b", ParseError::kDuplicateLine, 7);
}

TEST(SdpMalformed, MediaLines) {
  ExpectFailure(std::string(kHead) + "m=audio 9 UDP/TLS/RTP/SAVPF\r\n", ParseError::kBadMediaLine, 5);
  ExpectFailure(std::string(kHead) + "m=audio\r\n", ParseError::kBadMediaLine, 5);
  ExpectFailure(std::string(kHead) + "m=audio nine RTP/AVP 0\r\n", ParseError::kBadNumber, 5);
  ExpectFailure(std::string(kHead) + "m=audio 65536 RTP/AVP 0\r\n", ParseError::kNumberOutOfRange, 5);
  ExpectFailure(std::string(kHead) + "m=audio 9/0 RTP/AVP 0\r\n", ParseError::kNumberOutOfRange, 5);
  ExpectFailure(std::string(kHead) + "m=audio 9 UDP/TLS/RTP/SAVPF 128\r\n", ParseError::kNumberOutOfRange, 5);
  ExpectFailure(std::string(kHead) + "m=audio 9 UDP/TLS/RTP/SAVPF opus\r\n", ParseError::kBadNumber, 5);
  ExpectFailure(std::string(kHead) + "m=audio 9 UDP/TLS/RTP/SAVPF -1\r\n", ParseError::kBadNumber, 5);
  ExpectFailure(std::string(kHead) + "m=audio 9 UDP/TLS/RTP/SAVPF +1\r\n", ParseError::kBadNumber, 5);
  std::string many = std::string(kHead) + "m=audio 9 UDP/TLS/RTP/SAVPF";
  for (int i = 0; i <= static_cast<int>(kMaxFormatsPerSection); ++i) many += " " + std::to_string(i % 128);
  ExpectFailure(many + "\r\n", ParseError::kTooManyFormats, 5);
}

TEST(SdpMalformed, NumbersOutOfRange) {
  ExpectMediaLineFailure("a=rtpmap:128 opus/48000/2", ParseError::kNumberOutOfRange);
  ExpectMediaLineFailure("a=fmtp:200 apt=1", ParseError::kNumberOutOfRange);
  ExpectMediaLineFailure("a=rtcp-fb:999 nack", ParseError::kNumberOutOfRange);
  ExpectMediaLineFailure("a=extmap:0 urn:x", ParseError::kNumberOutOfRange);
  ExpectMediaLineFailure("a=extmap:256 urn:x", ParseError::kNumberOutOfRange);
  ExpectMediaLineFailure("a=ssrc:4294967296 cname:x", ParseError::kNumberOutOfRange);
  ExpectMediaLineFailure("a=ssrc-group:FID 1 4294967296", ParseError::kNumberOutOfRange);
  ExpectMediaLineFailure("a=sctp-port:65536", ParseError::kNumberOutOfRange);
  ExpectMediaLineFailure("a=max-message-size:99999999999999999999999", ParseError::kNumberOutOfRange);
  ExpectMediaLineFailure("a=candidate:1 257 udp 1 192.0.2.1 1 typ host", ParseError::kNumberOutOfRange);
  ExpectMediaLineFailure("a=candidate:1 0 udp 1 192.0.2.1 1 typ host", ParseError::kNumberOutOfRange);
  ExpectMediaLineFailure("a=candidate:1 1 udp 4294967296 192.0.2.1 1 typ host", ParseError::kNumberOutOfRange);
  ExpectMediaLineFailure("a=candidate:1 1 udp 1 192.0.2.1 70000 typ host", ParseError::kNumberOutOfRange);
  ExpectMediaLineFailure("a=rtpmap:96 VP8/0", ParseError::kNumberOutOfRange);
}

TEST(SdpMalformed, BadNumbers) {
  ExpectMediaLineFailure("a=rtpmap:x opus/48000", ParseError::kBadNumber);
  ExpectMediaLineFailure("a=rtpmap:96 VP8/90k", ParseError::kBadNumber);
  ExpectMediaLineFailure("a=rtpmap:96 opus/48000/2/1", ParseError::kBadNumber);
  ExpectMediaLineFailure("a=extmap:1a urn:x", ParseError::kBadNumber);
  ExpectMediaLineFailure("a=ssrc:-5 cname:x", ParseError::kBadNumber);
  ExpectMediaLineFailure("a=sctp-port:50 00", ParseError::kBadNumber);
  ExpectMediaLineFailure("a=candidate:1 1 udp 1 192.0.2.1 port typ host", ParseError::kBadNumber);
  ExpectMediaLineFailure("a=candidate:1 1 udp 1 192.0.2.1 1 typ host generation x", ParseError::kBadNumber);
}

TEST(SdpMalformed, AttributeShape) {
  ExpectMediaLineFailure("a=", ParseError::kBadAttributeName);
  ExpectMediaLineFailure("a=:x", ParseError::kBadAttributeName);
  ExpectMediaLineFailure("a=bad name", ParseError::kBadAttributeName);
  ExpectMediaLineFailure("a=rtcp-mux:yes", ParseError::kUnexpectedValue);
  ExpectMediaLineFailure("a=sendrecv:", ParseError::kUnexpectedValue);
  ExpectMediaLineFailure("a=mid", ParseError::kMissingValue);
  ExpectMediaLineFailure("a=mid:", ParseError::kMissingValue);
  ExpectMediaLineFailure("a=mid:a b", ParseError::kBadToken);
  ExpectMediaLineFailure("a=mid:" + std::string(kMaxTokenLength + 1, 'm'), ParseError::kValueTooLong);
  ExpectMediaLineFailure("a=mid:0\r\na=mid:1", ParseError::kDuplicateAttribute, 7);
  ExpectMediaLineFailure("a=sendrecv\r\na=recvonly", ParseError::kDuplicateAttribute, 7);
  ExpectMediaLineFailure("a=setup:actpass\r\na=setup:active", ParseError::kDuplicateAttribute, 7);
  ExpectMediaLineFailure("a=sctp-port:1\r\na=sctp-port:2", ParseError::kDuplicateAttribute, 7);
  ExpectMediaLineFailure("a=ice-ufrag:abcd\r\na=ice-ufrag:efgh", ParseError::kDuplicateAttribute, 7);
  ExpectMediaLineFailure("a=ice-options:trickle\r\na=ice-options:ice2", ParseError::kDuplicateAttribute, 7);
}

TEST(SdpMalformed, IceAttributes) {
  ExpectMediaLineFailure("a=ice-ufrag:ab_cd", ParseError::kBadIceCredential);
  ExpectMediaLineFailure("a=ice-pwd:" + std::string(257, 'p'), ParseError::kBadIceCredential);
  ExpectMediaLineFailure("a=ice-options: ", ParseError::kMissingValue);
  ExpectMediaLineFailure("a=candidate:1 1 udp 1 192.0.2.1 1 host", ParseError::kBadCandidate);     // no "typ"
  ExpectMediaLineFailure("a=candidate:1 1 udp 1 192.0.2.1 1 typ", ParseError::kBadCandidate);      // no type
  ExpectMediaLineFailure("a=candidate:1 1 udp 1 192.0.2.1", ParseError::kBadCandidate);            // truncated
  ExpectMediaLineFailure("a=candidate:f_1 1 udp 1 192.0.2.1 1 typ host", ParseError::kBadCandidate);  // foundation
  ExpectMediaLineFailure("a=candidate:" + std::string(33, 'f') + " 1 udp 1 192.0.2.1 1 typ host",
                         ParseError::kBadCandidate);
  ExpectMediaLineFailure("a=candidate:1 1 udp 1 192.0.2.1 1 typ host raddr", ParseError::kBadCandidate);
  ExpectMediaLineFailure("a=candidate:1 1 udp 1 192.0.2.1 1 typ host rport 1 rport 2", ParseError::kBadCandidate);
  ExpectMediaLineFailure("a=candidate:1 1 udp 1 192.0.2.1 1 typ host bad:name 1", ParseError::kBadToken);
}

TEST(SdpMalformed, DtlsAttributes) {
  ExpectMediaLineFailure("a=setup:server", ParseError::kBadSetup);
  ExpectMediaLineFailure("a=setup:ACTPASS", ParseError::kBadSetup);
  ExpectMediaLineFailure("a=fingerprint:sha-256", ParseError::kBadFingerprint);
  ExpectMediaLineFailure("a=fingerprint:sha-256 4A:AD:B", ParseError::kBadFingerprint);     // odd digits
  ExpectMediaLineFailure("a=fingerprint:sha-256 4AAD:B9", ParseError::kBadFingerprint);     // separator
  ExpectMediaLineFailure("a=fingerprint:sha-256 4A:AD:G9", ParseError::kBadFingerprint);    // not hex
  ExpectMediaLineFailure("a=fingerprint:sha-256 4A:AD: extra", ParseError::kBadFingerprint);
  std::string too_long = "a=fingerprint:sha-512 00";
  for (size_t i = 0; i < kMaxFingerprintBytes; ++i) too_long += ":00";
  ExpectMediaLineFailure(too_long, ParseError::kBadFingerprint);
}

TEST(SdpMalformed, RtpAttributes) {
  ExpectMediaLineFailure("a=rtpmap:96", ParseError::kBadRtpmap);
  ExpectMediaLineFailure("a=rtpmap:96 VP8", ParseError::kBadRtpmap);
  ExpectMediaLineFailure("a=rtpmap:96 VP8/90000 extra", ParseError::kBadRtpmap);
  ExpectMediaLineFailure("a=rtpmap:96 VP8/90000\r\na=rtpmap:96 VP9/90000", ParseError::kDuplicatePayloadType, 7);
  ExpectMediaLineFailure("a=fmtp:x apt=1", ParseError::kBadNumber);
  ExpectMediaLineFailure("a=rtcp-fb:96", ParseError::kBadRtcpFb);
  ExpectMediaLineFailure("a=rtcp-fb:96 na;ck", ParseError::kBadToken);
  ExpectMediaLineFailure("a=extmap:1", ParseError::kBadExtmap);
  ExpectMediaLineFailure("a=extmap:1/both urn:x", ParseError::kBadExtmap);
  ExpectMediaLineFailure("a=extmap:1 urn:x\r\na=extmap:1 urn:y", ParseError::kDuplicateExtmapId, 7);
  ExpectMediaLineFailure("a=extmap:1 urn:" + std::string(kMaxTokenLength, 'u'), ParseError::kValueTooLong);
}

TEST(SdpMalformed, StreamAttributes) {
  ExpectMediaLineFailure("a=ssrc:1", ParseError::kBadSsrc);
  ExpectMediaLineFailure("a=ssrc:1 :x", ParseError::kBadSsrc);
  ExpectMediaLineFailure("a=ssrc:1 c name:x", ParseError::kBadToken);
  ExpectMediaLineFailure("a=ssrc-group:FID", ParseError::kBadSsrcGroup);
  std::string big_group = "a=ssrc-group:SIM";
  for (size_t i = 0; i <= kMaxSsrcsPerGroup; ++i) big_group += " " + std::to_string(i);
  ExpectMediaLineFailure(big_group, ParseError::kBadSsrcGroup);
  ExpectMediaLineFailure("a=msid:" + std::string(kMaxMsidIdLength + 1, 's'), ParseError::kValueTooLong);
  ExpectMediaLineFailure("a=msid:s t u", ParseError::kBadMsid);
  ExpectMediaLineFailure("a=msid:s t;u", ParseError::kBadToken);
  ExpectMediaLineFailure("a=rid:h", ParseError::kBadRid);
  ExpectMediaLineFailure("a=rid:h both", ParseError::kBadRid);
  ExpectMediaLineFailure("a=rid:h.1 send", ParseError::kBadRid);
  ExpectMediaLineFailure("a=rid:h send\r\na=rid:h send", ParseError::kBadRid, 7);
  ExpectMediaLineFailure("a=simulcast:send", ParseError::kBadSimulcast);
  ExpectMediaLineFailure("a=simulcast:up a;b", ParseError::kBadSimulcast);
  ExpectMediaLineFailure("a=simulcast:send a send b", ParseError::kBadSimulcast);
  ExpectMediaLineFailure("a=simulcast:send a;;b", ParseError::kBadSimulcast);
  ExpectMediaLineFailure("a=simulcast:send a,~", ParseError::kBadSimulcast);
  ExpectMediaLineFailure("a=simulcast:send a\r\na=simulcast:recv b", ParseError::kDuplicateAttribute, 7);
  std::string many = "a=simulcast:send l0";
  for (size_t i = 1; i <= kMaxSimulcastLayers; ++i) many += ";l" + std::to_string(i);
  ExpectMediaLineFailure(many, ParseError::kBadSimulcast);
}

TEST(SdpMalformed, SessionAttributes) {
  ExpectFailure(std::string(kHead) + "a=group:\r\n", ParseError::kMissingValue, 5);
  ExpectFailure(std::string(kHead) + "a=group:BUNDLE 0 ;\r\n", ParseError::kBadToken, 5);
  ExpectFailure(std::string(kHead) + "a=ice-lite:yes\r\n", ParseError::kUnexpectedValue, 5);
  ExpectFailure(std::string(kHead) + "a=msid-semantic: \r\n", ParseError::kBadMsid, 5);
  ExpectFailure(std::string(kHead) + "a=msid-semantic:WMS\r\na=msid-semantic:WMS\r\n",
                ParseError::kDuplicateAttribute, 6);
}

// Bounds: each refused with its own error, never a crash or a long parse.
TEST(SdpMalformed, OversizedInput) {
  std::string text = std::string(kHead) + kAudio;
  while (text.size() <= kMaxSdpSize) text += "a=x-padding:0123456789012345678901234567890123456789\r\n";
  ExpectFailure(text, ParseError::kTooLarge, 0);
}

TEST(SdpMalformed, TooManyLines) {
  std::string text = std::string(kHead) + kAudio;  // 5 lines
  for (size_t i = 5; i < kMaxLines; ++i) text += "a=x\r\n";
  EXPECT_TRUE(ParseSdp(text).ok());  // exactly kMaxLines
  ExpectFailure(text + "a=x\r\n", ParseError::kTooManyLines, kMaxLines + 1);
}

TEST(SdpMalformed, LineTooLong) {
  std::string ok_line = "a=x:" + std::string(kMaxLineLength - 4, 'v');
  EXPECT_TRUE(ParseSdp(std::string(kHead) + kAudio + ok_line + "\r\n").ok());
  ExpectMediaLineFailure(ok_line + "v", ParseError::kLineTooLong);
}

TEST(SdpMalformed, TooManyMediaSections) {
  std::string text = kHead;
  for (size_t i = 0; i < kMaxMediaSections; ++i) text += "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\n";
  EXPECT_TRUE(ParseSdp(text).ok());
  ExpectFailure(text + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\n", ParseError::kTooManyMediaSections,
                4 + kMaxMediaSections + 1);
}

TEST(SdpMalformed, TooManyCandidates) {
  std::string text = std::string(kHead) + kAudio;
  for (size_t i = 0; i < kMaxCandidatesPerSection; ++i) {
    text += "a=candidate:" + std::to_string(i) + " 1 udp 1 192.0.2.1 " + std::to_string(1000 + i) + " typ host\r\n";
  }
  auto ok = ParseSdp(text);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->media[0].candidates.size(), kMaxCandidatesPerSection);
  ExpectFailure(text + "a=candidate:x 1 udp 1 192.0.2.1 9 typ host\r\n", ParseError::kTooManyCandidates,
                5 + kMaxCandidatesPerSection + 1);
  // The limit is per section: a second section starts from zero.
  EXPECT_TRUE(ParseSdp(text + kAudio + "a=candidate:x 1 udp 1 192.0.2.1 9 typ host\r\n").ok());
}

}  // namespace
}  // namespace aegis::sdp
