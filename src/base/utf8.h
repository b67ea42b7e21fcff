// Strict UTF-8 (RFC 3629 §3-4): no overlong forms, no UTF-16 surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence. Used for
// DCEP labels (RFC 8832 §5.1), display names, and the signaling writer,
// which replaces what is ill-formed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace aegis {

// The sequence at the start of `bytes` (not empty): a well-formed character
// of `length` bytes, or an ill-formed "maximal subpart" (Unicode §3.9) of
// `length` bytes (at least 1) that a decoder replaces by one U+FFFD.
struct Utf8Step {
  size_t length;
  bool valid;
};
Utf8Step NextUtf8(std::span<const uint8_t> bytes);

bool IsValidUtf8(std::span<const uint8_t> bytes);
inline bool IsValidUtf8(std::string_view text) {
  return IsValidUtf8({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

}  // namespace aegis
