#include "rtcp/receiver_report.h"

#include "base/byte_reader.h"
#include "base/byte_writer.h"

namespace aegis::rtcp {

Result<ReceiverReport, ParseError> ReceiverReport::Parse(const CommonHeader& header) {
  if (header.packet_type != kTypeRr) return Err{ParseError::kWrongType};
  ByteReader r(header.payload);
  if (r.remaining() < 4) return Err{ParseError::kTooShort};
  ReceiverReport rr;
  rr.sender = Ssrc(r.U32());
  if (size_t{header.count} * ReportBlock::kSize > r.remaining()) return Err{ParseError::kCountExceedsLength};
  rr.report_blocks.reserve(header.count);
  for (uint8_t i = 0; i < header.count; ++i) rr.report_blocks.push_back(ReportBlock::Read(r));
  // RFC 3550 padding is a whole number of words, so the rest is too.
  if (r.remaining() % 4 != 0) return Err{ParseError::kBadPadding};
  auto rest = r.Rest();
  rr.profile_extension.assign(rest.begin(), rest.end());
  return rr;
}

bool ReceiverReport::CanSerialize() const {
  return report_blocks.size() <= kMaxCount && profile_extension.size() % 4 == 0 &&
         4 + report_blocks.size() * ReportBlock::kSize + profile_extension.size() <= kMaxBodySize;
}

void ReceiverReport::SerializeTo(std::vector<uint8_t>& out) const {
  if (!CanSerialize()) return;
  const size_t start = BeginPacket(out, static_cast<uint8_t>(report_blocks.size()), kTypeRr);
  ByteWriter w(out);
  w.U32(sender.value());
  for (const ReportBlock& b : report_blocks) b.WriteTo(w);
  w.Bytes(profile_extension);
  EndPacket(out, start);
}

}  // namespace aegis::rtcp
