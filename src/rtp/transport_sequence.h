// The transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-
// extensions-01 §2): a 16-bit counter per connection, in a header extension,
// that the receiver's transport feedback (rtcp/transport_feedback.h) reports
// arrival times against, so the sender can see queues build.
//
// The SFU numbers every packet it forwards to a subscriber that negotiated
// it. The publisher's own extension elements are not for the subscriber (it
// negotiated none of them, and their ids may collide with ours), so the
// forwarded copy carries a block with this one element instead:
//
//   | 0xBE | 0xDE |  length = 1   |  ID | L=1 | seq (high) | seq (low) | 0 |
//
// Written straight into the copy (no second pass over the payload).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/strong_id.h"
#include "rtp/rtp_packet.h"

namespace aegis::rtp {

inline constexpr char kTransportSequenceUri[] =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
inline constexpr size_t kTransportSequenceBlockSize = 8;

struct TransportSequence {
  uint8_t extension_id = 0;  // 1..14 (one-byte form)
  uint16_t sequence = 0;
};

// Size of the fixed header and CSRCs of `packet`, followed by the block.
inline size_t HeaderSizeWithTransportSequence(const RtpPacketView& packet) {
  return kFixedHeaderSize + 4 * packet.csrc_count() + kTransportSequenceBlockSize;
}

// Size of `packet` whole with its block replaced so.
inline size_t SizeWithTransportSequence(const RtpPacketView& packet) {
  return HeaderSizeWithTransportSequence(packet) + packet.size() - packet.header_size();
}

// `packet` whole (payload and padding as they are) with its extension block,
// if any, replaced by the transport sequence block. Returns the size written;
// 0 if `out` is too short or the id does not fit the one-byte form.
size_t CopyWithTransportSequence(const RtpPacketView& packet, TransportSequence sequence, std::span<uint8_t> out);

// Only the header part of the above (the caller writes what follows):
// fixed header and CSRCs of `packet`, X bit set, then the block.
size_t WriteHeaderWithTransportSequence(const RtpPacketView& packet, TransportSequence sequence,
                                        std::span<uint8_t> out);

// The sequence number in `packet`'s element `extension_id`, if present.
std::optional<uint16_t> ReadTransportSequence(const RtpPacketView& packet, uint8_t extension_id);

}  // namespace aegis::rtp
