// Test-only helpers of the mls tests: vectors from testdata/mls, hex.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/hex.h"

namespace aegis::mls::testing {

inline nlohmann::json LoadVectors(const std::string& name) {
  std::ifstream in(std::string(AEGIS_TESTDATA_DIR) + "/mls/" + name);
  EXPECT_TRUE(in.good()) << name;
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

inline std::vector<uint8_t> Hex(const std::string& text) {
  auto bytes = FromHex(text);
  EXPECT_TRUE(bytes.has_value()) << text;
  return bytes.value_or(std::vector<uint8_t>{});
}

}  // namespace aegis::mls::testing
