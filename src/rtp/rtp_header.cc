#include "rtp/rtp_header.h"

#include "base/byte_writer.h"

namespace aegis::rtp {
namespace {

bool FitsOneByteForm(const std::vector<ExtensionElement>& extensions) {
  for (const auto& e : extensions) {
    if (e.id < 1 || e.id > 14 || e.data.empty() || e.data.size() > 16) return false;
  }
  return true;
}

}  // namespace

RtpHeader RtpHeader::FromView(const RtpPacketView& view) {
  RtpHeader h;
  h.marker = view.marker();
  h.payload_type = view.payload_type();
  h.sequence_number = view.sequence_number();
  h.timestamp = view.timestamp();
  h.ssrc = view.ssrc();
  for (size_t i = 0; i < view.csrc_count(); ++i) h.csrcs.push_back(view.csrc(i));
  for (const auto& e : view.Extensions()) h.extensions.push_back({e.id, {e.data.begin(), e.data.end()}});
  return h;
}

bool RtpHeader::SerializeTo(std::span<const uint8_t> payload, uint8_t padding_size,
                            std::vector<uint8_t>& out) const {
  if (csrcs.size() > 15 || payload_type > 127) return false;
  const bool one_byte = FitsOneByteForm(extensions);
  for (const auto& e : extensions) {
    if (e.id == 0 || e.data.size() > 255) return false;
  }
  ByteWriter w(out);
  size_t start = w.size();
  uint8_t first = static_cast<uint8_t>(0x80 | csrcs.size());
  if (padding_size > 0) first |= 0x20;
  if (!extensions.empty()) first |= 0x10;
  w.U8(first);
  w.U8(static_cast<uint8_t>((marker ? 0x80 : 0) | payload_type));
  w.U16(sequence_number);
  w.U32(timestamp);
  w.U32(ssrc.value());
  for (uint32_t c : csrcs) w.U32(c);
  if (!extensions.empty()) {
    w.U16(one_byte ? kOneByteExtensionProfile : kTwoByteExtensionProfile);
    size_t length_at = w.size();
    w.U16(0);
    size_t body_start = w.size();
    for (const auto& e : extensions) {
      if (one_byte) {
        w.U8(static_cast<uint8_t>(e.id << 4 | (e.data.size() - 1)));
      } else {
        w.U8(e.id);
        w.U8(static_cast<uint8_t>(e.data.size()));
      }
      w.Bytes(e.data);
    }
    while ((w.size() - body_start) % 4 != 0) w.U8(0);
    size_t words = (w.size() - body_start) / 4;
    if (words > 0xffff) {
      out.resize(start);
      return false;
    }
    w.PatchU16(length_at, static_cast<uint16_t>(words));
  }
  w.Bytes(payload);
  if (padding_size > 0) {
    w.Zeros(padding_size - 1u);
    w.U8(padding_size);
  }
  return true;
}

}  // namespace aegis::rtp
