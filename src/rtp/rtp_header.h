// An owned RTP header, for building packets (tests, the native client,
// padding probes) and for the parse → serialize round trip fuzzing relies on.
// The forwarding path uses RtpPacketView and in-place rewrites instead.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/strong_id.h"
#include "rtp/rtp_packet.h"

namespace aegis::rtp {

struct ExtensionElement {
  uint8_t id = 0;
  std::vector<uint8_t> data;
  bool operator==(const ExtensionElement&) const = default;
};

struct RtpHeader {
  bool marker = false;
  uint8_t payload_type = 0;
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;
  Ssrc ssrc;
  std::vector<uint32_t> csrcs;  // at most 15
  std::vector<ExtensionElement> extensions;

  static RtpHeader FromView(const RtpPacketView& view);
  bool operator==(const RtpHeader&) const = default;

  // Writes header, payload and `padding_size` padding bytes (0 = no P bit).
  // Extensions use the one-byte form when every id is 1–14 and every value
  // 1–16 bytes, the two-byte form otherwise. False if the header cannot be
  // represented (more than 15 CSRCs, id 0, or an id ≥ 15 with 1-byte form
  // impossible and value over 255 bytes).
  bool SerializeTo(std::span<const uint8_t> payload, uint8_t padding_size, std::vector<uint8_t>& out) const;
};

}  // namespace aegis::rtp
