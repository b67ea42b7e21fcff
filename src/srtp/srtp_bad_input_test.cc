// Malformed and hostile input: every case is refused with its own error and
// counted; none may read out of bounds (the sanitizer build checks that).
#include <gtest/gtest.h>

#include "srtp/srtp_receiver.h"
#include "srtp/srtp_sender.h"
#include "srtp/srtp_test_peer.h"
#include "srtp/srtp_test_util.h"

namespace aegis::srtp {
namespace {

using testing::MakeRtcp;
using testing::MakeRtp;

class BadInputTest : public ::testing::TestWithParam<Profile> {
 protected:
  BadInputTest()
      : params_(GetProfileParams(GetParam())),
        key_(params_.key_size, 0x33),
        salt_(params_.salt_size, 0x44),
        sender_(std::move(SrtpSender::Create(GetParam(), key_, salt_)).value()),
        receiver_(std::move(SrtpReceiver::Create(GetParam(), key_, salt_)).value()) {}

  std::vector<uint8_t> ProtectRtp(const std::vector<uint8_t>& plain) {
    auto buf = plain;
    buf.resize(plain.size() + sender_.rtp_overhead());
    EXPECT_TRUE(sender_.ProtectRtp(buf, plain.size()).ok());
    return buf;
  }
  std::vector<uint8_t> ProtectRtcp(const std::vector<uint8_t>& plain) {
    auto buf = plain;
    buf.resize(plain.size() + sender_.rtcp_overhead());
    EXPECT_TRUE(sender_.ProtectRtcp(buf, plain.size()).ok());
    return buf;
  }
  // Unprotects exactly `packet` (copied into a buffer of its own size, so
  // ASan sees any read past it) and returns the error; checks it is counted.
  Error RtpError(std::vector<uint8_t> packet, size_t len = SIZE_MAX) {
    if (len == SIZE_MAX) len = packet.size();
    const uint64_t before = receiver_.counters().total_drops();
    auto r = receiver_.UnprotectRtp(packet, len);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return Error::kCryptoFailure;
    EXPECT_EQ(receiver_.counters().drops(r.error()) > 0, true);
    EXPECT_EQ(receiver_.counters().total_drops(), before + 1);
    return r.error();
  }
  Error RtcpError(std::vector<uint8_t> packet, size_t len = SIZE_MAX) {
    if (len == SIZE_MAX) len = packet.size();
    const uint64_t before = receiver_.counters().total_drops();
    auto r = receiver_.UnprotectRtcp(packet, len);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return Error::kCryptoFailure;
    EXPECT_EQ(receiver_.counters().total_drops(), before + 1);
    return r.error();
  }

  const ProfileParams& params_;
  std::vector<uint8_t> key_, salt_;
  SrtpSender sender_;
  SrtpReceiver receiver_;
};

TEST_P(BadInputTest, TruncatedRtp) {
  auto good = ProtectRtp(MakeRtp(1, 10, 0));  // empty payload: header + tag
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + long(n));
    Error e = RtpError(cut);
    if (n < 12 + params_.rtp_tag_size) {
      EXPECT_EQ(e, Error::kTooShort) << n;
    } else {
      EXPECT_EQ(e, Error::kAuthFailed) << n;
    }
  }
  EXPECT_EQ(receiver_.counters().drops(Error::kTooShort), 12 + params_.rtp_tag_size);
}

TEST_P(BadInputTest, WrongTagAndWrongKey) {
  auto good = ProtectRtp(MakeRtp(1, 10));
  auto bad = good;
  bad.back() ^= 1;
  EXPECT_EQ(RtpError(bad), Error::kAuthFailed);
  bad = good;
  bad[good.size() - params_.rtp_tag_size - 1] ^= 0x10;  // last payload byte
  EXPECT_EQ(RtpError(bad), Error::kAuthFailed);
  std::vector<uint8_t> other_key(params_.key_size, 0x34);
  auto stranger = std::move(SrtpReceiver::Create(GetParam(), other_key, salt_)).value();
  auto copy = good;
  auto r = stranger.UnprotectRtp(copy, copy.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::kAuthFailed);
  // The genuine packet still passes: failures did not touch the state.
  auto ok = good;
  EXPECT_TRUE(receiver_.UnprotectRtp(ok, ok.size()).ok());
  EXPECT_EQ(receiver_.counters().drops(Error::kAuthFailed), 2u);
}

