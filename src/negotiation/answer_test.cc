#include "negotiation/answer.h"

#include <gtest/gtest.h>

#include <chrono>

#include "dtls/certificate.h"
#include "sdp/sdp_parser.h"
#include "sdp/sdp_serializer.h"
#include "sdp/test_sdps.h"

namespace aegis::negotiation {
namespace {

class AnswerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cert = dtls::Certificate::Generate(rng_, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    local_.ice = {"srvufrag", "serverPassword0123456789abcdef"};
    local_.fingerprint = cert->fingerprint();
    local_.candidates = {stun::TransportAddress::Ipv4({127, 0, 0, 1}, 40000)};
    local_.session_id = 42;
  }
  sdp::SessionDescription Parse(const std::string& text) {
    auto parsed = sdp::ParseSdp(text);
    EXPECT_TRUE(parsed.ok()) << text << "\nline " << (parsed.ok() ? 0 : parsed.error().line);
    return std::move(parsed).value();
  }
  SeededRandom rng_{5};
  LocalParameters local_;
};

TEST_F(AnswerTest, AnswersAChromiumOfferWithOpusVp8AndDataChannel) {
  auto offer = Parse(sdp::testing::kChromiumOffer);
  auto answer = AnswerOffer(offer, local_, rng_);
  ASSERT_TRUE(answer.ok());
  const auto& sd = answer->sdp;
  // The answer itself is a valid WebRTC answer, ICE-lite, one BUNDLE.
  EXPECT_TRUE(sdp::ValidateForWebRtc(sd, sdp::SdpType::kAnswer).ok());
  EXPECT_TRUE(sd.ice_lite);
  ASSERT_EQ(sd.media.size(), offer.media.size());
  ASSERT_EQ(sd.groups.size(), 1u);
  EXPECT_EQ(sd.groups[0].mids, (std::vector<std::string>{"0", "1", "2", "3"}));
  for (size_t i = 0; i < sd.media.size(); ++i) {
    EXPECT_EQ(sd.media[i].mid, offer.media[i].mid);
    EXPECT_EQ(sd.media[i].common.setup, sdp::SetupRole::kPassive);
    EXPECT_EQ(sd.media[i].candidates.size(), 1u);
    EXPECT_EQ(sd.media[i].candidates[0].address, "127.0.0.1");
    EXPECT_EQ(sd.media[i].port, 40000);
  }
  // Only Opus in audio, only VP8 and its RTX in video.
  ASSERT_EQ(sd.media[0].rtpmaps.size(), 1u);
  EXPECT_EQ(sd.media[0].rtpmaps[0].encoding, "opus");
  for (const auto& map : sd.media[1].rtpmaps) EXPECT_TRUE(map.encoding == "VP8" || map.encoding == "rtx");
  EXPECT_EQ(sd.media[3].sctp_port, 5000);
  // What the transport needs came from the offer.
  EXPECT_EQ(answer->remote_ice.ufrag, "Xk2q");
  EXPECT_EQ(answer->remote_ice.pwd, "p7Qv3f9Lm2Zt8Rk1Ws4Yb6Nd");
  EXPECT_EQ(answer->local_dtls_role, dtls::DtlsRole::kServer);
  EXPECT_FALSE(answer->remote_fingerprint.empty());
  EXPECT_TRUE(answer->remote_sctp_port.has_value());
  ASSERT_GE(answer->media.size(), 2u);
  EXPECT_NE(answer->media[0].local_ssrc, 0u);
  EXPECT_TRUE(answer->media[0].mid_extension.has_value());
  // It serializes and parses back to the same description.
  auto text = sdp::SerializeSdp(sd);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(Parse(*text), sd);
}

// The transport-wide sequence number (and its transport-cc feedback) only
// when the answerer will report arrivals: a publisher connection of the SFU.
TEST_F(AnswerTest, KeepsTransportWideCongestionControlOnlyWhenAsked) {
  auto offer = Parse(sdp::testing::kChromiumOffer);
  auto plain = AnswerOffer(offer, local_, rng_);
  ASSERT_TRUE(plain.ok());
  auto text = sdp::SerializeSdp(plain->sdp);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->find("transport-wide-cc"), std::string::npos);
  EXPECT_EQ(text->find("transport-cc"), std::string::npos);
  EXPECT_FALSE(plain->media[0].transport_sequence_extension);

