// Data Channel Establishment Protocol messages (RFC 8832 §5), carried as SCTP
// user messages with PPID 50 on the channel's own stream.
//
/* DATA_CHANNEL_OPEN (§5.1):
    0                   1                   2                   3
    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   |  Message Type |  Channel Type |            Priority           |
   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   |                    Reliability Parameter                      |
   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   |         Label Length          |       Protocol Length         |
   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   \                                                               /
   |                             Label                             |
   /                                                               \
   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   \                                                               /
   |                            Protocol                           |
   /                                                               \
   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   Message Type 0x03. Channel Type: 0x00 reliable, 0x80 reliable unordered,
   0x01/0x81 limited retransmissions (Reliability Parameter = count),
   0x02/0x82 limited lifetime (Reliability Parameter = milliseconds).
   Label and Protocol are UTF-8, of exactly the stated lengths.

 DATA_CHANNEL_ACK (§5.2):
   +-+-+-+-+-+-+-+-+
   |  Message Type |   0x02, nothing follows
   +-+-+-+-+-+-+-+-+
*/
// Parsing is strict: a message that is short, has lengths past its end,
// bytes after its last field, an unknown type, or non-UTF-8 text is refused;
// the receiver then closes the stream and never ACKs (RFC 8832 §6).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"

namespace aegis::sctp {

enum class DcepMessageType : uint8_t { kAck = 0x02, kOpen = 0x03 };

enum class DcepChannelType : uint8_t {
  kReliable = 0x00,
  kReliableUnordered = 0x80,
  kPartialReliableRexmit = 0x01,
  kPartialReliableRexmitUnordered = 0x81,
  kPartialReliableTimed = 0x02,
  kPartialReliableTimedUnordered = 0x82,
};
bool IsKnownChannelType(uint8_t value);

enum class DcepError : uint8_t {
  kEmpty,                  // no message type byte
  kUnknownMessageType,     // neither OPEN nor ACK (or the wrong one for the parser)
  kTruncated,              // OPEN shorter than its 12-byte fixed part
  kUnknownChannelType,     // not one of the six RFC 8832 §8.2.2 values
  kLengthExceedsPayload,   // label + protocol lengths run past the end
  kTrailingBytes,          // bytes after the last field
  kInvalidUtf8Label,
  kInvalidUtf8Protocol,
};
std::string_view ToString(DcepError error);

struct DataChannelOpen {
  static constexpr size_t kFixedSize = 12;
  static constexpr size_t kMaxFieldLength = 0xffff;

  DcepChannelType channel_type = DcepChannelType::kReliable;
  uint16_t priority = 0;
  uint32_t reliability_parameter = 0;
  std::string label;
  std::string protocol;

  static Result<DataChannelOpen, DcepError> Parse(std::span<const uint8_t> data);
  // Precondition: label and protocol are at most kMaxFieldLength bytes
  // (callers validate; longer text is cut so the lengths stay truthful).
  void SerializeTo(std::vector<uint8_t>& out) const;
  bool operator==(const DataChannelOpen&) const = default;
};

struct DataChannelAck {
  static Result<DataChannelAck, DcepError> Parse(std::span<const uint8_t> data);
  void SerializeTo(std::vector<uint8_t>& out) const;
  bool operator==(const DataChannelAck&) const = default;
};

using DcepMessage = std::variant<DataChannelOpen, DataChannelAck>;

// Dispatches on the Message Type byte.
Result<DcepMessage, DcepError> ParseDcep(std::span<const uint8_t> data);
void SerializeDcep(const DcepMessage& message, std::vector<uint8_t>& out);

}  // namespace aegis::sctp
