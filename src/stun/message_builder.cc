#include "stun/message_builder.h"

#include "base/big_endian.h"
#include "base/byte_writer.h"
#include "stun/integrity.h"
#include "stun/integrity_attributes.h"

namespace aegis::stun {

MessageBuilder::MessageBuilder(MessageType type, const TransactionId& id) : id_(id) {
  ByteWriter w(buf_);
  w.U16(type.Encode());
  w.U16(0);
  w.U32(kMagicCookie);
  w.Bytes(id_);
}

bool MessageBuilder::Admit(uint16_t type, size_t size, size_t at) {
  Stage next = Stage::kAttributes;
  bool allowed = false;
  switch (type) {
    case attr::kMessageIntegrity:
      allowed = stage_ == Stage::kAttributes;
      next = Stage::kAfterMi;
      break;
    case attr::kMessageIntegritySha256:
      allowed = stage_ == Stage::kAttributes || stage_ == Stage::kAfterMi;
      next = Stage::kAfterMiSha256;
      break;
    case attr::kFingerprint:
      allowed = stage_ != Stage::kDone;
      next = Stage::kDone;
      break;
    default:
      allowed = stage_ == Stage::kAttributes;
      next = Stage::kAttributes;
      break;
  }
  if (!allowed || count_ >= kMaxAttributes || size > kMaxMessageSize - at) return false;
  stage_ = next;
  ++count_;
  return true;
}

void MessageBuilder::UpdateLength() {
  StoreBE16(buf_.data() + 2, static_cast<uint16_t>(buf_.size() - kHeaderSize));
}

bool MessageBuilder::Add(const Attribute& a) {
  const size_t at = buf_.size();
  ByteWriter w(buf_);
  SerializeAttribute(a, id_, w);
  // Refuse (and roll back) what our own parser would refuse, e.g. a
  // USERNAME over 763 bytes or an ERROR-CODE outside 300..699.
  const size_t length = LoadBE16(buf_.data() + at + 2);
  const auto value = std::span<const uint8_t>(buf_).subspan(at + kAttributeHeaderSize, length);
  const bool valid = ParseAttribute(AttributeType(a), value, id_).ok();
  if (!valid || !Admit(AttributeType(a), buf_.size() - at, at)) {
    buf_.resize(at);
    return false;
  }
  UpdateLength();
  return true;
}

size_t MessageBuilder::AppendPlaceholder(uint16_t type, size_t size) {
  const size_t offset = buf_.size();
  ByteWriter w(buf_);
  w.U16(type);
  w.U16(static_cast<uint16_t>(size));
  w.Zeros(size);  // all computed values are multiples of 4: no padding
  UpdateLength();
  return offset;
}

bool MessageBuilder::AddMessageIntegrity(std::span<const uint8_t> key) {
  if (!Admit(attr::kMessageIntegrity, kAttributeHeaderSize + kMessageIntegritySize, buf_.size())) {
    return false;
  }
  const size_t at = AppendPlaceholder(attr::kMessageIntegrity, kMessageIntegritySize);
  const auto value = std::span<uint8_t>(buf_).subspan(at + kAttributeHeaderSize);
  ComputeIntegrity(crypto::HashAlgorithm::kSha1, key, std::span<const uint8_t>(buf_).first(at),
                   static_cast<uint16_t>(buf_.size() - kHeaderSize), value);
  return true;
}

bool MessageBuilder::AddMessageIntegritySha256(std::span<const uint8_t> key, size_t size) {
  if (!MessageIntegritySha256::ValidSize(size)) return false;
  if (!Admit(attr::kMessageIntegritySha256, kAttributeHeaderSize + size, buf_.size())) {
    return false;
  }
  const size_t at = AppendPlaceholder(attr::kMessageIntegritySha256, size);
  const auto value = std::span<uint8_t>(buf_).subspan(at + kAttributeHeaderSize);
  ComputeIntegrity(crypto::HashAlgorithm::kSha256, key, std::span<const uint8_t>(buf_).first(at),
                   static_cast<uint16_t>(buf_.size() - kHeaderSize), value);
  return true;
}

bool MessageBuilder::AddFingerprint() {
  if (!Admit(attr::kFingerprint, kAttributeHeaderSize + 4, buf_.size())) return false;
  const size_t at = AppendPlaceholder(attr::kFingerprint, 4);
  const uint32_t fp = ComputeFingerprint(std::span<const uint8_t>(buf_).first(at),
                                         static_cast<uint16_t>(buf_.size() - kHeaderSize));
  StoreBE32(buf_.data() + at + kAttributeHeaderSize, fp);
  return true;
}

}  // namespace aegis::stun
