// Transport-wide congestion control feedback, RTPFB FMT=15
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1):
//
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |V=2|P|  FMT=15 |    PT=205     |           length              |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                     SSRC of packet sender                     |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                      SSRC of media source                     |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |      base sequence number     |      packet status count      |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |                 reference time                | fb pkt. count |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |          packet chunk         |         packet chunk          |
//    .                                                               .
//    |         packet chunk          |  recv delta   |  recv delta   |
//    .                                                               .
//    |           recv delta          |  recv delta   | zero padding  |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Chunks (16 bits) give a status to each of `packet status count` packets:
//   run length:    |0| S (2) |      run length (13)     |
//   status vector: |1|0| 14 × 1-bit symbol |  or  |1|1| 7 × 2-bit symbol |
// Symbols: 00 not received, 01 received with a small delta (1 byte,
// unsigned), 10 received with a large or negative delta (2 bytes, signed),
// 11 reserved; a 1-bit symbol is 0 = not received, 1 = small delta. Deltas
// (250 µs ticks) follow, one per received packet, each relative to the
// previous received packet (the first to the reference time, 64 ms ticks).
//
// Parsing keeps only the received packets, so a tiny packet that claims
// 65535 lost ones costs no more memory than its own size.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "base/strong_id.h"
#include "rtcp/common_header.h"
#include "rtcp/parse_error.h"

namespace aegis::rtcp {

struct TransportFeedback {
  static constexpr int64_t kDeltaTickUs = 250;
  static constexpr int64_t kReferenceTimeTickUs = 64'000;
  static constexpr int32_t kMaxReferenceTime = (1 << 23) - 1;  // 24-bit signed
  static constexpr int32_t kMinReferenceTime = -(1 << 23);

  struct ReceivedPacket {
    uint16_t sequence_number = 0;
    int16_t delta_ticks = 0;  // sent as a small delta when 0..255
    bool operator==(const ReceivedPacket&) const = default;
  };
  // One entry of the expanded status list.
  struct PacketStatus {
    uint16_t sequence_number = 0;
    bool received = false;
    int16_t delta_ticks = 0;  // 0 when not received
    bool operator==(const PacketStatus&) const = default;
  };

  Ssrc sender;
  Ssrc media_source;
  uint16_t base_sequence = 0;
  uint16_t status_count = 0;   // packets covered from base_sequence on, ≥ 1
  int32_t reference_time = 0;  // 64 ms ticks, 24-bit signed
  uint8_t feedback_count = 0;
  // Ascending from base_sequence (wrapping at 2^16), each within
  // status_count of it; every other covered packet was not received.
  std::vector<ReceivedPacket> received;

  // Builds from a status list of consecutive sequence numbers (1 to 65535
  // entries). nullopt if the list is empty, too long, not consecutive, or the
  // reference time does not fit in 24 bits.
  static std::optional<TransportFeedback> FromPackets(Ssrc sender, Ssrc media_source, int32_t reference_time,
                                                      uint8_t feedback_count, std::span<const PacketStatus> packets);
  // The status of each of the status_count packets. Up to 65535 entries:
  // for packets from the network, prefer walking `received`.
  std::vector<PacketStatus> Packets() const;

  static Result<TransportFeedback, ParseError> Parse(const CommonHeader& header);
  // False if status_count is 0, the reference time does not fit, or
  // `received` is out of order or outside status_count; SerializeTo then
  // writes nothing.
  bool CanSerialize() const;
  // Chunks are chosen greedily (run length where a run allows, else 1-bit
  // vectors, else 2-bit vectors); the body is zero-padded to a word without
  // the P bit, so the packet can go anywhere in a compound.
  void SerializeTo(std::vector<uint8_t>& out) const;
  bool operator==(const TransportFeedback&) const = default;
};

}  // namespace aegis::rtcp
