#include "auth/base64url.h"

#include "base/byte_reader.h"

namespace aegis::auth {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kStandardAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Three bytes to four characters; a last group of one or two bytes to two
// or three, then '=' up to four when padding.
std::string Encode(std::span<const uint8_t> bytes, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    for (int shift : {18, 12, 6, 0}) out += alphabet[(v >> shift) & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{bytes[i]} << 16;
    if (rest == 2) v |= uint32_t{bytes[i + 1]} << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (rest == 2) out += alphabet[(v >> 6) & 63];
    if (pad) out.append(3 - rest, '=');
  }
  return out;
}

// The 6-bit value of a base64url character, or -1.
int Sextet(uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string Base64UrlEncode(std::span<const uint8_t> bytes) { return Encode(bytes, kAlphabet, /*pad=*/false); }

std::string Base64Encode(std::span<const uint8_t> bytes) { return Encode(bytes, kStandardAlphabet, /*pad=*/true); }

std::optional<std::vector<uint8_t>> Base64UrlDecode(std::string_view text) {
  // One leftover character carries only 6 bits: never a whole byte.
  if (text.size() % 4 == 1) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3 + 2);
  ByteReader reader({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  uint32_t acc = 0;
  int bits = 0;
  while (!reader.empty()) {
    int s = Sextet(reader.U8());
    if (s < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(s);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  // Left-over bits (2 or 4) are padding inside the last character: they
  // must be zero, or two strings would decode to the same bytes.
  if (acc != 0) return std::nullopt;
  return out;
}

}  // namespace aegis::auth
