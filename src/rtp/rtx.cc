#include "rtp/rtx.h"

#include <algorithm>

namespace aegis::rtp {
namespace {

constexpr uint8_t kPaddingBit = 0x20;

// The header at the front of `out` with the padding bit cleared (the
// padding is never carried over) and the given identity.
void SetIdentity(std::span<uint8_t> out, Ssrc ssrc, uint8_t payload_type, uint16_t sequence) {
  out[0] = static_cast<uint8_t>(out[0] & ~kPaddingBit);
  RewriteSsrc(out, ssrc);
  RewritePayloadType(out, payload_type);
  RewriteSequenceNumber(out, sequence);
}

// Behind a header of `header` bytes already at the front of `out`: its
// RTX identity, the OSN and the original's payload. Returns the size.
size_t CompleteRtx(const RtpPacketView& original, size_t header, Ssrc rtx_ssrc, uint8_t rtx_payload_type,
                   uint16_t rtx_sequence, uint16_t original_sequence, std::span<uint8_t> out) {
  SetIdentity(out, rtx_ssrc, rtx_payload_type, rtx_sequence);
  StoreBE16(out.data() + header, original_sequence);
  auto payload = original.payload();
  std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(header + kRtxOsnSize));
  return header + kRtxOsnSize + payload.size();
}

}  // namespace

size_t WriteRtx(const RtpPacketView& original, Ssrc rtx_ssrc, uint8_t rtx_payload_type, uint16_t rtx_sequence,
                uint16_t original_sequence, std::span<uint8_t> out) {
  if (out.size() < RtxSize(original)) return 0;
  std::copy_n(original.bytes().begin(), original.header_size(), out.begin());
  return CompleteRtx(original, original.header_size(), rtx_ssrc, rtx_payload_type, rtx_sequence, original_sequence,
                     out);
}

size_t WriteRtx(const RtpPacketView& original, Ssrc rtx_ssrc, uint8_t rtx_payload_type, uint16_t rtx_sequence,
                uint16_t original_sequence, TransportSequence transport, std::span<uint8_t> out) {
  if (out.size() < RtxSizeWithTransportSequence(original)) return 0;
  const size_t header = WriteHeaderWithTransportSequence(original, transport, out);
  if (header == 0) return 0;
  return CompleteRtx(original, header, rtx_ssrc, rtx_payload_type, rtx_sequence, original_sequence, out);
}

size_t RecoverFromRtx(const RtpPacketView& rtx, Ssrc media_ssrc, uint8_t media_payload_type, std::span<uint8_t> out) {
  auto payload = rtx.payload();
  if (payload.size() < kRtxOsnSize) return 0;
  const size_t size = rtx.header_size() + payload.size() - kRtxOsnSize;
  if (out.size() < size) return 0;
  std::copy_n(rtx.bytes().begin(), rtx.header_size(), out.begin());
  SetIdentity(out, media_ssrc, media_payload_type, LoadBE16(payload.data()));
  std::copy(payload.begin() + kRtxOsnSize, payload.end(), out.begin() + static_cast<std::ptrdiff_t>(rtx.header_size()));
  return size;
}

}  // namespace aegis::rtp
