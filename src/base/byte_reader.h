// Bounds-checked reader over untrusted bytes. Every parser in Aegis reads
// through this class; nothing casts structs onto buffers.
//
// Failure is sticky: a read past the end returns zero (or an empty span),
// marks the reader failed, and every later read fails too. Parsers read a
// whole structure and check ok() once, which keeps them short while staying
// memory safe: no read can ever leave the span.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace aegis {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }
  size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }

  uint8_t U8();
  uint16_t U16();
  uint32_t U24();
  uint32_t U32();
  uint64_t U64();

  // The next n bytes, or an empty span (and failure) if fewer remain.
  std::span<const uint8_t> Bytes(size_t n);
  // Everything not yet read.
  std::span<const uint8_t> Rest();
  // Skips n bytes; false (and failure) if fewer remain.
  bool Skip(size_t n);
  // A reader over the next n bytes; this reader moves past them.
  ByteReader Sub(size_t n);
  // Marks the reader failed: for semantic errors found while parsing.
  void Fail() { ok_ = false; }

 private:
  bool Has(size_t n) {
    if (!ok_ || data_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace aegis
