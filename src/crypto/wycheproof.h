// Loads a Wycheproof vector file copied into testdata/ (test-only).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace aegis::crypto::testing {

nlohmann::json LoadVectors(const std::string& file_name);
std::vector<uint8_t> Bytes(const nlohmann::json& hex_field);

}  // namespace aegis::crypto::testing
