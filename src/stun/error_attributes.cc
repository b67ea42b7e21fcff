#include "stun/error_attributes.h"

#include "base/byte_reader.h"

namespace aegis::stun {

Result<ErrorCode, ParseError> ErrorCode::Parse(std::span<const uint8_t> value) {
  ByteReader r(value);
  const uint32_t word = r.U32();
  if (!r.ok()) return Err{ParseError::kBadAttributeLength};
  // The 21 reserved bits are ignored on receipt (§14.8).
  const unsigned cls = (word >> 8) & 0x7u;
  const unsigned number = word & 0xFFu;
  if (cls < 3 || cls > 6 || number > 99) return Err{ParseError::kBadErrorCode};
  const auto reason = r.Rest();
  if (reason.size() > kMaxTextLength) return Err{ParseError::kTextTooLong};
  return ErrorCode{static_cast<uint16_t>(cls * 100 + number),
                   std::string(reason.begin(), reason.end())};
}

void ErrorCode::SerializeValueTo(ByteWriter& w) const {
  w.U16(0);
  w.U8(static_cast<uint8_t>((code / 100) & 0x7u));
  w.U8(static_cast<uint8_t>(code % 100));
  w.Bytes({reinterpret_cast<const uint8_t*>(reason.data()), reason.size()});
}

Result<UnknownAttributes, ParseError> UnknownAttributes::Parse(std::span<const uint8_t> value) {
  if (value.size() % 2 != 0) return Err{ParseError::kBadAttributeLength};
  ByteReader r(value);
  UnknownAttributes out;
  out.types.reserve(value.size() / 2);
  while (!r.empty()) out.types.push_back(r.U16());
  return out;
}

void UnknownAttributes::SerializeValueTo(ByteWriter& w) const {
  for (uint16_t t : types) w.U16(t);
}

}  // namespace aegis::stun
