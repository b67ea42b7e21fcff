#include "rtp/rtx.h"

#include <algorithm>

namespace aegis::rtp {
namespace {

constexpr uint8_t kPaddingBit = 0x20;

// The header of `from` (fixed part, CSRCs, extension block) into `out`,
// with the padding bit cleared and the given identity.
void CopyHeader(const RtpPacketView& from, Ssrc ssrc, uint8_t payload_type, uint16_t sequence,
                std::span<uint8_t> out) {
  std::copy_n(from.bytes().begin(), from.header_size(), out.begin());
  out[0] = static_cast<uint8_t>(out[0] & ~kPaddingBit);
  RewriteSsrc(out, ssrc);
  RewritePayloadType(out, payload_type);
  RewriteSequenceNumber(out, sequence);
}

}  // namespace

size_t WriteRtx(const RtpPacketView& original, Ssrc rtx_ssrc, uint8_t rtx_payload_type, uint16_t rtx_sequence,
                uint16_t original_sequence, std::span<uint8_t> out) {
  const size_t size = RtxSize(original);
  if (out.size() < size) return 0;
  CopyHeader(original, rtx_ssrc, rtx_payload_type, rtx_sequence, out);
  StoreBE16(out.data() + original.header_size(), original_sequence);
  auto payload = original.payload();
  std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(original.header_size() + kRtxOsnSize));
  return size;
}

size_t WriteRtx(const RtpPacketView& original, Ssrc rtx_ssrc, uint8_t rtx_payload_type, uint16_t rtx_sequence,
                uint16_t original_sequence, TransportSequence transport, std::span<uint8_t> out) {
  const size_t size = RtxSizeWithTransportSequence(original);
  if (out.size() < size) return 0;
  const size_t header = WriteHeaderWithTransportSequence(original, transport, out);
  if (header == 0) return 0;
  out[0] = static_cast<uint8_t>(out[0] & ~kPaddingBit);
  RewriteSsrc(out, rtx_ssrc);
  RewritePayloadType(out, rtx_payload_type);
  RewriteSequenceNumber(out, rtx_sequence);
  StoreBE16(out.data() + header, original_sequence);
  auto payload = original.payload();
  std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(header + kRtxOsnSize));
  return size;
}

size_t RecoverFromRtx(const RtpPacketView& rtx, Ssrc media_ssrc, uint8_t media_payload_type, std::span<uint8_t> out) {
  auto payload = rtx.payload();
  if (payload.size() < kRtxOsnSize) return 0;
  const size_t size = rtx.header_size() + payload.size() - kRtxOsnSize;
  if (out.size() < size) return 0;
  CopyHeader(rtx, media_ssrc, media_payload_type, LoadBE16(payload.data()), out);
  std::copy(payload.begin() + kRtxOsnSize, payload.end(), out.begin() + static_cast<std::ptrdiff_t>(rtx.header_size()));
  return size;
}

}  // namespace aegis::rtp
