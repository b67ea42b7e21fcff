#include "rtcp/fir.h"

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "rtcp/feedback_header.h"

namespace aegis::rtcp {
namespace {
constexpr size_t kEntrySize = 8;
}

Result<Fir, ParseError> Fir::Parse(const CommonHeader& header) {
  if (header.packet_type != kTypePsfb || header.count != kFmtFir) return Err{ParseError::kWrongType};
  ByteReader r(header.payload);
  if (r.remaining() < kFeedbackHeaderSize) return Err{ParseError::kTooShort};
  Fir fir;
  fir.sender = Ssrc(r.U32());
  fir.media_source = Ssrc(r.U32());
  // "The FCI field MUST contain one or more FIR entries."
  if (r.empty() || r.remaining() % kEntrySize != 0) return Err{ParseError::kBadFirLength};
  fir.entries.reserve(r.remaining() / kEntrySize);
  while (!r.empty()) {
    FirEntry entry;
    entry.ssrc = Ssrc(r.U32());
    entry.sequence_number = r.U8();
    r.Skip(3);  // reserved
    fir.entries.push_back(entry);
  }
  return fir;
}

bool Fir::CanSerialize() const {
  return !entries.empty() && kFeedbackHeaderSize + entries.size() * kEntrySize <= kMaxBodySize;
}

void Fir::SerializeTo(std::vector<uint8_t>& out) const {
  if (!CanSerialize()) return;
  const size_t start = BeginPacket(out, kFmtFir, kTypePsfb);
  ByteWriter w(out);
  w.U32(sender.value());
  w.U32(media_source.value());
  for (const FirEntry& entry : entries) {
    w.U32(entry.ssrc.value());
    w.U8(entry.sequence_number);
    w.Zeros(3);
  }
  EndPacket(out, start);
}

}  // namespace aegis::rtcp
