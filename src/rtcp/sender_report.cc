#include "rtcp/sender_report.h"

#include "base/byte_reader.h"
#include "base/byte_writer.h"

namespace aegis::rtcp {
namespace {
constexpr size_t kFixedSize = 24;  // sender SSRC + sender info
}

Result<SenderReport, ParseError> SenderReport::Parse(const CommonHeader& header) {
  if (header.packet_type != kTypeSr) return Err{ParseError::kWrongType};
  ByteReader r(header.payload);
  if (r.remaining() < kFixedSize) return Err{ParseError::kTooShort};
  SenderReport sr;
  sr.sender = Ssrc(r.U32());
  sr.ntp_timestamp = r.U64();
  sr.rtp_timestamp = r.U32();
  sr.packet_count = r.U32();
  sr.octet_count = r.U32();
  if (size_t{header.count} * ReportBlock::kSize > r.remaining()) return Err{ParseError::kCountExceedsLength};
  sr.report_blocks.reserve(header.count);
  for (uint8_t i = 0; i < header.count; ++i) sr.report_blocks.push_back(ReportBlock::Read(r));
  // RFC 3550 padding is a whole number of words, so the rest is too.
  if (r.remaining() % 4 != 0) return Err{ParseError::kBadPadding};
  auto rest = r.Rest();
  sr.profile_extension.assign(rest.begin(), rest.end());
  return sr;
}

bool SenderReport::CanSerialize() const {
  return report_blocks.size() <= kMaxCount && profile_extension.size() % 4 == 0 &&
         kFixedSize + report_blocks.size() * ReportBlock::kSize + profile_extension.size() <= kMaxBodySize;
}

void SenderReport::SerializeTo(std::vector<uint8_t>& out) const {
  if (!CanSerialize()) return;
  const size_t start = BeginPacket(out, static_cast<uint8_t>(report_blocks.size()), kTypeSr);
  ByteWriter w(out);
  w.U32(sender.value());
  w.U64(ntp_timestamp);
  w.U32(rtp_timestamp);
  w.U32(packet_count);
  w.U32(octet_count);
  for (const ReportBlock& b : report_blocks) b.WriteTo(w);
  w.Bytes(profile_extension);
  EndPacket(out, start);
}

}  // namespace aegis::rtcp
