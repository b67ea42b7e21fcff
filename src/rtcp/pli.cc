#include "rtcp/pli.h"

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "rtcp/feedback_header.h"

namespace aegis::rtcp {

Result<Pli, ParseError> Pli::Parse(const CommonHeader& header) {
  if (header.packet_type != kTypePsfb || header.count != kFmtPli) return Err{ParseError::kWrongType};
  ByteReader r(header.payload);
  if (r.remaining() < kFeedbackHeaderSize) return Err{ParseError::kTooShort};
  Pli pli;
  pli.sender = Ssrc(r.U32());
  pli.media_source = Ssrc(r.U32());
  if (!r.empty()) return Err{ParseError::kTrailingBytes};  // "the length field MUST be 2"
  return pli;
}

void Pli::SerializeTo(std::vector<uint8_t>& out) const {
  const size_t start = BeginPacket(out, kFmtPli, kTypePsfb);
  ByteWriter w(out);
  w.U32(sender.value());
  w.U32(media_source.value());
  EndPacket(out, start);
}

}  // namespace aegis::rtcp
