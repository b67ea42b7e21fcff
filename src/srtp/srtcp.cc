#include "srtp/srtcp.h"

#include <algorithm>

#include "base/big_endian.h"
#include "base/byte_reader.h"

namespace aegis::srtp {

Result<uint32_t, Error> ReadRtcpSenderSsrc(std::span<const uint8_t> rtcp) {
  ByteReader r(rtcp);
  uint8_t first = r.U8();
  r.Skip(1);  // packet type: demux already classified the packet as RTCP
  // The length field is not checked here: the tag covers it and the RTCP
  // layer validates the compound after decryption. (RFC 7714's own §17
  // vectors claim 14 words in a 13-word packet.)
  r.Skip(2);
  uint32_t ssrc = r.U32();
  if (!r.ok()) return Err{Error::kTooShort};
  if ((first >> 6) != 2) return Err{Error::kBadHeader};
  return ssrc;
}

bool SealRtcp(PacketCipher& cipher, std::span<uint8_t> rtcp, uint32_t ssrc, uint32_t index,
              std::span<uint8_t> trailer_out) {
  const size_t tag_size = cipher.tag_size();
  uint8_t word[kSrtcpIndexSize];
  StoreBE32(word, kSrtcpEFlag | index);
  auto header = rtcp.first(kRtcpHeaderSize);
  auto body = rtcp.subspan(kRtcpHeaderSize);
  if (cipher.aead()) {
    if (!cipher.Seal(ssrc, index, header, word, body, trailer_out.first(tag_size))) return false;
    std::copy_n(word, kSrtcpIndexSize, trailer_out.begin() + static_cast<ptrdiff_t>(tag_size));
    return true;
  }
  cipher.ApplyKeystream(ssrc, index, body);
  std::copy_n(word, kSrtcpIndexSize, trailer_out.begin());
  // The tag covers the packet and the E|index word, which now follow each other.
  std::span<const uint8_t> authenticated(rtcp.data(), rtcp.size() + kSrtcpIndexSize);
  cipher.ComputeTag(authenticated, {}, trailer_out.subspan(kSrtcpIndexSize, tag_size));
  return true;
}

SrtcpTrailer ReadSrtcpTrailer(const PacketCipher& cipher, std::span<const uint8_t> packet) {
  const size_t rtcp_size = packet.size() - cipher.tag_size() - kSrtcpIndexSize;
  const size_t word_at = cipher.aead() ? packet.size() - kSrtcpIndexSize : rtcp_size;
  return SrtcpTrailer{rtcp_size, LoadBE32(packet.data() + word_at)};
}

bool OpenRtcp(PacketCipher& cipher, std::span<uint8_t> packet, uint32_t ssrc, const SrtcpTrailer& trailer) {
  const size_t tag_size = cipher.tag_size();
  auto rtcp = packet.first(trailer.rtcp_size);
  if (cipher.aead()) {
    auto tag = packet.subspan(trailer.rtcp_size, tag_size);
    auto word = packet.last(kSrtcpIndexSize);
    if (trailer.encrypted()) {
      return cipher.Open(ssrc, trailer.index(), rtcp.first(kRtcpHeaderSize), word, rtcp.subspan(kRtcpHeaderSize),
                         tag);
    }
    return cipher.Open(ssrc, trailer.index(), rtcp, word, {}, tag);
  }
  auto authenticated = packet.first(trailer.rtcp_size + kSrtcpIndexSize);
  if (!cipher.VerifyTag(authenticated, {}, packet.last(tag_size))) return false;
  if (trailer.encrypted()) cipher.ApplyKeystream(ssrc, trailer.index(), rtcp.subspan(kRtcpHeaderSize));
  return true;
}

}  // namespace aegis::srtp
