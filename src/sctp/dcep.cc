#include "sctp/dcep.h"

#include <algorithm>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "base/utf8.h"

namespace aegis::sctp {
namespace {

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

bool IsKnownChannelType(uint8_t value) {
  switch (value) {
    case 0x00: case 0x80: case 0x01: case 0x81: case 0x02: case 0x82:
      return true;
    default:
      return false;
  }
}

std::string_view ToString(DcepError error) {
  switch (error) {
    case DcepError::kEmpty: return "empty DCEP message";
    case DcepError::kUnknownMessageType: return "unknown DCEP message type";
    case DcepError::kTruncated: return "DATA_CHANNEL_OPEN shorter than 12 bytes";
    case DcepError::kUnknownChannelType: return "unknown channel type";
    case DcepError::kLengthExceedsPayload: return "label/protocol length past end of message";
    case DcepError::kTrailingBytes: return "bytes after the last field";
    case DcepError::kInvalidUtf8Label: return "label is not UTF-8";
    case DcepError::kInvalidUtf8Protocol: return "protocol is not UTF-8";
  }
  return "unknown DCEP error";
}

Result<DataChannelOpen, DcepError> DataChannelOpen::Parse(std::span<const uint8_t> data) {
  if (data.empty()) return Err{DcepError::kEmpty};
  ByteReader r(data);
  if (r.U8() != static_cast<uint8_t>(DcepMessageType::kOpen)) return Err{DcepError::kUnknownMessageType};
  const uint8_t channel_type = r.U8();
  const uint16_t priority = r.U16();
  const uint32_t reliability = r.U32();
  const uint16_t label_length = r.U16();
  const uint16_t protocol_length = r.U16();
  if (!r.ok()) return Err{DcepError::kTruncated};
  if (!IsKnownChannelType(channel_type)) return Err{DcepError::kUnknownChannelType};
  // Summed in size_t: two 0xffff lengths cannot wrap.
  if (r.remaining() < size_t{label_length} + size_t{protocol_length}) {
    return Err{DcepError::kLengthExceedsPayload};
  }
  const auto label = r.Bytes(label_length);
  const auto protocol = r.Bytes(protocol_length);
  if (!r.ok()) return Err{DcepError::kLengthExceedsPayload};
  if (!r.empty()) return Err{DcepError::kTrailingBytes};
  if (!IsValidUtf8(label)) return Err{DcepError::kInvalidUtf8Label};
  if (!IsValidUtf8(protocol)) return Err{DcepError::kInvalidUtf8Protocol};

  DataChannelOpen open;
  open.channel_type = static_cast<DcepChannelType>(channel_type);
  open.priority = priority;
  open.reliability_parameter = reliability;
  open.label.assign(label.begin(), label.end());
  open.protocol.assign(protocol.begin(), protocol.end());
  return open;
}

void DataChannelOpen::SerializeTo(std::vector<uint8_t>& out) const {
  const size_t label_length = std::min(label.size(), kMaxFieldLength);
  const size_t protocol_length = std::min(protocol.size(), kMaxFieldLength);
  ByteWriter w(out);
  w.U8(static_cast<uint8_t>(DcepMessageType::kOpen));
  w.U8(static_cast<uint8_t>(channel_type));
  w.U16(priority);
  w.U32(reliability_parameter);
  w.U16(static_cast<uint16_t>(label_length));
  w.U16(static_cast<uint16_t>(protocol_length));
  w.Bytes(AsBytes(label).first(label_length));
  w.Bytes(AsBytes(protocol).first(protocol_length));
}

Result<DataChannelAck, DcepError> DataChannelAck::Parse(std::span<const uint8_t> data) {
  if (data.empty()) return Err{DcepError::kEmpty};
  if (data[0] != static_cast<uint8_t>(DcepMessageType::kAck)) return Err{DcepError::kUnknownMessageType};
  if (data.size() != 1) return Err{DcepError::kTrailingBytes};
  return DataChannelAck{};
}

void DataChannelAck::SerializeTo(std::vector<uint8_t>& out) const {
  out.push_back(static_cast<uint8_t>(DcepMessageType::kAck));
}

Result<DcepMessage, DcepError> ParseDcep(std::span<const uint8_t> data) {
  if (data.empty()) return Err{DcepError::kEmpty};
  switch (data[0]) {
    case static_cast<uint8_t>(DcepMessageType::kOpen): {
      auto open = DataChannelOpen::Parse(data);
      if (!open) return Err{open.error()};
      return DcepMessage{std::move(open).value()};
    }
    case static_cast<uint8_t>(DcepMessageType::kAck): {
      auto ack = DataChannelAck::Parse(data);
      if (!ack) return Err{ack.error()};
      return DcepMessage{*ack};
    }
    default:
      return Err{DcepError::kUnknownMessageType};
  }
}

void SerializeDcep(const DcepMessage& message, std::vector<uint8_t>& out) {
  std::visit([&out](const auto& m) { m.SerializeTo(out); }, message);
}

}  // namespace aegis::sctp
