#include "rtcp/transport_feedback.h"

#include <algorithm>
#include <array>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "rtcp/feedback_header.h"

namespace aegis::rtcp {
namespace {

constexpr size_t kFixedSize = kFeedbackHeaderSize + 8;

// Status symbols (§3.1.1).
constexpr uint8_t kNotReceived = 0;
constexpr uint8_t kSmallDelta = 1;
constexpr uint8_t kLargeDelta = 2;
constexpr uint8_t kReserved = 3;

constexpr size_t kMaxRunLength = 0x1fff;
constexpr size_t kOneBitCapacity = 14;
constexpr size_t kTwoBitCapacity = 7;

bool IsRunLength(uint16_t chunk) { return (chunk & 0x8000) == 0; }
bool IsTwoBit(uint16_t chunk) { return (chunk & 0x4000) != 0; }

size_t ChunkCapacity(uint16_t chunk) {
  if (IsRunLength(chunk)) return chunk & kMaxRunLength;
  return IsTwoBit(chunk) ? kTwoBitCapacity : kOneBitCapacity;
}

// Symbol i (0-based, first = most significant) of a status vector chunk.
uint8_t VectorSymbol(uint16_t chunk, size_t i) {
  if (IsTwoBit(chunk)) return static_cast<uint8_t>((chunk >> (12 - 2 * i)) & 3);
  return static_cast<uint8_t>((chunk >> (13 - i)) & 1);  // 0 or kSmallDelta
}

uint8_t SymbolFor(int16_t delta_ticks) { return delta_ticks >= 0 && delta_ticks <= 255 ? kSmallDelta : kLargeDelta; }

// Greedy chunk encoder: a pending group of symbols that still fits one
// chunk; when the next symbol would not fit, the group (or its first seven
// symbols) is written out.
class ChunkEncoder {
 public:
  explicit ChunkEncoder(ByteWriter& w) : w_(w) {}

  void Add(uint8_t symbol) {
    if (!CanAdd(symbol)) Emit();
    if (size_ < kOneBitCapacity) symbols_[size_] = symbol;
    all_same_ = size_ == 0 || (all_same_ && symbol == symbols_[0]);
    has_large_ = has_large_ || symbol == kLargeDelta;
    ++size_;
  }

  void Finish() {
    if (size_ == 0) return;
    if (all_same_) {
      WriteRunLength();
    } else if (size_ <= kTwoBitCapacity) {
      WriteTwoBit(size_);
    } else {
      WriteOneBit(size_);
    }
    size_ = 0;
  }

 private:
  bool CanAdd(uint8_t symbol) const {
    if (size_ < kTwoBitCapacity) return true;
    if (size_ < kOneBitCapacity && !has_large_ && symbol != kLargeDelta) return true;
    return all_same_ && symbol == symbols_[0] && size_ < kMaxRunLength;
  }

  void Emit() {
    if (all_same_) {
      WriteRunLength();
      size_ = 0;
      has_large_ = false;
      return;
    }
    if (size_ == kOneBitCapacity) {  // 14 symbols without a large delta
      WriteOneBit(size_);
      size_ = 0;
      has_large_ = false;
      return;
    }
    // 7..13 symbols that need (or are followed by) 2-bit symbols: write
    // seven, keep the rest pending.
    WriteTwoBit(kTwoBitCapacity);
    std::copy(symbols_.begin() + kTwoBitCapacity, symbols_.begin() + size_, symbols_.begin());
    size_ -= kTwoBitCapacity;
    all_same_ = std::all_of(symbols_.begin(), symbols_.begin() + size_, [&](uint8_t s) { return s == symbols_[0]; });
    has_large_ = std::find(symbols_.begin(), symbols_.begin() + size_, kLargeDelta) != symbols_.begin() + size_;
  }

  void WriteRunLength() { w_.U16(static_cast<uint16_t>((symbols_[0] << 13) | size_)); }
  void WriteOneBit(size_t n) {
    uint16_t chunk = 0x8000;
    for (size_t i = 0; i < n; ++i) chunk = static_cast<uint16_t>(chunk | ((symbols_[i] & 1) << (13 - i)));
    w_.U16(chunk);
  }
  void WriteTwoBit(size_t n) {
    uint16_t chunk = 0xc000;
    for (size_t i = 0; i < n; ++i) chunk = static_cast<uint16_t>(chunk | (symbols_[i] << (12 - 2 * i)));
    w_.U16(chunk);
  }