  auto with = AnswerOffer(offer, local_, rng_, AnswerOptions{.transport_feedback = true});
  ASSERT_TRUE(with.ok());
  EXPECT_TRUE(sdp::ValidateForWebRtc(with->sdp, sdp::SdpType::kAnswer).ok());
  text = sdp::SerializeSdp(with->sdp);
  ASSERT_TRUE(text.has_value());
  EXPECT_NE(text->find("a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"),
            std::string::npos) << *text;
  EXPECT_NE(text->find("a=rtcp-fb:111 transport-cc\r\n"), std::string::npos) << *text;
  EXPECT_NE(text->find("a=rtcp-fb:96 transport-cc\r\n"), std::string::npos) << *text;
  ASSERT_GE(with->media.size(), 2u);
  EXPECT_EQ(with->media[0].transport_sequence_extension, 3);
  EXPECT_EQ(with->media[1].transport_sequence_extension, 3);
}

TEST_F(AnswerTest, AcceptsRtxForVp8AndTellsItsSsrcsApart) {
  auto answer = AnswerOffer(Parse(sdp::testing::kChromiumOffer), local_, rng_);
  ASSERT_TRUE(answer.ok());
  const AcceptedMedia& video = answer->media[1];
  EXPECT_EQ(video.payload_types, std::vector<uint8_t>{96});
  EXPECT_EQ(video.rtx_payload_types, (std::vector<RtxPayloadTypePair>{{97, 96}}));
  EXPECT_EQ(video.remote_ssrcs, std::vector<uint32_t>{2002});
  EXPECT_EQ(video.remote_rtx_ssrcs, (std::vector<RtxSsrcPair>{{2002, 2003}}));
  const auto& m = answer->sdp.media[1];
  EXPECT_EQ(m.payload_types, (std::vector<uint8_t>{96, 97}));
  ASSERT_EQ(m.fmtps.size(), 1u);
  EXPECT_EQ(m.fmtps[0], (sdp::Fmtp{97, "apt=96"}));
  // sendrecv: the server may send on this section, so it pairs an RTX SSRC of its own.
  ASSERT_NE(video.local_rtx_ssrc, 0u);
  EXPECT_NE(video.local_rtx_ssrc, video.local_ssrc);
  EXPECT_EQ(m.ssrc_groups, (std::vector<sdp::SsrcGroup>{{"FID", {video.local_ssrc, video.local_rtx_ssrc}}}));
  // The sendonly section (the browser only sends): RTX accepted, nothing of ours to pair.
  ASSERT_GE(answer->media.size(), 3u);
  EXPECT_EQ(answer->media[2].mid, "2");
  EXPECT_EQ(answer->media[2].rtx_payload_types, (std::vector<RtxPayloadTypePair>{{99, 98}}));
  EXPECT_EQ(answer->media[2].local_rtx_ssrc, 0u);
}

TEST_F(AnswerTest, RtxWithoutAKeptAptOrWithABadOneIsDropped) {
  std::string text = sdp::testing::kChromiumOffer;
  const std::string from = "a=fmtp:97 apt=96\r\n";
  for (const char* bad : {"a=fmtp:97 apt=45\r\n", "a=fmtp:97 apt=9999\r\n", "a=fmtp:97 apt=x\r\n",
                          "a=fmtp:97 rtx-time=3000\r\n"}) {
    std::string changed = text;
    changed.replace(changed.find(from), from.size(), bad);
    auto answer = AnswerOffer(Parse(changed), local_, rng_);
    ASSERT_TRUE(answer.ok()) << bad;
    EXPECT_TRUE(answer->media[1].rtx_payload_types.empty()) << bad;
    // Without RTX the FID group pairs nothing: both SSRCs count as media, as before.
    EXPECT_EQ(answer->media[1].remote_ssrcs, (std::vector<uint32_t>{2002, 2003})) << bad;
    EXPECT_EQ(answer->media[1].local_rtx_ssrc, 0u);
    EXPECT_EQ(answer->sdp.media[1].payload_types, std::vector<uint8_t>{96}) << bad;
  }
}

