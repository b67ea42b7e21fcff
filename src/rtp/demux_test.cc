#include "rtp/demux.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace aegis::rtp {
namespace {

// The RFC 9443 §3 figure, written out independently of demux.cc.
DemuxKind ExpectedForFirstByte(int b) {
  if (b >= 0 && b <= 3) return DemuxKind::kStun;
  if (b >= 4 && b <= 15) return DemuxKind::kDrop;
  if (b >= 16 && b <= 19) return DemuxKind::kDrop;  // ZRTP
  if (b >= 20 && b <= 63) return DemuxKind::kDtls;
  if (b >= 64 && b <= 79) return DemuxKind::kTurnChannel;
  if (b >= 80 && b <= 127) return DemuxKind::kDrop;  // QUIC
  if (b >= 128 && b <= 191) return DemuxKind::kRtp;
  return DemuxKind::kDrop;  // 192..255 QUIC
}

TEST(Demux, EveryFirstByte) {
  for (int b = 0; b < 256; ++b) {
    SCOPED_TRACE(b);
    // Second byte 96: a dynamic RTP payload type, so 128..191 is RTP.
    const std::vector<uint8_t> rtp_like = {static_cast<uint8_t>(b), 96, 0, 0};
    EXPECT_EQ(Demux(rtp_like), ExpectedForFirstByte(b));
    // Second byte 200 (SR): 128..191 becomes RTCP, other ranges are unchanged.
    const std::vector<uint8_t> rtcp_like = {static_cast<uint8_t>(b), 200, 0, 0};
    const DemuxKind expected = ExpectedForFirstByte(b) == DemuxKind::kRtp ? DemuxKind::kRtcp : ExpectedForFirstByte(b);
    EXPECT_EQ(Demux(rtcp_like), expected);
  }
}

TEST(Demux, RangeEdgesFromRfc9443) {
  // protocol_constants_5764_7983_8831_8832.json "edge_bytes_to_test".
  const struct {
    uint8_t first;
    DemuxKind kind;
  } cases[] = {
      {0, DemuxKind::kStun},        {1, DemuxKind::kStun},         {2, DemuxKind::kStun},
      {3, DemuxKind::kStun},        {4, DemuxKind::kDrop},         {15, DemuxKind::kDrop},
      {16, DemuxKind::kDrop},       {19, DemuxKind::kDrop},        {20, DemuxKind::kDtls},
      {63, DemuxKind::kDtls},       {64, DemuxKind::kTurnChannel}, {79, DemuxKind::kTurnChannel},
      {80, DemuxKind::kDrop},       {127, DemuxKind::kDrop},       {128, DemuxKind::kRtp},
      {191, DemuxKind::kRtp},       {192, DemuxKind::kDrop},       {255, DemuxKind::kDrop},
  };
  for (const auto& c : cases) {
    const uint8_t datagram[] = {c.first, 0x00};
    EXPECT_EQ(Demux(datagram), c.kind) << int{c.first};
  }
}

TEST(Demux, EverySecondByteForRtpRange) {
  for (int second = 0; second < 256; ++second) {
    SCOPED_TRACE(second);
    const uint8_t datagram[] = {0x80, static_cast<uint8_t>(second)};
    const int pt = second & 0x7f;
    const bool rtcp = pt >= 64 && pt <= 95;
    EXPECT_EQ(IsRtcpSecondByte(static_cast<uint8_t>(second)), rtcp);
    EXPECT_EQ(Demux(datagram), rtcp ? DemuxKind::kRtcp : DemuxKind::kRtp);
  }
  // Every RTCP packet type in use (RFC 3550, 3611, 4585, 5760) is 192..223.
  for (int type = 192; type <= 223; ++type) EXPECT_TRUE(IsRtcpSecondByte(static_cast<uint8_t>(type))) << type;
  // RTP with and without the marker bit, dynamic and static payload types.
  for (int second : {0, 8, 63, 96, 111, 127, 128, 128 | 96, 128 | 127}) {
    EXPECT_FALSE(IsRtcpSecondByte(static_cast<uint8_t>(second))) << second;
  }
}

TEST(Demux, EmptyAndOneByteDatagrams) {
  EXPECT_EQ(Demux({}), DemuxKind::kDrop);
  const uint8_t rtp_one[] = {0x80};
  EXPECT_EQ(Demux(rtp_one), DemuxKind::kDrop);  // cannot tell RTP from RTCP
  const uint8_t stun_one[] = {0x00};
  EXPECT_EQ(Demux(stun_one), DemuxKind::kStun);  // the STUN parser rejects it
  const uint8_t dtls_one[] = {0x16};
  EXPECT_EQ(Demux(dtls_one), DemuxKind::kDtls);
}

TEST(Demux, RealPacketStarts) {
  // RFC 5769 §2.1 STUN Binding request: 00 01 ...
  const uint8_t stun[] = {0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42};
  EXPECT_EQ(Demux(stun), DemuxKind::kStun);
  // DTLS 1.2 handshake record: content type 22, version fe fd.
  const uint8_t dtls[] = {0x16, 0xfe, 0xfd, 0x00, 0x00};
  EXPECT_EQ(Demux(dtls), DemuxKind::kDtls);
  // TURN ChannelData, channel 0x4000 (RFC 8656 §12.4).
  const uint8_t turn[] = {0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4};
  EXPECT_EQ(Demux(turn), DemuxKind::kTurnChannel);
  // The RFC 7714 §16.1 SRTP vector starts 80 40: payload type 64, which
  // RFC 5761 §4 forbids with rtcp-mux, so it is handed to RTCP (whose
  // parser rejects it). The vector is fine for SRTP tests, not for demux.
  const uint8_t srtp_7714[] = {0x80, 0x40, 0xf1, 0x7b};
  EXPECT_EQ(Demux(srtp_7714), DemuxKind::kRtcp);
  // A typical VP8 RTP packet (PT 96, marker set) and Opus (PT 111).
  const uint8_t vp8[] = {0x90, 0xe0, 0x12, 0x34};
  EXPECT_EQ(Demux(vp8), DemuxKind::kRtp);
  const uint8_t opus[] = {0x80, 0x6f, 0x12, 0x34};
  EXPECT_EQ(Demux(opus), DemuxKind::kRtp);
  // RFC 7714 §17.1 SRTCP: 81 c8 (SR).
  const uint8_t srtcp[] = {0x81, 0xc8, 0x00, 0x0d};
  EXPECT_EQ(Demux(srtcp), DemuxKind::kRtcp);
  // Transport-wide CC feedback: 8f cd (RTPFB, FMT 15).
  const uint8_t twcc[] = {0x8f, 0xcd, 0x00, 0x05};
  EXPECT_EQ(Demux(twcc), DemuxKind::kRtcp);
}

}  // namespace
}  // namespace aegis::rtp
