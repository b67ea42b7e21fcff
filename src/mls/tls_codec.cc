#include "mls/tls_codec.h"

#include <cassert>

namespace aegis::mls {

void TlsReader::Fail(MlsError error) {
  if (!failed_) error_ = error;
  failed_ = true;
  reader_.Fail();
}

uint32_t TlsReader::Varint() {
  const uint8_t first = U8();
  if (!ok()) return 0;
  const unsigned prefix = first >> 6;
  if (prefix == 3) {
    Fail(MlsError::kBadVarint);
    return 0;
  }
  const unsigned length = 1u << prefix;
  uint32_t value = first & 0x3f;
  for (unsigned i = 1; i < length; ++i) value = (value << 8) | U8();
  if (!ok()) return 0;
  // §2.1.2: a value that fits in half the length used is malformed.
  if (prefix >= 1 && value < (uint32_t{1} << (8 * (length / 2) - 2))) {
    Fail(MlsError::kNonMinimalVarint);
    return 0;
  }
  return value;
}

std::span<const uint8_t> TlsReader::Vector() {
  const uint32_t size = Varint();
  if (!ok()) return {};
  return Checked(reader_.Bytes(size));
}

void WriteVarint(ByteWriter& out, size_t size) {
  assert(size <= kMaxVectorSize);
  if (size < 64) {
    out.U8(static_cast<uint8_t>(size));
  } else if (size < 16384) {
    out.U16(static_cast<uint16_t>(0x4000 | size));
  } else {
    out.U32(static_cast<uint32_t>(0x80000000u | size));
  }
}

void WriteVector(ByteWriter& out, std::span<const uint8_t> bytes) {
  WriteVarint(out, bytes.size());
  out.Bytes(bytes);
}

}  // namespace aegis::mls
