// Framing shared by the parser and the integrity checks, so both agree on
// what a well-formed message is. Header (RFC 8489 §5):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |0 0|     STUN Message Type     |         Message Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         Magic Cookie                          |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                     Transaction ID (96 bits)                  |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "base/byte_reader.h"
#include "base/result.h"
#include "stun/parse_error.h"

namespace aegis::stun {

// Checks the fixed header of a whole message (`msg` is exactly the
// datagram): size, leading bits, cookie, length alignment and agreement.
Result<void, ParseError> CheckHeader(std::span<const uint8_t> msg);

struct RawAttributeView {
  uint16_t type = 0;
  size_t offset = 0;  // of the attribute's type field, from the message start
  std::span<const uint8_t> value;  // without padding

  // Where the next attribute starts (value plus padding).
  size_t end() const { return offset + 4 + (value.size() + 3) / 4 * 4; }
};

// Walks the attributes of a message that passed CheckHeader. Enforces the
// framing rules: every attribute and its padding inside the message, at
// most kMaxAttributes, nothing after FINGERPRINT.
class AttributeWalker {
 public:
  explicit AttributeWalker(std::span<const uint8_t> msg);

  // The next attribute; nullopt at the end or on a framing error (error()).
  std::optional<RawAttributeView> Next();
  std::optional<ParseError> error() const { return error_; }

 private:
  ByteReader reader_;
  size_t count_ = 0;
  bool seen_fingerprint_ = false;
  std::optional<ParseError> error_;
};

}  // namespace aegis::stun
