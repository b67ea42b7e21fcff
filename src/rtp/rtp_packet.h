// RTP packet view (RFC 3550 §5.1) with RFC 8285 header extensions.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                           timestamp                           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           synchronization source (SSRC) identifier            |
//  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//  |            contributing source (CSRC) identifiers             |
//  |                             ....                              |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |      defined by profile       |           length              |  (if X)
//  |                        header extension                       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                payload ...    | padding ... | padding count   |  (if P)
//
// The view never copies: it validates once and then answers from the bytes.
// Forwarding reads only the header and extensions, never the payload, so
// end-to-end encrypted payloads pass through untouched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/big_endian.h"
#include "base/strong_id.h"
#include "rtp/header_extension.h"

namespace aegis::rtp {

inline constexpr size_t kFixedHeaderSize = 12;

class RtpPacketView {
 public:
  // nullopt unless version is 2, the CSRC list, extension block and padding
  // all fit, and (if present) RFC 8285 extension elements are well formed.
  static std::optional<RtpPacketView> Parse(std::span<const uint8_t> packet);

  bool marker() const { return (bytes_[1] & 0x80) != 0; }
  uint8_t payload_type() const { return bytes_[1] & 0x7f; }
  uint16_t sequence_number() const { return LoadBE16(bytes_.data() + 2); }
  uint32_t timestamp() const { return LoadBE32(bytes_.data() + 4); }
  Ssrc ssrc() const { return Ssrc(LoadBE32(bytes_.data() + 8)); }
  size_t csrc_count() const { return bytes_[0] & 0x0f; }
  uint32_t csrc(size_t i) const { return LoadBE32(bytes_.data() + kFixedHeaderSize + 4 * i); }

  bool has_extension() const { return (bytes_[0] & 0x10) != 0; }
  // The 16-bit "defined by profile" field, 0 without an extension block.
  uint16_t extension_profile() const { return extension_profile_; }
  bool has_rfc8285_extensions() const;
  // The value of RFC 8285 element `id`, if present (first occurrence).
  std::optional<std::span<const uint8_t>> FindExtension(uint8_t id) const;
  // Every RFC 8285 element in order; empty for other extension profiles.
  std::vector<HeaderExtension> Extensions() const;

  size_t size() const { return bytes_.size(); }
  // 12 + 4·CC + the extension block including its 4-byte header.
  size_t header_size() const { return header_size_; }
  size_t payload_size() const { return bytes_.size() - header_size_ - padding_size_; }
  size_t padding_size() const { return padding_size_; }
  std::span<const uint8_t> extension_block() const;
  std::span<const uint8_t> payload() const { return bytes_.subspan(header_size_, payload_size()); }
  std::span<const uint8_t> bytes() const { return bytes_; }

 private:
  RtpPacketView(std::span<const uint8_t> bytes, size_t header_size, size_t padding_size, uint16_t ext_profile)
      : bytes_(bytes), header_size_(header_size), padding_size_(padding_size), extension_profile_(ext_profile) {}

  std::span<const uint8_t> bytes_;
  size_t header_size_;
  size_t padding_size_;
  uint16_t extension_profile_;
};

// In-place header rewrites for forwarding. `packet` must be bytes that
// RtpPacketView::Parse accepted; these touch only the fixed header.
void RewritePayloadType(std::span<uint8_t> packet, uint8_t payload_type);
void RewriteSequenceNumber(std::span<uint8_t> packet, uint16_t sequence_number);
void RewriteTimestamp(std::span<uint8_t> packet, uint32_t timestamp);
void RewriteSsrc(std::span<uint8_t> packet, Ssrc ssrc);
void RewriteMarker(std::span<uint8_t> packet, bool marker);

}  // namespace aegis::rtp
