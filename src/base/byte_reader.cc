#include "base/byte_reader.h"

#include "base/big_endian.h"

namespace aegis {

uint8_t ByteReader::U8() {
  if (!Has(1)) return 0;
  return data_[pos_++];
}

uint16_t ByteReader::U16() {
  if (!Has(2)) return 0;
  uint16_t v = LoadBE16(data_.data() + pos_);
  pos_ += 2;
  return v;
}

uint32_t ByteReader::U24() {
  if (!Has(3)) return 0;
  uint32_t v = LoadBE24(data_.data() + pos_);
  pos_ += 3;
  return v;
}

uint32_t ByteReader::U32() {
  if (!Has(4)) return 0;
  uint32_t v = LoadBE32(data_.data() + pos_);
  pos_ += 4;
  return v;
}

uint64_t ByteReader::U64() {
  if (!Has(8)) return 0;
  uint64_t v = LoadBE64(data_.data() + pos_);
  pos_ += 8;
  return v;
}

std::span<const uint8_t> ByteReader::Bytes(size_t n) {
  if (!Has(n)) return {};
  auto out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

std::span<const uint8_t> ByteReader::Rest() {
  if (!ok_) return {};
  auto out = data_.subspan(pos_);
  pos_ = data_.size();
  return out;
}

bool ByteReader::Skip(size_t n) {
  if (!Has(n)) return false;
  pos_ += n;
  return true;
}

ByteReader ByteReader::Sub(size_t n) {
  if (!Has(n)) {
    ByteReader failed({});
    failed.Fail();
    return failed;
  }
  ByteReader sub(data_.subspan(pos_, n));
  pos_ += n;
  return sub;
}

}  // namespace aegis
