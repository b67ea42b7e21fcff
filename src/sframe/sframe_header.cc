#include "sframe/sframe_header.h"

#include <cassert>

#include "base/byte_reader.h"

namespace aegis::sframe {
namespace {

constexpr uint64_t kInlineLimit = 8;  // values below fit in the 3-bit field

// Bytes after the config byte for `v`: 0 if it fits in 3 bits, else 1-8.
size_t ExtraBytes(uint64_t v) {
  if (v < kInlineLimit) return 0;
  size_t n = 1;
  while (n < 8 && (v >> (8 * n)) != 0) ++n;
  return n;
}

// The 4-bit half of the config byte for `v`: flag + value or length - 1.
uint8_t Nibble(uint64_t v) {
  size_t n = ExtraBytes(v);
  return n == 0 ? static_cast<uint8_t>(v) : static_cast<uint8_t>(0x8 | (n - 1));
}

void WriteBE(uint64_t v, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
}

// Decodes one field from its nibble; marks `r` failed on a short read.
// Sets `minimal` false if the value had a shorter encoding.
uint64_t ReadField(uint8_t nibble, ByteReader& r, bool& minimal) {
  if ((nibble & 0x8) == 0) return nibble & 0x7;
  const size_t n = (nibble & 0x7) + 1u;
  uint64_t v = 0;
  for (uint8_t b : r.Bytes(n)) v = (v << 8) | b;
  if (!r.ok()) return 0;
  if (ExtraBytes(v) != n) minimal = false;
  return v;
}

}  // namespace

Result<SframeHeader, Error> SframeHeader::Parse(std::span<const uint8_t> data) {
  ByteReader r(data);
  const uint8_t config = r.U8();
  bool minimal = true;
  SframeHeader h;
  h.kid = ReadField(config >> 4, r, minimal);
  h.ctr = ReadField(config & 0x0f, r, minimal);
  if (!r.ok()) return Err{Error::kTooShort};
  if (!minimal) return Err{Error::kNonMinimalHeader};
  return h;
}

size_t SframeHeader::size() const { return 1 + ExtraBytes(kid) + ExtraBytes(ctr); }

void SframeHeader::WriteTo(std::span<uint8_t> out) const {
  assert(out.size() >= size());
  const size_t kid_bytes = ExtraBytes(kid);
  out[0] = static_cast<uint8_t>(Nibble(kid) << 4 | Nibble(ctr));
  WriteBE(kid, kid_bytes, out.data() + 1);
  WriteBE(ctr, ExtraBytes(ctr), out.data() + 1 + kid_bytes);
}

void SframeHeader::SerializeTo(std::vector<uint8_t>& out) const {
  const size_t at = out.size();
  out.resize(at + size());
  WriteTo(std::span(out).subspan(at));
}

}  // namespace aegis::sframe