TEST_P(BadInputTest, ReplayedAndTooOld) {
  auto first = ProtectRtp(MakeRtp(1, 10));
  auto copy = first;
  ASSERT_TRUE(receiver_.UnprotectRtp(copy, copy.size()).ok());
  EXPECT_EQ(RtpError(first), Error::kReplayed);
  // Advance the receiver beyond the window, then deliver an old packet.
  auto old = ProtectRtp(MakeRtp(1, 11));
  SrtpTestPeer::SetSentRtpIndex(sender_, 1, 11 + ReplayWindow::kSize);
  auto late = ProtectRtp(MakeRtp(1, uint16_t(12 + ReplayWindow::kSize)));
  copy = late;
  ASSERT_TRUE(receiver_.UnprotectRtp(copy, copy.size()).ok());
  EXPECT_EQ(RtpError(old), Error::kTooOld);
  EXPECT_EQ(receiver_.counters().drops(Error::kReplayed), 1u);
  EXPECT_EQ(receiver_.counters().drops(Error::kTooOld), 1u);
}

TEST_P(BadInputTest, AbsurdLengths) {
  auto good = ProtectRtp(MakeRtp(1, 10));
  // packet_len beyond the buffer.
  EXPECT_EQ(RtpError(good, good.size() + 1), Error::kBufferTooSmall);
  EXPECT_EQ(RtpError(good, SIZE_MAX - 1), Error::kBufferTooSmall);
  EXPECT_EQ(RtcpError(good, SIZE_MAX - 1), Error::kBufferTooSmall);
  // Larger than any packet.
  std::vector<uint8_t> huge(70000, 0x80);
  EXPECT_EQ(RtpError(huge), Error::kTooLong);
  EXPECT_EQ(RtcpError(huge), Error::kTooLong);
  // The sender: no room for the tag; packet_len past the buffer.
  auto plain = MakeRtp(1, 11);
  auto buf = plain;
  buf.resize(plain.size() + sender_.rtp_overhead() - 1);
  auto r = sender_.ProtectRtp(buf, plain.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::kBufferTooSmall);
  r = sender_.ProtectRtp(buf, buf.size() + 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::kBufferTooSmall);
  auto rtcp = MakeRtcp(7);
  buf = rtcp;
  buf.resize(rtcp.size() + sender_.rtcp_overhead() - 1);
  r = sender_.ProtectRtcp(buf, rtcp.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::kBufferTooSmall);
  EXPECT_EQ(sender_.counters().drops(Error::kBufferTooSmall), 3u);
}

TEST_P(BadInputTest, HeaderClaimsMoreThanPacket) {
  // Extension header claiming 200 words in a small packet.
  auto p = ProtectRtp(MakeRtp(1, 10, 8));
  p[0] |= 0x10;
  p[12] = 0xbe;
  p[13] = 0xde;
  p[14] = 0;
  p[15] = 200;
  EXPECT_EQ(RtpError(p), Error::kBadHeader);
  // CSRC count 15 (60 bytes) in a 40-byte packet.
  p = ProtectRtp(MakeRtp(1, 11, 4));
  p[0] |= 0x0f;
  EXPECT_EQ(RtpError(p), Error::kBadHeader);
  // Version 1.
  p = ProtectRtp(MakeRtp(1, 12));
  p[0] = static_cast<uint8_t>((p[0] & 0x3f) | 0x40);
  EXPECT_EQ(RtpError(p), Error::kBadHeader);
  // The sender refuses what RtpPacketView refuses.
  auto plain = MakeRtp(1, 13);
  plain[0] |= 0x0f;
  auto buf = plain;
  buf.resize(plain.size() + 16);
  auto r = sender_.ProtectRtp(buf, plain.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::kBadHeader);
  std::vector<uint8_t> tiny = {0x80, 0x60, 0, 1};
  tiny.resize(40);
  r = sender_.ProtectRtp(tiny, 4);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::kTooShort);
  EXPECT_EQ(receiver_.counters().drops(Error::kBadHeader), 3u);
}