  ByteWriter& w_;
  std::array<uint8_t, kOneBitCapacity> symbols_{};
  size_t size_ = 0;
  bool all_same_ = true;
  bool has_large_ = false;
};

}  // namespace

std::optional<TransportFeedback> TransportFeedback::FromPackets(Ssrc sender, Ssrc media_source, int32_t reference_time,
                                                                uint8_t feedback_count,
                                                                std::span<const PacketStatus> packets) {
  if (packets.empty() || packets.size() > 0xffff) return std::nullopt;
  TransportFeedback fb;
  fb.sender = sender;
  fb.media_source = media_source;
  fb.base_sequence = packets[0].sequence_number;
  fb.status_count = static_cast<uint16_t>(packets.size());
  fb.reference_time = reference_time;
  fb.feedback_count = feedback_count;
  for (size_t i = 0; i < packets.size(); ++i) {
    if (packets[i].sequence_number != static_cast<uint16_t>(fb.base_sequence + i)) return std::nullopt;
    if (packets[i].received) fb.received.push_back({packets[i].sequence_number, packets[i].delta_ticks});
  }
  if (!fb.CanSerialize()) return std::nullopt;
  return fb;
}

std::vector<TransportFeedback::PacketStatus> TransportFeedback::Packets() const {
  std::vector<PacketStatus> out(status_count);
  for (size_t i = 0; i < out.size(); ++i) out[i].sequence_number = static_cast<uint16_t>(base_sequence + i);
  for (const ReceivedPacket& p : received) {
    const uint16_t offset = static_cast<uint16_t>(p.sequence_number - base_sequence);
    if (offset < out.size()) out[offset] = {p.sequence_number, true, p.delta_ticks};
  }
  return out;
}

Result<TransportFeedback, ParseError> TransportFeedback::Parse(const CommonHeader& header) {
  if (header.packet_type != kTypeRtpfb || header.count != kFmtTransportFeedback) return Err{ParseError::kWrongType};
  ByteReader r(header.payload);
  if (r.remaining() < kFixedSize) return Err{ParseError::kTooShort};
  TransportFeedback fb;
  fb.sender = Ssrc(r.U32());
  fb.media_source = Ssrc(r.U32());
  fb.base_sequence = r.U16();
  fb.status_count = r.U16();
  const uint32_t ref = r.U24();
  fb.reference_time = (ref & 0x800000) ? static_cast<int32_t>(ref) - 0x1000000 : static_cast<int32_t>(ref);
  fb.feedback_count = r.U8();
  if (fb.status_count == 0) return Err{ParseError::kTwccBadStatusCount};

  // Pass 1: find how many chunks cover status_count. Each chunk consumes two
  // bytes, so a count the bytes cannot back fails here, without allocating.
  ByteReader chunks = r;
  size_t num_chunks = 0;
  for (size_t covered = 0; covered < fb.status_count; ++num_chunks) {
    covered += ChunkCapacity(r.U16());
    if (!r.ok()) return Err{ParseError::kTwccBadStatusCount};
  }

  // Pass 2: walk the statuses, reading one delta per received packet from
  // `r` (now at the first delta). Every received packet consumes at least a
  // byte, so the work is bounded by the packet size.
  fb.received.reserve(std::min<size_t>(fb.status_count, r.remaining()));
  size_t index = 0;
  auto add_received = [&](uint8_t symbol) {
    const int16_t delta = symbol == kSmallDelta ? static_cast<int16_t>(r.U8()) : static_cast<int16_t>(r.U16());
    fb.received.push_back({static_cast<uint16_t>(fb.base_sequence + index), delta});
    return r.ok();
  };
  for (size_t c = 0; c < num_chunks; ++c) {
    const uint16_t chunk = chunks.U16();
    if (IsRunLength(chunk)) {
      const auto symbol = static_cast<uint8_t>((chunk >> 13) & 3);
      if (symbol == kReserved) return Err{ParseError::kTwccReservedStatus};
      const size_t run = std::min<size_t>(chunk & kMaxRunLength, fb.status_count - index);
      if (symbol == kNotReceived) {
        index += run;
        continue;
      }
      for (size_t i = 0; i < run; ++i, ++index) {
        if (!add_received(symbol)) return Err{ParseError::kTwccTruncatedDeltas};
      }
      continue;
    }
    // Symbols past status_count in the last chunk are filler and ignored.
    const size_t n = std::min(ChunkCapacity(chunk), fb.status_count - index);
    for (size_t i = 0; i < n; ++i, ++index) {
      const uint8_t symbol = VectorSymbol(chunk, i);
      if (symbol == kReserved) return Err{ParseError::kTwccReservedStatus};
      if (symbol != kNotReceived && !add_received(symbol)) return Err{ParseError::kTwccTruncatedDeltas};
    }
  }
  // At most the zero padding up to the next word may follow.
  if (r.remaining() > 3) return Err{ParseError::kTrailingBytes};
  return fb;
}

bool TransportFeedback::CanSerialize() const {
  if (status_count == 0 || reference_time < kMinReferenceTime || reference_time > kMaxReferenceTime) return false;
  // Offsets must rise strictly and stay below status_count. The largest
  // possible body (65535 two-byte deltas and 2-bit chunks) fits the length field.
  int32_t previous = -1;
  for (const ReceivedPacket& p : received) {
    const int32_t offset = static_cast<uint16_t>(p.sequence_number - base_sequence);
    if (offset <= previous || offset >= status_count) return false;
    previous = offset;
  }
  return true;
}

void TransportFeedback::SerializeTo(std::vector<uint8_t>& out) const {
  if (!CanSerialize()) return;
  const size_t start = BeginPacket(out, kFmtTransportFeedback, kTypeRtpfb);
  ByteWriter w(out);
  w.U32(sender.value());
  w.U32(media_source.value());
  w.U16(base_sequence);
  w.U16(status_count);
  w.U24(static_cast<uint32_t>(reference_time) & 0xffffff);
  w.U8(feedback_count);
  ChunkEncoder encoder(w);
  auto next = received.begin();
  for (size_t i = 0; i < status_count; ++i) {
    const bool got = next != received.end() && static_cast<uint16_t>(next->sequence_number - base_sequence) == i;
    encoder.Add(got ? SymbolFor((next++)->delta_ticks) : kNotReceived);
  }
  encoder.Finish();
  for (const ReceivedPacket& p : received) {
    if (SymbolFor(p.delta_ticks) == kSmallDelta) {
      w.U8(static_cast<uint8_t>(p.delta_ticks));
    } else {
      w.U16(static_cast<uint16_t>(p.delta_ticks));
    }
  }
  EndPacket(out, start);
}

}  // namespace aegis::rtcp
