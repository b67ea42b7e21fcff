// Hex text <-> bytes, for test vectors, fingerprints and logs.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace aegis {

std::string ToHex(std::span<const uint8_t> bytes);
// Upper case, ':' between bytes ("4A:AD:B9"): how certificate fingerprints
// are written (RFC 8122 a=fingerprint, and what `aegis serve` prints).
std::string ToColonHex(std::span<const uint8_t> bytes);
// Accepts upper or lower case; ignores spaces, ':' and newlines between byte
// pairs. nullopt on any other character or an odd digit count.
std::optional<std::vector<uint8_t>> FromHex(std::string_view text);

}  // namespace aegis