TEST_P(BadInputTest, SrtcpMalformed) {
  const size_t trailer = sender_.rtcp_overhead();
  auto good = ProtectRtcp(MakeRtcp(7, 2));
  // Shorter than header + trailer; packet shorter than the tag.
  for (size_t n : {size_t{0}, size_t{3}, trailer, 8 + trailer - 1}) {
    EXPECT_EQ(RtcpError(std::vector<uint8_t>(good.begin(), good.begin() + long(n))), Error::kTooShort) << n;
  }
  // Truncated by a word: trailer misread, must fail authentication.
  EXPECT_EQ(RtcpError(std::vector<uint8_t>(good.begin(), good.end() - 4)), Error::kAuthFailed);
  // Wrong tag.
  auto bad = good;
  bad[params_.aead ? good.size() - 5 : good.size() - 1] ^= 1;
  EXPECT_EQ(RtcpError(bad), Error::kAuthFailed);
  // A length field changed in transit: authenticated, so refused (the RTCP
  // layer, not SRTP, checks lengths against the decrypted compound).
  bad = good;
  bad[2] = 0xff;
  EXPECT_EQ(RtcpError(bad), Error::kAuthFailed);
  bad = good;
  bad[0] = 0x40;
  EXPECT_EQ(RtcpError(bad), Error::kBadHeader);
  // Replay, and the genuine packet once.
  auto copy = good;
  ASSERT_TRUE(receiver_.UnprotectRtcp(copy, copy.size()).ok());
  EXPECT_EQ(RtcpError(good), Error::kReplayed);
  // Sender refuses a header it cannot read.
  auto plain = MakeRtcp(7);
  plain[0] = 0x00;  // version 0
  auto buf = plain;
  buf.resize(plain.size() + trailer);
  auto r = sender_.ProtectRtcp(buf, plain.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::kBadHeader);
}

TEST_P(BadInputTest, SrtcpIndexAtTheLimit) {
  const uint32_t ssrc = 7;
  // The peer sent 0x7fffffff: accepted once; nothing can follow.
  SrtpTestPeer::SetNextRtcpIndex(sender_, ssrc, kMaxSrtcpIndex);
  auto plain = MakeRtcp(ssrc, 1);
  auto last = ProtectRtcp(plain);
  auto copy = last;
  auto ok = receiver_.UnprotectRtcp(copy, copy.size());
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, plain.size());
  EXPECT_EQ(RtcpError(last), Error::kReplayed);
  auto buf = plain;
  buf.resize(plain.size() + sender_.rtcp_overhead());
  auto r = sender_.ProtectRtcp(buf, plain.size());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::kIndexExhausted);
  EXPECT_EQ(sender_.counters().drops(Error::kIndexExhausted), 1u);
}

TEST_P(BadInputTest, GarbageNeverCrashes) {
  // Random bytes of every length up to 300 into both paths.
  uint64_t x = 12345;
  for (size_t n = 0; n < 300; ++n) {
    std::vector<uint8_t> junk(n);
    for (auto& b : junk) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      b = static_cast<uint8_t>(x >> 56);
    }
    if (n > 0) junk[0] = static_cast<uint8_t>(0x80 | (junk[0] & 0x3f));
    auto a = junk, b = junk;
    EXPECT_FALSE(receiver_.UnprotectRtp(a, a.size()).ok());
    EXPECT_FALSE(receiver_.UnprotectRtcp(b, b.size()).ok());
  }
  EXPECT_EQ(receiver_.counters().total_drops(), 600u);
  EXPECT_EQ(receiver_.ssrc_count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(AllProfiles, BadInputTest,
                         ::testing::Values(Profile::kAes128CmHmacSha1_80, Profile::kAes128CmHmacSha1_32,
                                           Profile::kAeadAes128Gcm, Profile::kAeadAes256Gcm),
                         [](const auto& p) { return std::string(GetProfileParams(p.param).name); });

}  // namespace
}  // namespace aegis::srtp
