// Appends big-endian fields to a caller-owned vector. Serializers take the
// vector by reference so a caller can reuse one buffer across messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/big_endian.h"

namespace aegis {

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>& out) : out_(out) {}

  size_t size() const { return out_.size(); }

  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v) { StoreBE16(Grow(2), v); }
  void U24(uint32_t v) { StoreBE24(Grow(3), v); }
  void U32(uint32_t v) { StoreBE32(Grow(4), v); }
  void U64(uint64_t v) { StoreBE64(Grow(8), v); }
  void Bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void Zeros(size_t n) { out_.insert(out_.end(), n, 0); }
  // Pads with zeros up to a multiple of `align` bytes (counted from offset 0).
  void PadTo(size_t align) { Zeros((align - out_.size() % align) % align); }

  // Overwrites a field written earlier, e.g. a length known only at the end.
  void PatchU16(size_t offset, uint16_t v) { StoreBE16(out_.data() + offset, v); }
  void PatchU32(size_t offset, uint32_t v) { StoreBE32(out_.data() + offset, v); }

 private:
  uint8_t* Grow(size_t n) {
    out_.resize(out_.size() + n);
    return out_.data() + out_.size() - n;
  }

  std::vector<uint8_t>& out_;
};

}  // namespace aegis
