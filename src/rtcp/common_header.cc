#include "rtcp/common_header.h"

#include "base/byte_writer.h"

namespace aegis::rtcp {

Result<CommonHeader, ParseError> ReadPacket(ByteReader& r) {
  if (r.remaining() < kHeaderSize) return Err{ParseError::kTruncatedHeader};
  const uint8_t first = r.U8();
  CommonHeader h;
  h.packet_type = r.U8();
  const size_t body_size = size_t{r.U16()} * 4;
  if ((first >> 6) != kVersion) return Err{ParseError::kBadVersion};
  h.padding = (first & 0x20) != 0;
  h.count = first & 0x1f;
  if (body_size > r.remaining()) return Err{ParseError::kLengthPastEnd};
  h.body = r.Bytes(body_size);
  h.payload = h.body;
  if (h.padding) {
    if (!r.empty()) return Err{ParseError::kPaddingNotLast};
    // The count includes itself, so it is at least 1 and the body is non-empty.
    if (h.body.empty()) return Err{ParseError::kBadPadding};
    const size_t pad = h.body.back();
    if (pad == 0 || pad > h.body.size()) return Err{ParseError::kBadPadding};
    h.payload = h.body.first(h.body.size() - pad);
  }
  return h;
}

size_t BeginPacket(std::vector<uint8_t>& out, uint8_t count, uint8_t packet_type) {
  const size_t start = out.size();
  ByteWriter w(out);
  w.U8(static_cast<uint8_t>((kVersion << 6) | (count & 0x1f)));
  w.U8(packet_type);
  w.U16(0);
  return start;
}

void EndPacket(std::vector<uint8_t>& out, size_t start) {
  ByteWriter w(out);
  w.Zeros((4 - (out.size() - start) % 4) % 4);
  const size_t words = (out.size() - start) / 4 - 1;
  w.PatchU16(start + 2, static_cast<uint16_t>(words));
}

}  // namespace aegis::rtcp
