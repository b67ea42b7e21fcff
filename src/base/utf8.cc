#include "base/utf8.h"

namespace aegis {

Utf8Step NextUtf8(std::span<const uint8_t> bytes) {
  const uint8_t b0 = bytes[0];
  if (b0 < 0x80) return {1, true};
  // Lead byte: sequence length and the allowed range of the second byte
  // (RFC 3629 §4 table), which is what rules out overlongs, surrogates
  // and code points past U+10FFFF.
  size_t len;
  uint8_t lo = 0x80, hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3;
    if (b0 == 0xe0) lo = 0xa0;
    if (b0 == 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4;
    if (b0 == 0xf0) lo = 0x90;
    if (b0 == 0xf4) hi = 0x8f;
  } else {
    return {1, false};  // 0x80..0xc1 (continuation or overlong lead) or 0xf5..0xff
  }
  if (bytes.size() < 2 || bytes[1] < lo || bytes[1] > hi) return {1, false};
  for (size_t k = 2; k < len; ++k) {
    if (k >= bytes.size() || (bytes[k] & 0xc0) != 0x80) return {k, false};
  }
  return {len, true};
}

bool IsValidUtf8(std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    const Utf8Step step = NextUtf8(bytes);
    if (!step.valid) return false;
    bytes = bytes.subspan(step.length);
  }
  return true;
}

}  // namespace aegis
