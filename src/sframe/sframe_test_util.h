// Helpers shared by the SFrame tests.
#pragma once

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/hex.h"
#include "sframe/cipher_suite.h"

namespace aegis::sframe::testing {

inline constexpr char kVectorFile[] = "sframe_test-vectors_rfc9605-era_025d568.json";

inline std::vector<uint8_t> Hex(std::string_view text) { return FromHex(text).value(); }
inline std::vector<uint8_t> HexField(const nlohmann::json& field) { return Hex(field.get<std::string>()); }

inline nlohmann::json LoadVectors() {
  std::ifstream in(std::string(AEGIS_TESTDATA_DIR) + "/" + kVectorFile);
  if (!in) throw std::runtime_error(std::string("missing test data ") + kVectorFile);
  return nlohmann::json::parse(in);
}

inline constexpr CipherSuite kAllSuites[] = {
    CipherSuite::kAes128CtrHmacSha256_80, CipherSuite::kAes128CtrHmacSha256_64, CipherSuite::kAes128CtrHmacSha256_32,
    CipherSuite::kAes128GcmSha256_128, CipherSuite::kAes256GcmSha512_128};

// Names parameterized tests after the suite.
inline std::string SuiteName(const ::testing::TestParamInfo<CipherSuite>& p) {
  return std::string(GetCipherSuiteParams(p.param).name);
}

}  // namespace aegis::sframe::testing
