// Writes a STUN message to send: header, attributes in the order added, then
// optionally MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT,
// each computed over what precedes it with the header length adjusted as
// RFC 8489 §14.5–14.7 require. Keeps the header length current after every
// step, so bytes() is a complete message at any point.
//
//   MessageBuilder b({method::kBinding, MessageClass::kRequest}, id);
//   b.Add(Username{"a:b"});
//   b.Add(Priority{p});
//   b.AddMessageIntegrity(ShortTermKey(password));
//   b.AddFingerprint();
//   send(b.bytes());
//
// Every call returns false and changes nothing if it would produce what a
// receiver ignores or refuses: a plain attribute after an integrity
// attribute, MESSAGE-INTEGRITY after MESSAGE-INTEGRITY-SHA256, anything
// after FINGERPRINT, or more than kMaxMessageSize bytes / kMaxAttributes
// attributes (the limits our own parser enforces).
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "stun/attribute.h"
#include "stun/constants.h"
#include "stun/message_type.h"

namespace aegis::stun {

class MessageBuilder {
 public:
  MessageBuilder(MessageType type, const TransactionId& id);

  // Any attribute except the three computed ones below (those, passed here,
  // are written verbatim, e.g. to re-send a parsed message's values).
  bool Add(const Attribute& a);
  // HMAC-SHA1 with `key` (see integrity.h for short- and long-term keys).
  bool AddMessageIntegrity(std::span<const uint8_t> key);
  // HMAC-SHA256 truncated to `size` bytes (16..32, multiple of 4).
  bool AddMessageIntegritySha256(std::span<const uint8_t> key, size_t size = 32);
  bool AddFingerprint();

  const std::vector<uint8_t>& bytes() const { return buf_; }
  std::vector<uint8_t> Take() && { return std::move(buf_); }

 private:
  // Checks order and limits for one more attribute of `type` taking `size`
  // bytes on the wire from offset `at`, and advances the stage.
  bool Admit(uint16_t type, size_t size, size_t at);
  // Appends an attribute with a zero value of `size` bytes; returns its offset.
  size_t AppendPlaceholder(uint16_t type, size_t size);
  void UpdateLength();

  std::vector<uint8_t> buf_;
  TransactionId id_;
  size_t count_ = 0;
  enum class Stage { kAttributes, kAfterMi, kAfterMiSha256, kDone } stage_ = Stage::kAttributes;
};

}  // namespace aegis::stun
