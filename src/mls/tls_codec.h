// The TLS presentation language as MLS uses it (RFC 9420 §2.1): big-endian
// integers and variable-length vectors whose length is a QUIC-style varint
// (1, 2 or 4 bytes; the 0b11 prefix is invalid and the shortest encoding
// is required, §2.1.2).
//
// TlsReader wraps the bounded ByteReader and remembers the first error, so
// a parser reads a whole structure and checks ok() once, as everywhere in
// Aegis, yet still reports why a message was refused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "mls/mls_error.h"

namespace aegis::mls {

// ProtocolVersion mls10 (§6).
inline constexpr uint16_t kMls10 = 1;

// Largest length a vector header can carry (30 bits).
inline constexpr size_t kMaxVectorSize = (size_t{1} << 30) - 1;

class TlsReader {
 public:
  explicit TlsReader(std::span<const uint8_t> data) : reader_(data) {}

  bool ok() const { return reader_.ok(); }
  // Why the reader failed; meaningful only when !ok().
  MlsError error() const { return error_; }
  bool empty() const { return reader_.empty(); }

  uint8_t U8() { return Checked(reader_.U8()); }
  uint16_t U16() { return Checked(reader_.U16()); }
  uint32_t U32() { return Checked(reader_.U32()); }
  uint64_t U64() { return Checked(reader_.U64()); }
  // The length header of a vector.
  uint32_t Varint();
  // The contents of an opaque<V>.
  std::span<const uint8_t> Vector();
  // Reads a vector of structures: `element(TlsReader&)` is called until the
  // vector's bytes are used up. A failure inside fails this reader too.
  template <typename F>
  void ForEach(F&& element) {
    TlsReader items(Vector());
    while (ok() && items.ok() && !items.empty()) element(items);
    if (!items.ok()) Fail(items.error());
  }
  // Fails with kTrailingBytes unless every byte was read.
  void ExpectEnd() {
    if (ok() && !empty()) Fail(MlsError::kTrailingBytes);
  }
  // Marks the reader failed; the first error is the one kept.
  void Fail(MlsError error);

 private:
  template <typename T>
  T Checked(T value) {
    if (!reader_.ok() && !failed_) Fail(MlsError::kTruncated);
    return value;
  }

  ByteReader reader_;
  MlsError error_ = MlsError::kTruncated;
  bool failed_ = false;
};

// Appends the varint length header of `size` (< 2^30, minimal encoding).
void WriteVarint(ByteWriter& out, size_t size);
// Appends an opaque<V>: its length header, then the bytes.
void WriteVector(ByteWriter& out, std::span<const uint8_t> bytes);

}  // namespace aegis::mls
