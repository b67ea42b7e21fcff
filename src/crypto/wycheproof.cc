#include "crypto/wycheproof.h"

#include <fstream>
#include <stdexcept>

#include "base/hex.h"

namespace aegis::crypto::testing {

nlohmann::json LoadVectors(const std::string& file_name) {
  std::ifstream in(std::string(AEGIS_TESTDATA_DIR) + "/" + file_name);
  if (!in) throw std::runtime_error("missing test data " + file_name);
  return nlohmann::json::parse(in);
}

std::vector<uint8_t> Bytes(const nlohmann::json& hex_field) {
  auto bytes = FromHex(hex_field.get<std::string>());
  if (!bytes) throw std::runtime_error("bad hex in vector");
  return *bytes;
}

}  // namespace aegis::crypto::testing
