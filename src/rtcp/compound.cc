#include "rtcp/compound.h"

#include "base/byte_reader.h"
#include "rtcp/common_header.h"
#include "rtcp/feedback_header.h"

namespace aegis::rtcp {
namespace {

template <typename T>
Result<Packet, ParseError> As(Result<T, ParseError> r) {
  if (!r) return Err{r.error()};
  return Packet(std::move(r).value());
}

Result<Packet, ParseError> ParseOne(const CommonHeader& h) {
  switch (h.packet_type) {
    case kTypeSr: return As(SenderReport::Parse(h));
    case kTypeRr: return As(ReceiverReport::Parse(h));
    case kTypeSdes: return As(Sdes::Parse(h));
    case kTypeBye: return As(Bye::Parse(h));
    case kTypeApp: return As(App::Parse(h));
    case kTypeRtpfb:
      if (h.count == kFmtNack) return As(Nack::Parse(h));
      if (h.count == kFmtTransportFeedback) return As(TransportFeedback::Parse(h));
      break;
    case kTypePsfb:
      if (h.count == kFmtPli) return As(Pli::Parse(h));
      if (h.count == kFmtFir) return As(Fir::Parse(h));
      if (Remb::Matches(h)) return As(Remb::Parse(h));
      break;
    default: break;
  }
  return Packet(UnknownPacket::FromHeader(h));
}

}  // namespace

Result<std::vector<Packet>, ParseError> ParseCompound(std::span<const uint8_t> data) {
  if (data.empty()) return Err{ParseError::kEmpty};
  ByteReader r(data);
  std::vector<Packet> packets;
  while (!r.empty()) {
    auto header = ReadPacket(r);
    if (!header) return Err{header.error()};
    auto packet = ParseOne(*header);
    if (!packet) return Err{packet.error()};
    packets.push_back(std::move(packet).value());
  }
  return packets;
}

bool SerializeCompound(std::span<const Packet> packets, std::vector<uint8_t>& out) {
  if (packets.empty()) return false;
  for (size_t i = 0; i < packets.size(); ++i) {
    if (!std::visit([](const auto& p) { return p.CanSerialize(); }, packets[i])) return false;
    const auto* unknown = std::get_if<UnknownPacket>(&packets[i]);
    if (unknown && unknown->padding && i + 1 != packets.size()) return false;
  }
  for (const Packet& p : packets) {
    std::visit([&](const auto& packet) { packet.SerializeTo(out); }, p);
  }
  return true;
}

}  // namespace aegis::rtcp
