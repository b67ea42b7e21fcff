#include "srtp/srtp_transform.h"

#include "base/big_endian.h"
#include "base/byte_reader.h"
#include "srtp/rollover.h"

namespace aegis::srtp {

Result<ProtectedRtpHeader, Error> ReadProtectedRtpHeader(std::span<const uint8_t> packet) {
  ByteReader r(packet);
  uint8_t first = r.U8();
  r.Skip(1);
  uint16_t seq = r.U16();
  r.Skip(4);
  uint32_t ssrc = r.U32();
  if (!r.ok()) return Err{Error::kTooShort};
  if ((first >> 6) != 2) return Err{Error::kBadHeader};
  r.Skip(4u * (first & 0x0f));
  if (first & 0x10) {
    r.Skip(2);  // "defined by profile"
    size_t words = r.U16();
    r.Skip(4 * words);
  }
  if (!r.ok()) return Err{Error::kBadHeader};
  return ProtectedRtpHeader{r.position(), seq, ssrc};
}

bool SealRtp(PacketCipher& cipher, std::span<uint8_t> packet, size_t header_size, uint32_t ssrc, uint64_t index,
             std::span<uint8_t> tag_out) {
  auto header = packet.first(header_size);
  auto payload = packet.subspan(header_size);
  if (cipher.aead()) return cipher.Seal(ssrc, index, header, {}, payload, tag_out);
  cipher.ApplyKeystream(ssrc, index, payload);
  uint8_t roc[4];
  StoreBE32(roc, RocOf(index));
  cipher.ComputeTag(packet, roc, tag_out);
  return true;
}

bool OpenRtp(PacketCipher& cipher, std::span<uint8_t> packet, size_t header_size, uint32_t ssrc, uint64_t index,
             std::span<const uint8_t> tag) {
  auto header = packet.first(header_size);
  auto payload = packet.subspan(header_size);
  if (cipher.aead()) return cipher.Open(ssrc, index, header, {}, payload, tag);
  uint8_t roc[4];
  StoreBE32(roc, RocOf(index));
  if (!cipher.VerifyTag(packet, roc, tag)) return false;
  cipher.ApplyKeystream(ssrc, index, payload);
  return true;
}

}  // namespace aegis::srtp
