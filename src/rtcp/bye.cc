#include "rtcp/bye.h"

#include "base/byte_reader.h"
#include "base/byte_writer.h"

namespace aegis::rtcp {

Result<Bye, ParseError> Bye::Parse(const CommonHeader& header) {
  if (header.packet_type != kTypeBye) return Err{ParseError::kWrongType};
  ByteReader r(header.payload);
  if (size_t{header.count} * 4 > r.remaining()) return Err{ParseError::kCountExceedsLength};
  Bye bye;
  bye.sources.reserve(header.count);
  for (uint8_t i = 0; i < header.count; ++i) bye.sources.push_back(Ssrc(r.U32()));
  if (!r.empty()) {
    const uint8_t length = r.U8();
    auto text = r.Bytes(length);
    if (!r.ok()) return Err{ParseError::kBadByeReason};
    bye.reason.emplace(text.begin(), text.end());
    // Only the null padding to the next word may follow; its content carries nothing.
    if (r.remaining() > 3) return Err{ParseError::kTrailingBytes};
  }
  return bye;
}

bool Bye::CanSerialize() const {
  return sources.size() <= kMaxCount && (!reason || reason->size() <= 255);
}

void Bye::SerializeTo(std::vector<uint8_t>& out) const {
  if (!CanSerialize()) return;
  const size_t start = BeginPacket(out, static_cast<uint8_t>(sources.size()), kTypeBye);
  ByteWriter w(out);
  for (Ssrc s : sources) w.U32(s.value());
  if (reason) {
    w.U8(static_cast<uint8_t>(reason->size()));
    w.Bytes({reinterpret_cast<const uint8_t*>(reason->data()), reason->size()});
  }
  EndPacket(out, start);
}

}  // namespace aegis::rtcp
