// Helpers shared by the STUN tests (test-only; not part of aegis_stun).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/big_endian.h"
#include "base/hex.h"
#include "stun/constants.h"

namespace aegis::stun::testing {

inline std::vector<uint8_t> Hex(std::string_view hex) {
  auto b = FromHex(hex);
  EXPECT_TRUE(b.has_value()) << hex;
  return b.value_or(std::vector<uint8_t>{});
}

inline std::span<const uint8_t> Text(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

inline const TransactionId kTestId = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                      0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

// One attribute as raw wire bytes: type, length, value, then `pad` padding
// bytes of value `pad_byte` (default: whatever makes it 4-aligned, zeros).
inline std::vector<uint8_t> Tlv(uint16_t type, std::vector<uint8_t> value, int pad = -1,
                                uint8_t pad_byte = 0) {
  std::vector<uint8_t> out(4);
  StoreBE16(out.data(), type);
  StoreBE16(out.data() + 2, static_cast<uint16_t>(value.size()));
  out.insert(out.end(), value.begin(), value.end());
  const size_t n = pad >= 0 ? static_cast<size_t>(pad) : (4 - value.size() % 4) % 4;
  out.insert(out.end(), n, pad_byte);
  return out;
}

// A message from raw attribute bytes; the header length is the body size
// unless `length` is given. Lets tests write inputs our builder refuses.
inline std::vector<uint8_t> RawMessage(uint16_t type, std::initializer_list<std::vector<uint8_t>> tlvs,
                                       int length = -1) {
  std::vector<uint8_t> out(kHeaderSize);
  StoreBE16(out.data(), type);
  StoreBE32(out.data() + 4, kMagicCookie);
  std::copy(kTestId.begin(), kTestId.end(), out.begin() + 8);
  for (const auto& t : tlvs) out.insert(out.end(), t.begin(), t.end());
  const size_t body = out.size() - kHeaderSize;
  StoreBE16(out.data() + 2, static_cast<uint16_t>(length >= 0 ? static_cast<size_t>(length) : body));
  return out;
}

inline nlohmann::json LoadRfc5769() {
  std::ifstream in(std::string(AEGIS_TESTDATA_DIR) + "/rfc5769_stun.json");
  EXPECT_TRUE(in.good()) << "missing testdata/rfc5769_stun.json";
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

// The bytes of one RFC 5769 sample, e.g. Rfc5769Bytes("2.1_sample_request").
inline std::vector<uint8_t> Rfc5769Bytes(const std::string& name) {
  const auto doc = LoadRfc5769();
  EXPECT_TRUE(doc.contains("samples") && doc["samples"].contains(name)) << name;
  if (!doc.contains("samples") || !doc["samples"].contains(name)) return {};
  return Hex(doc["samples"][name]["hex"].get<std::string>());
}

}  // namespace aegis::stun::testing
