#include "rtcp/remb.h"

#include <algorithm>
#include <array>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "rtcp/feedback_header.h"

namespace aegis::rtcp {
namespace {

constexpr std::array<uint8_t, 4> kIdentifier = {'R', 'E', 'M', 'B'};
constexpr uint32_t kMaxMantissa = (1u << 18) - 1;

}  // namespace

bool Remb::Matches(const CommonHeader& header) {
  if (header.packet_type != kTypePsfb || header.count != kFmtAfb) return false;
  if (header.payload.size() < kFeedbackHeaderSize + kIdentifier.size()) return false;
  auto id = header.payload.subspan(kFeedbackHeaderSize, kIdentifier.size());
  return std::equal(id.begin(), id.end(), kIdentifier.begin());
}

Result<Remb, ParseError> Remb::Parse(const CommonHeader& header) {
  if (!Matches(header)) return Err{ParseError::kWrongType};
  ByteReader r(header.payload);
  if (r.remaining() < kFeedbackHeaderSize + 8) return Err{ParseError::kTooShort};
  Remb remb;
  remb.sender = Ssrc(r.U32());
  remb.media_source = Ssrc(r.U32());
  r.Skip(kIdentifier.size());
  const uint8_t num_ssrc = r.U8();
  const uint32_t bitrate = r.U24();
  const unsigned exponent = bitrate >> 18;
  const uint64_t mantissa = bitrate & kMaxMantissa;
  // 18 + 46 bits still fit in 64; above that the high bits must be clear.
  if (exponent > 46 && (mantissa >> (64 - exponent)) != 0) return Err{ParseError::kRembBitrateOverflow};
  remb.bitrate_bps = mantissa << exponent;
  if (r.remaining() != size_t{num_ssrc} * 4) return Err{ParseError::kRembSsrcCountMismatch};
  remb.ssrcs.reserve(num_ssrc);
  for (uint8_t i = 0; i < num_ssrc; ++i) remb.ssrcs.push_back(Ssrc(r.U32()));
  return remb;
}

bool Remb::CanSerialize() const { return ssrcs.size() <= 255; }

void Remb::SerializeTo(std::vector<uint8_t>& out) const {
  if (!CanSerialize()) return;
  unsigned exponent = 0;
  while ((bitrate_bps >> exponent) > kMaxMantissa) ++exponent;  // at most 46
  const auto mantissa = static_cast<uint32_t>(bitrate_bps >> exponent);
  const size_t start = BeginPacket(out, kFmtAfb, kTypePsfb);
  ByteWriter w(out);
  w.U32(sender.value());
  w.U32(media_source.value());
  w.Bytes(kIdentifier);
  w.U8(static_cast<uint8_t>(ssrcs.size()));
  w.U24((exponent << 18) | mantissa);
  for (Ssrc s : ssrcs) w.U32(s.value());
  EndPacket(out, start);
}

}  // namespace aegis::rtcp