TEST_F(AnswerTest, AnswersAnAiortcOffer) {
  std::string text = sdp::testing::kAiortcOffer;
  auto offer = sdp::ParseSdp(text);
  ASSERT_TRUE(offer.ok());
  auto answer = AnswerOffer(*offer, local_, rng_);
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(sdp::ValidateForWebRtc(answer->sdp, sdp::SdpType::kAnswer).ok());
}

TEST_F(AnswerTest, RefusesSdesAndOffersWithoutFingerprint) {
  std::string with_crypto = sdp::testing::kChromiumOffer;
  with_crypto.insert(with_crypto.find("a=setup:actpass"),
                     "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n");
  auto answer = AnswerOffer(Parse(with_crypto), local_, rng_);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, NegotiationErrorCode::kPolicy);
  EXPECT_EQ(answer.error().policy->error, sdp::PolicyError::kSdesCrypto);

  auto no_fp = Parse(sdp::testing::kChromiumOffer);
  no_fp.common.fingerprints.clear();
  for (auto& m : no_fp.media) m.common.fingerprints.clear();
  auto refused = AnswerOffer(no_fp, local_, rng_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().policy->error, sdp::PolicyError::kMissingFingerprint);
}

TEST_F(AnswerTest, RejectsSectionsItCannotForward) {
  auto offer = Parse(sdp::testing::kChromiumOffer);
  // Video offering only H.264: rejected with port 0, the rest still accepted.
  auto& video = offer.media[1];
  for (auto& map : video.rtpmaps) map.encoding = "H264";
  auto answer = AnswerOffer(offer, local_, rng_);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->sdp.media[1].port, 0);
  EXPECT_EQ(answer->sdp.groups[0].mids.size(), 3u);
}

TEST_F(AnswerTest, RejectingTheBundleTagRejectsTheOffer) {
  auto offer = Parse(sdp::testing::kChromiumOffer);
  for (auto& map : offer.media[0].rtpmaps) map.encoding = "PCMU";  // the tag (audio, mid 0) has no Opus
  auto answer = AnswerOffer(offer, local_, rng_);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, NegotiationErrorCode::kNoUsableSection);
}

TEST_F(AnswerTest, AcceptsBundleOnlySections) {
  auto offer = Parse(sdp::testing::kChromiumOffer);
  offer.media[1].port = 0;
  offer.media[1].bundle_only = true;
  auto answer = AnswerOffer(offer, local_, rng_);
  ASSERT_TRUE(answer.ok());
  EXPECT_NE(answer->sdp.media[1].port, 0);
  EXPECT_EQ(answer->sdp.groups[0].mids.size(), 4u);
}

TEST_F(AnswerTest, RequiresBundle) {
  auto offer = Parse(sdp::testing::kChromiumOffer);
  offer.groups.clear();
  auto answer = AnswerOffer(offer, local_, rng_);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, NegotiationErrorCode::kNoBundle);
}

TEST_F(AnswerTest, PassiveOfferMakesUsTheDtlsClient) {
  auto offer = Parse(sdp::testing::kChromiumOffer);
  for (auto& m : offer.media) m.common.setup = sdp::SetupRole::kPassive;
  auto answer = AnswerOffer(offer, local_, rng_);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->local_dtls_role, dtls::DtlsRole::kClient);
  EXPECT_EQ(answer->sdp.media[0].common.setup, sdp::SetupRole::kActive);
}

}  // namespace
}  // namespace aegis::negotiation
