// One test per WebRTC policy rule: the sample offers pass, and each change
// that breaks a rule is refused with that rule's error.
#include "sdp/webrtc_policy.h"

#include <gtest/gtest.h>

#include "sdp/sdp_parser.h"
#include "sdp/test_sdps.h"

namespace aegis::sdp {
namespace {

using testing::kMinimalValid;

constexpr const char* kFp =
    "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3C:5E:31:F7:B3:A6:50:C5:F3:F8:2C:79";

SessionDescription Parse(std::string_view text) {
  auto r = ParseSdp(text);
  EXPECT_TRUE(r.ok()) << ToString(r.error().error) << " line " << r.error().line << "\n" << text;
  return r.ok() ? *r : SessionDescription{};
}

// kMinimalValid with `from` replaced by `to` (which must occur).
std::string Edit(std::string_view from, std::string_view to) {
  std::string text = kMinimalValid;
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

void ExpectRefused(std::string_view text, PolicyError error, std::optional<size_t> media_index) {
  auto r = ValidateForWebRtc(Parse(text));
  ASSERT_FALSE(r.ok()) << "accepted:\n" << text;
  EXPECT_EQ(r.error().error, error) << "got " << ToString(r.error().error) << " for:\n" << text;
  EXPECT_EQ(r.error().media_index, media_index);
}

TEST(WebRtcPolicy, SampleOffersPass) {
  for (const char* text : {kMinimalValid, testing::kChromiumOffer, testing::kAiortcOffer}) {
    auto r = ValidateForWebRtc(Parse(text));
    EXPECT_TRUE(r.ok()) << ToString(r.error().error);
    auto offer = ValidateForWebRtc(Parse(text), SdpType::kOffer);
    EXPECT_TRUE(offer.ok());
  }
}

TEST(WebRtcPolicy, SdesCryptoRefused) {
  std::string crypto = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";
  ExpectRefused(std::string(kMinimalValid) + crypto, PolicyError::kSdesCrypto, 0);
  ExpectRefused(Edit("t=0 0\r\n", "t=0 0\r\n" + crypto), PolicyError::kSdesCrypto, std::nullopt);
  // Attribute names are case-sensitive for parsing, but not for this refusal.
  ExpectRefused(std::string(kMinimalValid) + "a=CRYPTO:1 x\r\n", PolicyError::kSdesCrypto, 0);
}

TEST(WebRtcPolicy, KeysInSdpRefused) {
  ExpectRefused(Edit("t=0 0\r\n", "t=0 0\r\nk=clear:secret\r\n"), PolicyError::kKeyInSdp, std::nullopt);
  ExpectRefused(Edit("a=mid:a\r\n", "k=clear:secret\r\na=mid:a\r\n"), PolicyError::kKeyInSdp, 0);
  ExpectRefused(std::string(kMinimalValid) + "a=key-mgmt:mikey AQAFgM\r\n", PolicyError::kKeyInSdp, 0);
}

TEST(WebRtcPolicy, MissingFingerprintRefused) {
  std::string fp_line = std::string("a=fingerprint:sha-256 ") + kFp + "\r\n";
  ExpectRefused(Edit(fp_line, ""), PolicyError::kMissingFingerprint, 0);
  // At session level instead it is enough.
  std::string moved = Edit(fp_line, "");
  moved.replace(moved.find("t=0 0\r\n"), 7, "t=0 0\r\n" + fp_line);
  EXPECT_TRUE(ValidateForWebRtc(Parse(moved)).ok());
}

TEST(WebRtcPolicy, FingerprintHashOtherThanSha2Refused) {
  ExpectRefused(Edit("sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3C:5E:31:F7:B3:A6:50:C5:F3:F8:2C:79",
                     "sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB"),
                PolicyError::kFingerprintHashNotAllowed, 0);
  ExpectRefused(Edit("sha-256", "md5"), PolicyError::kFingerprintHashNotAllowed, 0);
  // Even next to a good one.
  ExpectRefused(std::string(kMinimalValid) + "a=fingerprint:sha-1 00:11\r\n", PolicyError::kFingerprintHashNotAllowed, 0);
  // sha-384 / sha-512 of the right length pass; a wrong length does not.
  ExpectRefused(Edit("sha-256", "sha-384"), PolicyError::kFingerprintLengthMismatch, 0);
  ExpectRefused(Edit(":2C:79\r\n", "\r\n"), PolicyError::kFingerprintLengthMismatch, 0);
  std::string sha512 = "00";
  for (int i = 1; i < 64; ++i) sha512 += ":00";
  EXPECT_TRUE(ValidateForWebRtc(Parse(Edit(std::string("sha-256 ") + kFp, "sha-512 " + sha512))).ok());
}

TEST(WebRtcPolicy, RtpSectionWithoutRtcpMuxRefused) {
  ExpectRefused(Edit("a=rtcp-mux\r\n", ""), PolicyError::kMissingRtcpMux, 0);
}

TEST(WebRtcPolicy, PlainAndSdesProfilesRefused) {
  for (const char* proto : {"RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF", "UDP/TLS/RTP/SAVP"}) {
    SCOPED_TRACE(proto);
    ExpectRefused(Edit("UDP/TLS/RTP/SAVPF", proto), PolicyError::kInsecureProfile, 0);
  }
  // The TCP variant is fine.
  EXPECT_TRUE(ValidateForWebRtc(Parse(Edit("UDP/TLS/RTP/SAVPF", "TCP/TLS/RTP/SAVPF"))).ok());
}

TEST(WebRtcPolicy, MissingIceCredentialsRefused) {
  ExpectRefused(Edit("a=ice-ufrag:abcd\r\n", ""), PolicyError::kMissingIceCredentials, 0);
  ExpectRefused(Edit("a=ice-pwd:abcdefghijklmnopqrstuv\r\n", ""), PolicyError::kMissingIceCredentials, 0);
}

TEST(WebRtcPolicy, ShortIceCredentialsRefused) {
  ExpectRefused(Edit("ice-ufrag:abcd", "ice-ufrag:abc"), PolicyError::kIceUfragTooShort, 0);
  ExpectRefused(Edit("ice-pwd:abcdefghijklmnopqrstuv", "ice-pwd:abcdefghijklmnopqrstu"),
                PolicyError::kIcePwdTooShort, 0);
}

TEST(WebRtcPolicy, MissingOrInvalidSetupRefused) {
  ExpectRefused(Edit("a=setup:actpass\r\n", ""), PolicyError::kMissingSetup, 0);
  ExpectRefused(Edit("setup:actpass", "setup:holdconn"), PolicyError::kInvalidSetup, 0);
  // actpass is an offer's role; an answer must pick active or passive.
  auto answer = ValidateForWebRtc(Parse(kMinimalValid), SdpType::kAnswer);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().error, PolicyError::kInvalidSetup);
  EXPECT_TRUE(ValidateForWebRtc(Parse(Edit("setup:actpass", "setup:active")), SdpType::kAnswer).ok());
}

TEST(WebRtcPolicy, DuplicateMidRefused) {
  std::string text = std::string(kMinimalValid) + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:a\r\na=rtcp-mux\r\n";
  ExpectRefused(text, PolicyError::kDuplicateMid, 1);
}

TEST(WebRtcPolicy, MissingMidRefused) {
  std::string text = Edit("a=group:BUNDLE a\r\n", "");
  text.erase(text.find("a=mid:a\r\n"), 9);
  ExpectRefused(text, PolicyError::kMissingMid, 0);
}

TEST(WebRtcPolicy, BundleNamingUnknownMidRefused) {
  ExpectRefused(Edit("a=group:BUNDLE a", "a=group:BUNDLE a b"), PolicyError::kBundleMidUnknown, std::nullopt);
  ExpectRefused(Edit("a=group:BUNDLE a", "a=group:BUNDLE a a"), PolicyError::kMidBundledTwice, std::nullopt);
  ExpectRefused(Edit("a=group:BUNDLE a", "a=group:BUNDLE a\r\na=group:BUNDLE a"), PolicyError::kMidBundledTwice,
                std::nullopt);
  // Other group semantics are not BUNDLE and are not checked against mids.
  EXPECT_TRUE(ValidateForWebRtc(Parse(Edit("a=group:BUNDLE a", "a=group:BUNDLE a\r\na=group:LS x"))).ok());
}

// JSEP places transport attributes only in the BUNDLE-tag section; the other
// bundled sections inherit them, and a rejected section needs none.
TEST(WebRtcPolicy, BundledSectionsInheritFromTheTag) {
  std::string bundled = Edit("a=group:BUNDLE a", "a=group:BUNDLE a v") +
                        "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\na=bundle-only\r\na=rtpmap:96 VP8/90000\r\n";
  EXPECT_TRUE(ValidateForWebRtc(Parse(bundled)).ok());
  // Not in the group: it needs its own transport.
  std::string unbundled = std::string(kMinimalValid) + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\n";
  ExpectRefused(unbundled, PolicyError::kMissingFingerprint, 1);
  // Rejected (port 0, no group): nothing needed, but what it carries is checked.
  std::string rejected = std::string(kMinimalValid) + "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\n";
  EXPECT_TRUE(ValidateForWebRtc(Parse(rejected)).ok());
  ExpectRefused(rejected + "a=ice-ufrag:ab\r\n", PolicyError::kIceUfragTooShort, 1);
  ExpectRefused(std::string(kMinimalValid) + "m=video 0 RTP/AVP 96\r\na=mid:v\r\n", PolicyError::kInsecureProfile, 1);
}

TEST(WebRtcPolicy, DataSectionNeedsNoRtcpMux) {
  std::string text = Edit("a=group:BUNDLE a", "a=group:BUNDLE a d") +
                     "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:d\r\na=sctp-port:5000\r\n";
  EXPECT_TRUE(ValidateForWebRtc(Parse(text)).ok());
  // The legacy form (proto DTLS/SCTP, port as the format, a=sctpmap) is
  // accepted too: still SCTP over DTLS.
  std::string legacy = Edit("a=group:BUNDLE a", "a=group:BUNDLE a d") +
                       "m=application 9 DTLS/SCTP 5000\r\na=mid:d\r\na=sctpmap:5000 webrtc-datachannel 65535\r\n";
  SessionDescription sd = Parse(legacy);
  EXPECT_EQ(sd.media[1].profile(), Profile::kDtlsSctp);
  EXPECT_EQ(sd.media[1].formats, std::vector<std::string>{"5000"});
  EXPECT_TRUE(ValidateForWebRtc(sd).ok());
}

}  // namespace
}  // namespace aegis::sdp
