// Helpers shared by the rtcp tests.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string_view>
#include <vector>

#include "base/hex.h"
#include "rtcp/compound.h"

namespace aegis::rtcp::testing {

inline std::vector<uint8_t> Hex(std::string_view text) {
  auto bytes = FromHex(text);
  EXPECT_TRUE(bytes.has_value()) << text;
  return bytes.value_or(std::vector<uint8_t>{});
}

// Parses a compound that must hold exactly one packet of type T.
template <typename T>
std::optional<T> ParseOnly(const std::vector<uint8_t>& bytes) {
  auto parsed = ParseCompound(bytes);
  if (!parsed.ok()) {
    ADD_FAILURE() << "parse failed: " << ToString(parsed.error());
    return std::nullopt;
  }
  if (parsed->size() != 1 || !std::holds_alternative<T>((*parsed)[0])) {
    ADD_FAILURE() << "expected one packet of the requested type, got " << parsed->size();
    return std::nullopt;
  }
  return std::get<T>((*parsed)[0]);
}

template <typename T>
std::vector<uint8_t> Serialize(const T& packet) {
  std::vector<uint8_t> out;
  packet.SerializeTo(out);
  return out;
}

// The error a compound is rejected with; fails the test if it parses.
inline std::optional<ParseError> ErrorOf(const std::vector<uint8_t>& bytes) {
  auto parsed = ParseCompound(bytes);
  if (parsed.ok()) {
    ADD_FAILURE() << "parsed, but should have been rejected: " << ToHex(bytes);
    return std::nullopt;
  }
  return parsed.error();
}

}  // namespace aegis::rtcp::testing
