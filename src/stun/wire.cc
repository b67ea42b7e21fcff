#include "stun/wire.h"

#include "stun/constants.h"

namespace aegis::stun {

Result<void, ParseError> CheckHeader(std::span<const uint8_t> msg) {
  ByteReader r(msg);
  const uint16_t type = r.U16();
  const uint16_t length = r.U16();
  const uint32_t cookie = r.U32();
  r.Skip(kTransactionIdSize);
  if (!r.ok()) return Err{ParseError::kTruncatedHeader};
  if ((type & 0xC000u) != 0) return Err{ParseError::kBadLeadingBits};
  if (cookie != kMagicCookie) return Err{ParseError::kBadMagicCookie};
  if (msg.size() > kMaxMessageSize) return Err{ParseError::kTooLarge};
  if (length % 4 != 0) return Err{ParseError::kMisalignedLength};
  if (length != r.remaining()) return Err{ParseError::kLengthMismatch};
  return {};
}

AttributeWalker::AttributeWalker(std::span<const uint8_t> msg)
    : reader_(msg.size() >= kHeaderSize ? msg.subspan(kHeaderSize) : std::span<const uint8_t>{}) {}

std::optional<RawAttributeView> AttributeWalker::Next() {
  if (error_ || reader_.empty()) return std::nullopt;
  if (seen_fingerprint_) {
    error_ = ParseError::kDataAfterFingerprint;
    return std::nullopt;
  }
  if (++count_ > kMaxAttributes) {
    error_ = ParseError::kTooManyAttributes;
    return std::nullopt;
  }
  RawAttributeView a;
  a.offset = kHeaderSize + reader_.position();
  a.type = reader_.U16();
  const uint16_t length = reader_.U16();
  a.value = reader_.Bytes(length);
  reader_.Skip((4u - length % 4u) % 4u);  // padding: any value, ignored
  if (!reader_.ok()) {
    error_ = ParseError::kAttributeOverrun;
    return std::nullopt;
  }
  seen_fingerprint_ = a.type == attr::kFingerprint;
  return a;
}

}  // namespace aegis::stun
