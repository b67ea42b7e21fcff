#include "rtp/rtp_packet.h"

#include "base/byte_reader.h"

namespace aegis::rtp {

std::optional<RtpPacketView> RtpPacketView::Parse(std::span<const uint8_t> packet) {
  ByteReader r(packet);
  uint8_t first = r.U8();
  r.Skip(kFixedHeaderSize - 1);
  if (!r.ok() || (first >> 6) != 2) return std::nullopt;
  r.Skip(4u * (first & 0x0f));  // CSRCs

  uint16_t ext_profile = 0;
  if (first & 0x10) {
    ext_profile = r.U16();
    size_t words = r.U16();
    auto body = r.Bytes(4 * words);
    if (!r.ok()) return std::nullopt;
    if (!ForEachExtension(ext_profile, body, [](const HeaderExtension&) { return true; })) return std::nullopt;
  }
  if (!r.ok()) return std::nullopt;
  size_t header_size = r.position();

  size_t padding = 0;
  if (first & 0x20) {
    // The last byte counts itself; it must be at least 1 and fit after the header.
    padding = packet.back();
    if (header_size == packet.size() || padding == 0 || padding > packet.size() - header_size) {
      return std::nullopt;
    }
  }
  return RtpPacketView(packet, header_size, padding, ext_profile);
}

bool RtpPacketView::has_rfc8285_extensions() const {
  return extension_profile_ == kOneByteExtensionProfile ||
         (extension_profile_ & 0xfff0) == kTwoByteExtensionProfile;
}

std::span<const uint8_t> RtpPacketView::extension_block() const {
  if (!has_extension()) return {};
  size_t start = kFixedHeaderSize + 4 * csrc_count() + 4;
  return bytes_.subspan(start, header_size_ - start);
}

std::optional<std::span<const uint8_t>> RtpPacketView::FindExtension(uint8_t id) const {
  std::optional<std::span<const uint8_t>> found;
  ForEachExtension(extension_profile_, extension_block(), [&](const HeaderExtension& e) {
    if (e.id != id) return true;
    found = e.data;
    return false;
  });
  return found;
}

std::vector<HeaderExtension> RtpPacketView::Extensions() const {
  std::vector<HeaderExtension> out;
  ForEachExtension(extension_profile_, extension_block(), [&](const HeaderExtension& e) {
    out.push_back(e);
    return true;
  });
  return out;
}

void RewritePayloadType(std::span<uint8_t> packet, uint8_t payload_type) {
  if (packet.size() < kFixedHeaderSize) return;
  packet[1] = static_cast<uint8_t>((packet[1] & 0x80) | (payload_type & 0x7f));
}

void RewriteSequenceNumber(std::span<uint8_t> packet, uint16_t sequence_number) {
  if (packet.size() >= kFixedHeaderSize) StoreBE16(packet.data() + 2, sequence_number);
}

void RewriteTimestamp(std::span<uint8_t> packet, uint32_t timestamp) {
  if (packet.size() >= kFixedHeaderSize) StoreBE32(packet.data() + 4, timestamp);
}

void RewriteSsrc(std::span<uint8_t> packet, Ssrc ssrc) {
  if (packet.size() >= kFixedHeaderSize) StoreBE32(packet.data() + 8, ssrc.value());
}

void RewriteMarker(std::span<uint8_t> packet, bool marker) {
  if (packet.size() < kFixedHeaderSize) return;
  packet[1] = static_cast<uint8_t>((packet[1] & 0x7f) | (marker ? 0x80 : 0));
}

}  // namespace aegis::rtp
