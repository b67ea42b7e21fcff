#include "rtcp/nack.h"

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "rtcp/feedback_header.h"

namespace aegis::rtcp {

Nack Nack::FromSequenceNumbers(Ssrc sender, Ssrc media_source, std::span<const uint16_t> lost) {
  Nack nack{sender, media_source, {}};
  for (uint16_t seq : lost) {
    if (!nack.items.empty()) {
      NackItem& last = nack.items.back();
      const uint16_t offset = static_cast<uint16_t>(seq - last.pid);
      if (offset == 0) continue;
      if (offset <= 16) {
        last.blp = static_cast<uint16_t>(last.blp | (1u << (offset - 1)));
        continue;
      }
    }
    nack.items.push_back(NackItem{seq, 0});
  }
  return nack;
}

std::vector<uint16_t> Nack::SequenceNumbers() const {
  std::vector<uint16_t> out;
  AppendSequenceNumbers(out);
  return out;
}

void Nack::AppendSequenceNumbers(std::vector<uint16_t>& out) const {
  for (const NackItem& item : items) {
    out.push_back(item.pid);
    for (int bit = 0; bit < 16; ++bit) {
      if (item.blp & (1u << bit)) out.push_back(static_cast<uint16_t>(item.pid + bit + 1));
    }
  }
}

Result<Nack, ParseError> Nack::Parse(const CommonHeader& header) {
  if (header.packet_type != kTypeRtpfb || header.count != kFmtNack) return Err{ParseError::kWrongType};
  ByteReader r(header.payload);
  if (r.remaining() < kFeedbackHeaderSize) return Err{ParseError::kTooShort};
  Nack nack;
  nack.sender = Ssrc(r.U32());
  nack.media_source = Ssrc(r.U32());
  if (r.empty()) return Err{ParseError::kBadNackLength};  // "MUST contain at least one"
  // RFC 3550 padding is a whole number of words, so the FCI is too.
  if (r.remaining() % 4 != 0) return Err{ParseError::kBadPadding};
  nack.items.reserve(r.remaining() / 4);
  while (!r.empty()) {
    NackItem item;
    item.pid = r.U16();
    item.blp = r.U16();
    nack.items.push_back(item);
  }
  return nack;
}

bool Nack::CanSerialize() const {
  return !items.empty() && kFeedbackHeaderSize + items.size() * 4 <= kMaxBodySize;
}

void Nack::SerializeTo(std::vector<uint8_t>& out) const {
  if (!CanSerialize()) return;
  const size_t start = BeginPacket(out, kFmtNack, kTypeRtpfb);
  ByteWriter w(out);
  w.U32(sender.value());
  w.U32(media_source.value());
  for (const NackItem& item : items) {
    w.U16(item.pid);
    w.U16(item.blp);
  }
  EndPacket(out, start);
}

}  // namespace aegis::rtcp
